from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import _, get_locale

from portal.channel import current_channel, current_kiosk_id
from portal.layout import render_page

from .forms import QuestionForm, ReplyForm
from .services import ask, find_chat, reply

chat = Blueprint("chat", __name__, url_prefix="/ask")


def _render(form, status=200):
    conversation = find_chat(session.get("chat_token"))
    html = render_page(
        "chat/chat.html",
        "conversation",
        form=form,
        conversation=conversation,
        reply_form=ReplyForm(),
        page_title=_("Ask a question"),
    )
    return html, status


def _after_post():
    if request.headers.get("HX-Request"):
        return _render(QuestionForm(formdata=None))
    return redirect(url_for("chat.show_chat") + "#latest")


@chat.get("")
def show_chat():
    return _render(QuestionForm(formdata=None))


@chat.post("")
def ask_question():
    form = QuestionForm()
    if not form.validate():
        return _render(form, status=422 if request.headers.get("HX-Request") else 200)
    conversation = ask(
        find_chat(session.get("chat_token")),
        form.question.data,
        str(get_locale()),
        current_channel("chat"),
        current_kiosk_id(),
    )
    session["chat_token"] = conversation.token
    return _after_post()


@chat.post("/reply")
def reply_to_answer():
    form = ReplyForm()
    conversation = find_chat(session.get("chat_token"))
    if form.validate() and conversation is not None:
        reply(conversation, form.message_id.data, form.answered.data == "yes", form.slug.data)
    return _after_post()
