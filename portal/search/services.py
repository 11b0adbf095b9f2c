"""The portal's one way into the knowledge base's search: search, log, and shape results for pages and
the API."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from knowledge_base.search.engine import SearchResponse
from knowledge_base.search_service import log_search
from portal.extensions import kb_search


@dataclass(frozen=True)
class Result:
    slug: str
    title: str
    url: str
    score: float
    lang: str
    service_group: str | None
    summary: str
    related_form: str | None


def search_knowledge_base(
    query: str, lang: str, *, channel: str, source: str, limit: int = 10, detect: bool = True
):
    """Searches in the resident's language, or in the language the query is clearly typed in (`detect`);
    the log keeps the language searched."""
    response = kb_search.service(current_app).search(query, lang, limit, detect=detect)
    log_search(response, channel=channel, source=source)
    return response, results_of(response)


def results_of(response: SearchResponse) -> list[Result]:
    return [
        Result(
            slug=hit.key,
            title=hit.document.title,
            url=url_for("articles.show_article", slug=hit.key, lang=hit.lang),
            score=hit.score,
            lang=hit.lang,
            service_group=hit.document.payload.get("service_group"),
            summary=hit.document.payload.get("summary", ""),
            related_form=hit.document.payload.get("related_form"),
        )
        for hit in response.hits
    ]


def api_payload(response: SearchResponse, results: list[Result]) -> dict:
    return {
        "query": response.query,
        "lang": response.lang,
        "confident": response.confident,
        "results": [
            {
                "slug": r.slug,
                "title": r.title,
                "url": r.url,
                "score": r.score,
                "lang": r.lang,
                "service_group": r.service_group,
            }
            for r in results
        ],
    }
