"""The knowledge base's search, as the application uses it: an engine over published content that is
rebuilt when the content changes, and the search log. No Flask request machinery."""

from __future__ import annotations

import threading

from portal.db import db

from .markdown import plain_text, summary
from .models import SearchLog
from .operations import content_fingerprint, published_translations
from .search.engine import Document, EngineConfig, SearchEngine, SearchResponse
from .search.language import detect_query_language


def documents_from_database() -> list[Document]:
    return [
        Document(
            key=article.slug,
            lang=translation.lang,
            title=translation.title,
            questions=tuple(translation.questions or ()),
            keywords=tuple(translation.keywords or ()),
            body=plain_text(translation.body),
            payload={
                "service_group": article.service_group,
                "summary": summary(translation.body),
                "related_form": article.related_form,
            },
        )
        for article, translation in published_translations()
    ]


class KnowledgeBaseSearch:
    """One per application process; the index lives in memory and follows the database."""

    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self._engine: SearchEngine | None = None
        self._fingerprint: tuple | None = None
        self._lock = threading.Lock()

    def engine(self) -> SearchEngine:
        fingerprint = content_fingerprint()
        if self._engine is None or fingerprint != self._fingerprint:
            with self._lock:
                if self._engine is None or fingerprint != self._fingerprint:
                    self._engine = SearchEngine(documents_from_database(), self.config)
                    self._fingerprint = fingerprint
        return self._engine

    def search(self, query: str, lang: str, limit: int = 10, detect: bool = False) -> SearchResponse:
        """Searches in `lang` (then English). With `detect`, a query clearly typed in another of our
        languages that has content is searched in that language instead; the response's `lang` says
        which language was searched."""
        engine = self.engine()
        if detect:
            lang = detect_query_language(query, engine.indexes.keys()) or lang
        return engine.search(query, lang, limit)


def log_search(response: SearchResponse, channel: str, source: str) -> SearchLog:
    """Every search residents make is kept: what they asked, in which language, and what they got."""
    best = response.best
    entry = SearchLog(
        query=response.query,
        lang=response.lang,
        channel=channel,
        source=source,
        top_slug=best.key if best else None,
        top_score=best.score if best else None,
        confident=response.confident,
        result_count=len(response.hits),
    )
    db.session.add(entry)
    db.session.commit()
    return entry
