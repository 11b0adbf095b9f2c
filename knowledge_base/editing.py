"""Editing the knowledge base from the staff workbench: articles, translations, publishing, monthly review
and the change log.

No Flask request machinery: the caller passes the acting editor (anything with `.id` and `.name`, such as
a StaffUser) and plain values. Every change is validated with the rules content files and spreadsheets
meet (records.check_record), writes one ArticleChange row (who, when, what) and commits once, or raises
EditingError with one message per field and writes nothing.

Publishing needs a translation in the default language (English) with a title and a body: residents whose
language has no translation are shown the English page, so an article without one could not be shown to
them. The search index follows on its own: it is rebuilt when the content fingerprint changes
(operations.content_fingerprint), and every change here moves the article's `updated_at`, so a published
article is found, and an unpublished one is gone, on the next search."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.db import db, utcnow
from portal.domain import DEFAULT_LANGUAGE, LANGUAGES

from .models import ARTICLE_STATUSES, Article, ArticleChange, ArticleTranslation
from .records import ArticleRecord, check_record

ARTICLE_SETTINGS = ("slug", "service_group", "owner", "review_due", "related_form")
TRANSLATION_TEXT = ("title", "body", "questions", "keywords")
MAX_OWNER = 120
FIELD_LABELS = {
    "slug": _l("Slug"),
    "lang": _l("Language"),
    "title": _l("Title"),
    "body": _l("Body"),
    "questions": _l("Questions"),
    "keywords": _l("Keywords"),
    "service_group": _l("Service group"),
    "owner": _l("Owner"),
    "review_due": _l("Review date"),
    "related_form": _l("Related form"),
    "status": _l("Status"),
}


class Editor(Protocol):
    id: int | None
    name: str


@dataclass
class ArticleSettings:
    """What an article is, whatever its language: its address, service group, owner and review date."""

    slug: str
    service_group: str
    owner: str = ""
    review_due: date | None = None
    related_form: str | None = None


@dataclass
class TranslationText:
    lang: str
    title: str
    body: str = ""
    questions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


class EditingError(ValueError):
    """Nothing was written; `errors` holds one message per field (the form's field names)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


@dataclass(frozen=True)
class ReviewList:
    """The monthly review: articles past their review date, due within the period, and with none."""

    overdue: list[Article]
    due: list[Article]
    undated: list[Article]


# ---- validation ---------------------------------------------------------------------------------------


def _message(column: str, problem: str) -> str:
    label = FIELD_LABELS.get(column, column.replace("_", " ").capitalize())
    return gettext("%(field)s %(problem)s", field=label, problem=problem)


def _check(
    record: ArticleRecord, columns: Collection[str], known_forms: Collection[str] | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for column, problem in check_record(record):
        if column in columns:
            errors.setdefault(column, _message(column, problem))
    if "service_group" in columns and not record.service_group:
        errors.setdefault("service_group", _message("service_group", _l("is required")))
    if "owner" in columns and len(record.owner or "") > MAX_OWNER:
        errors["owner"] = _message("owner", _l("must be %(max)d characters or fewer", max=MAX_OWNER))
    if "lang" in columns and "lang" not in errors and record.lang not in LANGUAGES:
        errors["lang"] = _message("lang", _l("must be one of %(choices)s", choices=", ".join(LANGUAGES)))
    unknown_form = known_forms is not None and record.related_form not in known_forms
    if "related_form" in columns and record.related_form and unknown_form:
        errors["related_form"] = _message("related_form", _l("must be a form residents can fill in"))
    return errors


def _check_settings(
    settings: ArticleSettings, article: Article | None, known_forms: Collection[str] | None
) -> dict[str, str]:
    record = ArticleRecord(
        slug=settings.slug,
        lang=DEFAULT_LANGUAGE,
        title="-",
        service_group=settings.service_group or None,
        owner=settings.owner,
        review_due=settings.review_due,
        related_form=settings.related_form,
    )
    errors = _check(record, ARTICLE_SETTINGS, known_forms)
    if "slug" not in errors:
        taken = sa.select(Article.id).where(Article.slug == settings.slug)
        if article is not None and article.id is not None:
            taken = taken.where(Article.id != article.id)
        if db.session.scalar(taken) is not None:
            errors["slug"] = _message("slug", _l("is already used by another article"))
    return errors


def _check_text(text: TranslationText) -> dict[str, str]:
    record = ArticleRecord(
        slug="x",
        lang=text.lang,
        title=text.title,
        body=text.body,
        questions=list(text.questions),
        keywords=list(text.keywords),
    )
    return _check(record, ("lang", *TRANSLATION_TEXT), None)


# ---- changes ------------------------------------------------------------------------------------------


def _log(article: Article, editor: Editor, action: str, changed: Collection[str], lang: str | None = None):
    article.updated_at = utcnow()  # moves the content fingerprint, so the search index is rebuilt
    db.session.add(
        ArticleChange(
            article=article,
            changed_by_id=getattr(editor, "id", None),
            changed_by=getattr(editor, "name", "") or "",
            action=action,
            lang=lang,
            summary=", ".join(changed),
        )
    )


def _assign(target, values: dict, names: Collection[str]) -> list[str]:
    changed = []
    for name in names:
        value = values[name]
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed.append(name)
    return changed


def _commit() -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _settings_values(settings: ArticleSettings) -> dict:
    return {
        "slug": settings.slug,
        "service_group": settings.service_group,
        "owner": settings.owner or "",
        "review_due": settings.review_due,
        "related_form": settings.related_form or None,
    }


def _text_values(text: TranslationText) -> dict:
    return {
        "title": text.title,
        "body": text.body or "",
        "questions": [phrase for phrase in text.questions if phrase],
        "keywords": [phrase for phrase in text.keywords if phrase],
    }


def create_article(
    settings: ArticleSettings,
    translation: TranslationText,
    editor: Editor,
    known_forms: Collection[str] | None = None,
) -> Article:
    """A new article, as a draft, with its first translation."""
    errors = _check_settings(settings, None, known_forms) | _check_text(translation)
    if errors:
        raise EditingError(errors)
    article = Article(status="draft", **_settings_values(settings))
    article.translations.append(ArticleTranslation(lang=translation.lang, **_text_values(translation)))
    db.session.add(article)
    changed = [name for name, value in _settings_values(settings).items() if value]
    _log(article, editor, "created", changed + ["title", "body"], lang=translation.lang)
    _commit()
    return article


def update_article(
    article: Article, settings: ArticleSettings, editor: Editor, known_forms: Collection[str] | None = None
) -> list[str]:
    """The article's settings; returns the names of the fields that changed (none: nothing is logged)."""
    errors = _check_settings(settings, article, known_forms)
    if errors:
        raise EditingError(errors)
    changed = _assign(article, _settings_values(settings), ARTICLE_SETTINGS)
    if changed:
        _log(article, editor, "edited", changed)
        _commit()
    return changed


def save_translation(
    article: Article,
    lang: str,
    title: str,
    body: str,
    questions: list[str],
    keywords: list[str],
    editor: Editor,
) -> list[str]:
    """Adds or changes the article in one language; returns the names of the fields that changed."""
    text = TranslationText(lang, title, body, list(questions), list(keywords))
    errors = _check_text(text)
    if errors:
        raise EditingError(errors)
    translation = article.translation(lang)
    values = _text_values(text)
    if translation is None:
        article.translations.append(ArticleTranslation(lang=lang, **values))
        changed, action = list(TRANSLATION_TEXT), "translated"
    else:
        changed, action = _assign(translation, values, TRANSLATION_TEXT), "edited"
    if changed:
        _log(article, editor, action, changed, lang=lang)
        _commit()
    return changed


def publish_problems(article: Article) -> dict[str, str]:
    """Why the article cannot be published yet (empty: it can)."""
    default = article.translation(DEFAULT_LANGUAGE)
    if default is None or not default.title.strip() or not default.body.strip():
        language = LANGUAGES[DEFAULT_LANGUAGE]
        return {
            "status": gettext(
                "Add the %(language)s title and body before publishing: other languages fall back to it",
                language=language,
            )
        }
    return {}


def publish(article: Article, editor: Editor) -> bool:
    """Residents can find and read it at once; False when it was published already."""
    problems = publish_problems(article)
    if problems:
        raise EditingError(problems)
    return _set_status(article, "published", editor)


def unpublish(article: Article, editor: Editor) -> bool:
    """Back to a draft: gone from search and from the article pages at once."""
    return _set_status(article, "draft", editor)


def _set_status(article: Article, status: str, editor: Editor) -> bool:
    assert status in ARTICLE_STATUSES
    if article.status == status:
        return False
    article.status = status
    _log(article, editor, "published" if status == "published" else "unpublished", ["status"])
    _commit()
    return True


# ---- reads --------------------------------------------------------------------------------------------


def get_article(slug: str) -> Article | None:
    query = sa.select(Article).where(Article.slug == slug).options(selectinload(Article.translations))
    return db.session.scalar(query)


def find_articles(
    query: str = "",
    service_group: str | None = None,
    status: str | None = None,
    out_of_date: bool = False,
) -> list[Article]:
    """Every article (drafts too), filtered; `query` matches the slug or a title in any language;
    `out_of_date` keeps the articles with a translation older than the last edit of the English."""
    select = sa.select(Article).options(selectinload(Article.translations)).order_by(Article.slug)
    if service_group:
        select = select.where(Article.service_group == service_group)
    if status:
        select = select.where(Article.status == status)
    words = (query or "").strip().lower()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        titles = sa.select(ArticleTranslation.article_id).where(
            sa.func.lower(ArticleTranslation.title).like(pattern, escape="\\")
        )
        select = select.where(
            sa.or_(sa.func.lower(Article.slug).like(pattern, escape="\\"), Article.id.in_(titles))
        )
    articles = list(db.session.scalars(select))
    if out_of_date:
        stale = out_of_date_translations(articles)
        articles = [article for article in articles if article.id in stale]
    return articles


def english_edits(article_ids: Collection[int]) -> dict[int, datetime]:
    """When each article's English text was last edited (adding it is not an edit)."""
    if not article_ids:
        return {}
    select = (
        sa.select(ArticleChange.article_id, sa.func.max(ArticleChange.changed_at))
        .where(
            ArticleChange.article_id.in_(list(article_ids)),
            ArticleChange.lang == DEFAULT_LANGUAGE,
            ArticleChange.action == "edited",
        )
        .group_by(ArticleChange.article_id)
    )
    return dict(db.session.execute(select).all())


def out_of_date_translations(articles: Collection[Article]) -> dict[int, dict[str, datetime]]:
    """For each article, the translations older than the last edit of its English text, each with the
    time of that edit: they may no longer say what the English says."""
    edits = english_edits([article.id for article in articles])
    stale: dict[int, dict[str, datetime]] = {}
    for article in articles:
        edited_at = edits.get(article.id)
        if edited_at is None:
            continue
        languages = {
            translation.lang: edited_at
            for translation in article.translations
            if translation.lang != DEFAULT_LANGUAGE and translation.updated_at < edited_at
        }
        if languages:
            stale[article.id] = languages
    return stale


def articles_due_for_review(today: date, within_days: int = 31) -> ReviewList:
    """The monthly review: overdue articles, those due within the coming month, and those with no date."""
    horizon = today + timedelta(days=within_days)
    select = (
        sa.select(Article)
        .where(sa.or_(Article.review_due.is_(None), Article.review_due <= horizon))
        .options(selectinload(Article.translations))
        .order_by(Article.review_due, Article.slug)
    )
    articles = list(db.session.scalars(select))
    return ReviewList(
        overdue=[article for article in articles if article.review_due and article.review_due < today],
        due=[article for article in articles if article.review_due and article.review_due >= today],
        undated=[article for article in articles if article.review_due is None],
    )


def article_history(article: Article) -> list[ArticleChange]:
    """Every change to the article, newest first."""
    select = (
        sa.select(ArticleChange)
        .where(ArticleChange.article_id == article.id)
        .order_by(ArticleChange.changed_at.desc(), ArticleChange.id.desc())
    )
    return list(db.session.scalars(select))


def title_of(article: Article, lang: str = DEFAULT_LANGUAGE) -> str:
    translation = article.translation(lang) or (article.translations[0] if article.translations else None)
    return translation.title if translation else article.slug
