"""Knowledge-base operations on the database: importing and exporting articles, reading what residents see.

No Flask request machinery: callers pass what they have; each write commits once or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.db import db

from .models import AnswerFeedback, Article, ArticleTranslation
from .records import ArticleRecord, InvalidContent, Problem

ARTICLE_FIELDS = ("service_group", "owner", "review_due", "status", "related_form")
TRANSLATION_FIELDS = ("title", "body", "questions", "keywords")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def import_records(records: Iterable[ArticleRecord], default_status: str = "published") -> ImportResult:
    """Create or update every record in one transaction; a record that cannot be placed stops them all."""
    # Records carrying an article's settings (the English file) first, so a translation read before its
    # English source (content/ar/ sorts before content/en/) finds the article made.
    records = sorted(records, key=lambda record: record.service_group is None)
    articles = _articles_by_slug({record.slug for record in records})
    result = ImportResult()
    problems = []
    try:
        for record in records:
            article = articles.get(record.slug)
            if article is None:
                if record.service_group is None:
                    problems.append(Problem(f"{record.slug} ({record.lang})", "service_group", "is required"))
                    continue
                article = articles[record.slug] = Article(slug=record.slug, status=default_status)
                db.session.add(article)
            outcome = _apply(article, record)
            setattr(result, outcome, getattr(result, outcome) + 1)
        if problems:
            raise InvalidContent(problems)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def _articles_by_slug(slugs: set[str]) -> dict[str, Article]:
    query = sa.select(Article).where(Article.slug.in_(slugs)).options(selectinload(Article.translations))
    return {article.slug: article for article in db.session.scalars(query)}


def _apply(article: Article, record: ArticleRecord) -> str:
    created = article.id is None and not article.translations
    changed = _assign(article, record, ARTICLE_FIELDS, skip_none=True)
    translation = article.translation(record.lang)
    if translation is None:
        translation = ArticleTranslation(lang=record.lang)
        article.translations.append(translation)
        changed = True
    changed |= _assign(translation, record, TRANSLATION_FIELDS, skip_none=False)
    if created:
        return "created"
    return "updated" if changed else "unchanged"


def _assign(target, record: ArticleRecord, names: tuple[str, ...], skip_none: bool) -> bool:
    changed = False
    for name in names:
        value = getattr(record, name)
        if (value is None and skip_none) or getattr(target, name) == value:
            continue
        setattr(target, name, value)
        changed = True
    return changed


def export_records() -> list[ArticleRecord]:
    query = (
        sa.select(Article, ArticleTranslation)
        .join(ArticleTranslation)
        .order_by(Article.slug, ArticleTranslation.lang)
    )
    return [
        ArticleRecord(
            slug=article.slug,
            lang=translation.lang,
            title=translation.title,
            body=translation.body,
            questions=list(translation.questions or []),
            keywords=list(translation.keywords or []),
            service_group=article.service_group,
            owner=article.owner,
            review_due=article.review_due,
            status=article.status,
            related_form=article.related_form,
        )
        for article, translation in db.session.execute(query)
    ]


def published_translations() -> list[tuple[Article, ArticleTranslation]]:
    query = (
        sa.select(Article, ArticleTranslation)
        .join(ArticleTranslation)
        .where(Article.status == "published")
        .order_by(Article.id, ArticleTranslation.lang)
    )
    return [(article, translation) for article, translation in db.session.execute(query)]


def content_fingerprint() -> tuple:
    """Changes whenever published content may have changed: cheap enough to ask on every search."""
    translations = sa.select(sa.func.count(ArticleTranslation.id), sa.func.max(ArticleTranslation.updated_at))
    articles = sa.select(sa.func.count(Article.id), sa.func.max(Article.updated_at))
    return (*db.session.execute(translations).one(), *db.session.execute(articles).one())


def get_published_article(slug: str) -> Article | None:
    query = (
        sa.select(Article)
        .where(Article.slug == slug, Article.status == "published")
        .options(selectinload(Article.translations))
    )
    return db.session.scalar(query)


def record_feedback(article: Article, lang: str, helpful: bool, comment: str, channel: str) -> AnswerFeedback:
    """Added to the session; the caller commits it with whatever else the same action records."""
    feedback = AnswerFeedback(article=article, lang=lang, helpful=helpful, comment=comment, channel=channel)
    db.session.add(feedback)
    return feedback


def published_titles(slugs: list[str], lang: str, fallback_lang: str = "en") -> list[tuple[str, str]]:
    """(slug, title) in the given order for those slugs that are published, in lang where translated."""
    query = (
        sa.select(Article)
        .where(Article.slug.in_(slugs), Article.status == "published")
        .options(selectinload(Article.translations))
    )
    articles = {article.slug: article for article in db.session.scalars(query)}
    titles = []
    for slug in slugs:
        article = articles.get(slug)
        translation = article and (article.translation(lang) or article.translation(fallback_lang))
        if translation:
            titles.append((slug, translation.title))
    return titles
