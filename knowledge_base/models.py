from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import db, utcnow

ARTICLE_STATUSES = ("draft", "published")


class Article(db.Model):
    __tablename__ = "kb_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    service_group: Mapped[str] = mapped_column(sa.String(40), index=True)
    owner: Mapped[str] = mapped_column(sa.String(120), default="")
    review_due: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    related_form: Mapped[str | None] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    translations: Mapped[list[ArticleTranslation]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleTranslation.lang"
    )

    __table_args__ = (sa.CheckConstraint(sa.column("status").in_(ARTICLE_STATUSES), name="status"),)

    def translation(self, lang: str) -> ArticleTranslation | None:
        return next((t for t in self.translations if t.lang == lang), None)


class ArticleTranslation(db.Model):
    __tablename__ = "kb_article_translation"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_article.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(sa.String(8))
    title: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    questions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    article: Mapped[Article] = relationship(back_populates="translations")

    __table_args__ = (sa.UniqueConstraint("article_id", "lang", name="uq_kb_article_translation_lang"),)


def normalise_query(text: str) -> str:
    """A query folded for grouping: "Bin  Day" and "bin day" are the same question."""
    return " ".join((text or "").split()).casefold()[:500].rstrip()  # the cut leaves no space behind


def _normalised_query_default(context) -> str:
    return normalise_query(context.get_current_parameters()["query"])


class SearchLog(db.Model):
    """Every search residents make, for content gaps and channel reports."""

    __tablename__ = "kb_search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    query: Mapped[str] = mapped_column(sa.String(500))
    # Filled from `query` on every insert: grouped on by the content-gaps report (knowledge_base/gaps.py).
    normalised_query: Mapped[str] = mapped_column(sa.String(500), default=_normalised_query_default)
    lang: Mapped[str] = mapped_column(sa.String(8))
    channel: Mapped[str] = mapped_column(sa.String(20))
    # results (the results page), typeahead (search as you type), chat, api
    source: Mapped[str] = mapped_column(sa.String(20))
    top_slug: Mapped[str | None] = mapped_column(sa.String(120))
    top_score: Mapped[float | None]
    confident: Mapped[bool]
    result_count: Mapped[int]

    __table_args__ = (
        # The content-gaps report groups by query over a period: this index covers it, so a year of a
        # million searches is read from the index alone, in query order (docs/content-gaps.md).
        sa.Index(
            "ix_kb_search_log_gaps",
            "normalised_query",
            "created_at",
            "confident",
            "source",
            "lang",
            "channel",
            "top_slug",
        ),
    )


class AnswerFeedback(db.Model):
    """ "Was this helpful?" on an article, with an optional comment."""

    __tablename__ = "kb_answer_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_article.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(sa.String(8))
    channel: Mapped[str] = mapped_column(sa.String(20))
    helpful: Mapped[bool]
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    article: Mapped[Article] = relationship()


ARTICLE_CHANGE_ACTIONS = ("created", "edited", "translated", "published", "unpublished", "imported")


class ArticleChange(db.Model):
    """Who changed an article, when and how: the editors' history, one row per change."""

    __tablename__ = "kb_article_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_article.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    changed_by: Mapped[str] = mapped_column(sa.String(200), default="")
    action: Mapped[str] = mapped_column(sa.String(20))
    lang: Mapped[str | None] = mapped_column(sa.String(8))
    summary: Mapped[str] = mapped_column(sa.Text, default="")

    article: Mapped[Article] = relationship()

    __table_args__ = (sa.CheckConstraint(sa.column("action").in_(ARTICLE_CHANGE_ACTIONS), name="action"),)
