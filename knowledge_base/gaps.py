"""Content gaps: what residents search for and do not find, the answers they mark not helpful, and what they
search for most. Aggregate SQL only (GROUP BY and counts): the search log holds millions of rows.

Times are naive UTC bounds, `start` inclusive and `end` exclusive, as stored. Searches typed into the search
box as you type (source "typeahead") are left out: that log holds every half-typed word ("bi", "bin",
"bin d"), so only searches people asked on purpose are counted (the results page, the chat, the API)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.db import db
from portal.domain import DEFAULT_LANGUAGE

from .models import AnswerFeedback, Article, ArticleTranslation, SearchLog

DEFAULT_LIMIT = 50
LEFT_OUT_SOURCES = ("typeahead",)


@dataclass(frozen=True)
class GapFilters:
    start: datetime
    end: datetime
    lang: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class ArticleRef:
    slug: str
    title: str
    exists: bool  # the article may have been deleted since the search


@dataclass(frozen=True)
class UnansweredSearch:
    query: str
    times: int
    languages: tuple[str, ...]
    last_searched: datetime
    best_article: ArticleRef | None  # the unconfident answer offered most often


@dataclass(frozen=True)
class UnhelpfulAnswer:
    article: ArticleRef
    not_helpful: int
    helpful: int
    comments: int

    @property
    def share_not_helpful(self) -> float:
        return self.not_helpful / (self.not_helpful + self.helpful)


@dataclass(frozen=True)
class PopularSearch:
    query: str
    times: int
    confident: int
    top_article: ArticleRef | None  # the article most often at the top of its results

    @property
    def share_confident(self) -> float:
        return self.confident / self.times


@dataclass(frozen=True)
class SearchTotals:
    searches: int
    not_confident: int


@dataclass(frozen=True)
class SearchGaps:
    totals: SearchTotals
    unanswered: list[UnansweredSearch]  # most often first
    most_searched: list[PopularSearch]


@dataclass(frozen=True)
class Comment:
    id: int
    created_at: datetime
    helpful: bool
    lang: str
    channel: str
    text: str


@dataclass(frozen=True)
class ArticleComments:
    total: int
    newest: list[Comment]


def search_gaps(filters: GapFilters, limit: int = DEFAULT_LIMIT) -> SearchGaps:
    """The searches with no confident answer and the most searched, from one pass over the log: the
    queries are counted once (GROUP BY), then ranked both ways and totalled by window functions."""
    conditions = _search_conditions(filters)
    grouped = (
        sa.select(
            SearchLog.normalised_query.label("query"),
            sa.func.count().label("times"),
            _count_where(SearchLog.confident.is_(False)).label("unanswered"),
            sa.func.max(sa.case((SearchLog.confident.is_(False), SearchLog.created_at))).label("last"),
        )
        .where(*conditions)
        .group_by(SearchLog.normalised_query)
        .subquery()
    )
    ranked = sa.select(
        grouped,
        sa.func.row_number().over(order_by=(grouped.c.times.desc(), grouped.c.query)).label("by_times"),
        sa.func.row_number().over(order_by=(grouped.c.unanswered.desc(), grouped.c.query)).label("by_gap"),
        sa.func.sum(grouped.c.times).over().label("all_times"),
        sa.func.sum(grouped.c.unanswered).over().label("all_unanswered"),
    ).subquery()
    rows = db.session.execute(
        sa.select(ranked).where(
            sa.or_(ranked.c.by_times <= limit, sa.and_(ranked.c.by_gap <= limit, ranked.c.unanswered > 0))
        )
    ).all()
    details = _details_of([row.query for row in rows], conditions)
    articles = _articles(details.slugs())
    unanswered = [
        UnansweredSearch(
            query=row.query,
            times=row.unanswered,
            languages=details.languages(row.query),
            last_searched=row.last,
            best_article=articles.get(details.top_slug(row.query, confident=False)),
        )
        for row in sorted(rows, key=lambda row: row.by_gap)
        if row.by_gap <= limit and row.unanswered > 0
    ]
    popular = [
        PopularSearch(
            query=row.query,
            times=row.times,
            confident=row.times - row.unanswered,
            top_article=articles.get(details.top_slug(row.query)),
        )
        for row in sorted(rows, key=lambda row: row.by_times)
        if row.by_times <= limit
    ]
    totals = SearchTotals(int(rows[0].all_times), int(rows[0].all_unanswered)) if rows else SearchTotals(0, 0)
    return SearchGaps(totals, unanswered, popular)


def unhelpful_answers(filters: GapFilters, limit: int = DEFAULT_LIMIT) -> list[UnhelpfulAnswer]:
    """Articles marked not helpful at least once, most often first."""
    not_helpful = _count_where(AnswerFeedback.helpful.is_(False)).label("not_helpful")
    helpful = _count_where(AnswerFeedback.helpful.is_(True)).label("helpful")
    comments = _count_where(AnswerFeedback.comment != "").label("comments")
    groups = db.session.execute(
        sa.select(Article.slug, not_helpful, helpful, comments)
        .join(Article, Article.id == AnswerFeedback.article_id)
        .where(*_feedback_conditions(filters))
        .group_by(Article.slug)
        .having(not_helpful > 0)
        .order_by(not_helpful.desc(), helpful, Article.slug)
        .limit(limit)
    ).all()
    articles = _articles({slug for slug, *_ in groups})
    return [
        UnhelpfulAnswer(articles[slug], bad, good or 0, commented or 0)
        for slug, bad, good, commented in groups
    ]


def article_comments(slug: str, filters: GapFilters, limit: int = DEFAULT_LIMIT) -> ArticleComments | None:
    """Residents' comments on one article in the period, newest first; None if there is no such article."""
    article_id = db.session.scalar(sa.select(Article.id).where(Article.slug == slug))
    if article_id is None:
        return None
    conditions = (
        *_feedback_conditions(filters),
        AnswerFeedback.article_id == article_id,
        AnswerFeedback.comment != "",
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AnswerFeedback).where(*conditions))
    rows = db.session.execute(
        sa.select(
            AnswerFeedback.id,
            AnswerFeedback.created_at,
            AnswerFeedback.helpful,
            AnswerFeedback.lang,
            AnswerFeedback.channel,
            AnswerFeedback.comment,
        )
        .where(*conditions)
        .order_by(AnswerFeedback.created_at.desc(), AnswerFeedback.id.desc())
        .limit(limit)
    ).all()
    return ArticleComments(total, [Comment(*row) for row in rows])


def article_title(slug: str) -> ArticleRef:
    return _articles({slug}).get(slug) or ArticleRef(slug, slug, exists=False)


# ---- helpers ------------------------------------------------------------------------------------------


def _count_where(condition) -> sa.ColumnElement:
    """COUNT of the rows meeting `condition`, portable to SQLite and PostgreSQL (NULL when no rows)."""
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _search_conditions(filters: GapFilters) -> tuple:
    conditions = [
        SearchLog.created_at >= filters.start,
        SearchLog.created_at < filters.end,
        SearchLog.source.not_in(LEFT_OUT_SOURCES),
    ]
    if filters.lang:
        conditions.append(SearchLog.lang == filters.lang)
    if filters.channel:
        conditions.append(SearchLog.channel == filters.channel)
    return tuple(conditions)


def _feedback_conditions(filters: GapFilters) -> tuple:
    conditions = [AnswerFeedback.created_at >= filters.start, AnswerFeedback.created_at < filters.end]
    if filters.lang:
        conditions.append(AnswerFeedback.lang == filters.lang)
    if filters.channel:
        conditions.append(AnswerFeedback.channel == filters.channel)
    return tuple(conditions)


class _QueryDetails:
    """Per query: the languages it was asked in without a confident answer, and the article most often at
    the top of its results (among its unconfident searches, or all), from counts by (query, confident,
    lang, slug)."""

    def __init__(self, rows):
        self._unanswered_languages: dict[str, set[str]] = defaultdict(set)
        self._slug_counts: dict[tuple[str, bool | None], dict[str, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        for query, confident, lang, slug, count in rows:
            if not confident:
                self._unanswered_languages[query].add(lang)
            if slug is not None:
                self._slug_counts[query, None][slug] += count
                self._slug_counts[query, bool(confident)][slug] += count

    def languages(self, query: str) -> tuple[str, ...]:
        return tuple(sorted(self._unanswered_languages.get(query, ())))

    def top_slug(self, query: str, confident: bool | None = None) -> str | None:
        counts = self._slug_counts.get((query, confident))
        if not counts:
            return None
        return min(counts, key=lambda slug: (-counts[slug], slug))

    def slugs(self) -> set[str]:
        return {slug for counts in self._slug_counts.values() for slug in counts}


def _details_of(queries: list[str], conditions: tuple) -> _QueryDetails:
    if not queries:
        return _QueryDetails([])
    columns = (SearchLog.normalised_query, SearchLog.confident, SearchLog.lang, SearchLog.top_slug)
    rows = db.session.execute(
        sa.select(*columns, sa.func.count())
        .where(*conditions, SearchLog.normalised_query.in_(queries))
        # Not led by the query: PostgreSQL would then sort each query's rows (the index gives them in query
        # order) instead of hashing them, three times slower on a million searches.
        .group_by(*reversed(columns))
    ).all()
    return _QueryDetails(rows)


def _articles(slugs: set[str]) -> dict[str, ArticleRef]:
    """Titles in English (every article has an English version), else the slug."""
    if not slugs:
        return {}
    rows = db.session.execute(
        sa.select(Article.slug, ArticleTranslation.title)
        .outerjoin(
            ArticleTranslation,
            sa.and_(ArticleTranslation.article_id == Article.id, ArticleTranslation.lang == DEFAULT_LANGUAGE),
        )
        .where(Article.slug.in_(slugs))
    ).all()
    found = {slug: ArticleRef(slug, title or slug, exists=True) for slug, title in rows}
    return {slug: found.get(slug, ArticleRef(slug, slug, exists=False)) for slug in slugs}
