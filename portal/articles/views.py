from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import _, get_locale

from knowledge_base.operations import get_published_article
from knowledge_base.records import MAX_SLUG, SLUG
from portal.channel import current_channel, current_kiosk_id
from portal.layout import render_page
from portal.satisfaction.views import satisfaction_token

from .forms import FeedbackForm
from .services import article_page, give_feedback

articles = Blueprint("articles", __name__, url_prefix="/articles")


def _page_for(slug: str):
    # Only a well-formed slug reaches the database (PostgreSQL refuses text with NUL characters, for one).
    if len(slug) > MAX_SLUG or not SLUG.fullmatch(slug):
        abort(404)
    article = get_published_article(slug) or abort(404)
    return article_page(article, request.args.get("lang"), str(get_locale()))


def _render(page, form, status=200, rating_token=None):
    html = render_page(
        "articles/article.html",
        "feedback",
        page=page,
        form=form,
        page_title=page.translation.title,
        rating_token=rating_token,
    )
    return html, status


@articles.get("/<slug>")
def show_article(slug: str):
    return _render(_page_for(slug), FeedbackForm())


@articles.post("/<slug>/feedback")
def give_article_feedback(slug: str):
    page = _page_for(slug)
    form = FeedbackForm()
    if not form.validate():
        return _render(page, form, status=422 if request.headers.get("HX-Request") else 200)
    confirmed = session.setdefault("confirmed_answers", [])
    contact = give_feedback(
        page,
        form.helpful.data == "yes",
        form.comment.data or "",
        channel=current_channel(),
        already_confirmed=slug in confirmed,
        kiosk_id=current_kiosk_id(),
    )
    if form.helpful.data == "yes" and slug not in confirmed:
        session["confirmed_answers"] = [*confirmed, slug]
    flash(_("Thank you for your feedback."), "feedback")
    rating_token = satisfaction_token("answer", contact.id) if contact else None
    if request.headers.get("HX-Request"):
        return _render(page, None, rating_token=rating_token)
    if rating_token:
        flash(rating_token, "satisfaction")  # the question, after the redirect
    return redirect(url_for("articles.show_article", slug=slug, lang=page.translation.lang) + "#feedback")
