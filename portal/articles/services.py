"""What happens when a resident reads an article and tells us whether it answered their question."""

from __future__ import annotations

from dataclasses import dataclass

from crm_bridge.contacts import record_self_service_answer
from knowledge_base.markdown import render_markdown, summary
from knowledge_base.models import Article, ArticleTranslation
from knowledge_base.operations import record_feedback
from portal.db import db


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    translation: ArticleTranslation
    interface_lang: str

    @property
    def is_fallback(self) -> bool:
        """Shown in another language because it is not written in the resident's."""
        lang = self.interface_lang
        return self.translation.lang != lang and self.article.translation(lang) is None

    @property
    def body_html(self):
        return render_markdown(self.translation.body)


def article_page(article: Article, asked_lang: str | None, interface_lang: str, fallback_lang: str = "en"):
    """The language the link asked for, else the resident's, else the fallback language."""
    for lang in (asked_lang, interface_lang, fallback_lang):
        translation = article.translation(lang) if lang else None
        if translation:
            return ArticlePage(article, translation, interface_lang)
    return ArticlePage(article, article.translations[0], interface_lang)


def give_feedback(
    page: ArticlePage,
    helpful: bool,
    comment: str,
    channel: str,
    already_confirmed: bool,
    kiosk_id: int | None = None,
):
    """Feedback is kept; a 'yes' is also a contact resolved by self-service, counted once a visit.
    Returns that contact (for the satisfaction question), if one was recorded."""
    record_feedback(page.article, page.translation.lang, helpful, comment, channel)
    contact = None
    if helpful and not already_confirmed:
        contact = record_self_service_answer(
            channel=channel,
            lang=page.translation.lang,
            article_slug=page.article.slug,
            service_group=page.article.service_group,
            summary=summary(page.translation.body),
            kiosk_id=kiosk_id,
        )
    db.session.commit()
    return contact
