"""The chat assistant: answers from the knowledge base, asks whether they helped, offers the next best,
and when nothing is confident says so and gives the ways to contact the council."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from crm_bridge.contacts import record_self_service_answer
from portal.db import db
from portal.search.services import search_knowledge_base

from .models import ChatMessage, ChatSession

MORE_ANSWERS = 3


def find_chat(token: str | None) -> ChatSession | None:
    if not token:
        return None
    return db.session.scalar(sa.select(ChatSession).where(ChatSession.token == token))


def ask(
    chat: ChatSession | None, question: str, lang: str, channel: str, kiosk_id: int | None = None
) -> ChatSession:
    # Searched before the transcript changes: on SQLite the first write takes the database's one write lock,
    # which would otherwise be held while the search runs.
    response, results = search_knowledge_base(
        question, lang, channel=channel, source="chat", limit=1 + MORE_ANSWERS
    )
    if chat is None:
        chat = ChatSession(token=secrets.token_urlsafe(32), channel=channel, lang=lang, kiosk_id=kiosk_id)
        db.session.add(chat)
    _close_open_questions(chat)
    chat.messages.append(ChatMessage(role="resident", kind="question", text=question))
    offered = [_offer(result) for result in results]
    if response.confident:
        chat.messages.append(
            ChatMessage(
                role="assistant",
                kind="answer",
                text=offered[0]["summary"],
                results=offered,
                awaiting_reply=True,
            )
        )
    else:
        chat.messages.append(ChatMessage(role="assistant", kind="no_answer", results=offered[:MORE_ANSWERS]))
    db.session.commit()
    return chat


def reply(chat: ChatSession, message_id: int, answered: bool, slug: str | None) -> bool:
    """The resident's yes or no to an offered answer; False if that question is no longer open."""
    message = next((m for m in chat.messages if m.id == message_id and m.awaiting_reply), None)
    if message is None:
        return False
    message.awaiting_reply = False
    chosen = next((r for r in message.results if r["slug"] == (slug or message.results[0]["slug"])), None)
    if answered and chosen:
        _resolve(chat, chosen)
    elif message.kind == "answer" and len(message.results) > 1:
        chat.messages.append(ChatMessage(role="resident", kind="reply", text=_("No")))
        chat.messages.append(
            ChatMessage(
                role="assistant", kind="more_answers", results=message.results[1:], awaiting_reply=True
            )
        )
    else:
        chat.messages.append(ChatMessage(role="resident", kind="reply", text=_("No")))
        chat.messages.append(ChatMessage(role="assistant", kind="no_answer"))
    db.session.commit()
    return True


def _resolve(chat: ChatSession, chosen: dict) -> None:
    chat.messages.append(ChatMessage(role="resident", kind="reply", text=_("Yes, this answered my question")))
    resolved = ChatMessage(role="assistant", kind="resolved", results=[chosen])
    chat.messages.append(resolved)
    already = sum(1 for m in chat.messages if m.kind == "resolved" and m.results[0]["slug"] == chosen["slug"])
    if already == 1:
        contact = record_self_service_answer(
            channel=chat.channel,
            lang=chosen["lang"],
            article_slug=chosen["slug"],
            service_group=chosen["service_group"],
            summary=chosen["title"],
            started_at=chat.started_at,
            kiosk_id=chat.kiosk_id,
        )
        db.session.flush()
        resolved.results = [{**chosen, "contact_id": contact.id}]  # for the satisfaction question


def _close_open_questions(chat: ChatSession) -> None:
    for message in chat.messages:
        message.awaiting_reply = False


def _offer(result) -> dict:
    return {
        "slug": result.slug,
        "title": result.title,
        "summary": result.summary,
        "url": result.url,
        "lang": result.lang,
        "score": result.score,
        "service_group": result.service_group,
        "related_form": result.related_form,
    }


def transcript_of(token: str | None) -> list[dict]:
    """The conversation so far, as it travels with a case handed off from it."""
    chat = find_chat(token)
    if chat is None:
        return []
    return [
        {"role": m.role, "kind": m.kind, "text": m.text or _first_title(m), "at": m.created_at.isoformat()}
        for m in chat.messages
    ]


def _first_title(message: ChatMessage) -> str:
    return message.results[0]["title"] if message.results else ""
