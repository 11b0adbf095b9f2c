"""The language a search query is typed in: real phrases in each of our languages are recognised; short or
mixed queries are not guessed (None), except that Arabic script always means Urdu or Arabic."""

from __future__ import annotations

import pytest

from knowledge_base.search.language import detect_query_language
from knowledge_base.search_service import KnowledgeBaseSearch

ALL = ("en", "cy", "pl", "ro", "ur", "ar")


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("kiedy odbiór śmieci", "pl"),
        ("jak zapłacić podatek od nieruchomości", "pl"),
        ("când se colectează gunoiul", "ro"),
        ("cum plătesc impozitul local", "ro"),
        ("pryd mae'r biniau'n cael eu casglu", "cy"),
        ("sut mae talu treth y cyngor", "cy"),
        ("کوڑا کب اٹھایا جائے گا", "ur"),
        ("متى يتم جمع القمامة", "ar"),
        ("when is my bin collected", "en"),
        ("how do I pay council tax", "en"),
    ],
)
def test_real_phrases_are_recognised(query, lang):
    assert detect_query_language(query, ALL) == lang


@pytest.mark.parametrize("query", ["bins", "council tax", "podatek", "12345", "", "ok ok ok ok ok", "?!"])
def test_short_or_unclear_latin_queries_are_not_guessed(query):
    assert detect_query_language(query, ALL) is None


def test_arabic_script_decides_even_a_one_word_query():
    assert detect_query_language("قمامة", ALL) == "ar"
    assert detect_query_language("کوڑا", ALL) == "ur"


def test_a_language_that_is_not_a_candidate_is_not_replaced_by_the_nearest_one():
    assert detect_query_language("kiedy odbiór śmieci", ("en", "cy")) is None
    assert detect_query_language("متى يتم جمع القمامة", ("en", "ur")) is None


def test_mixed_scripts_are_not_guessed():
    assert detect_query_language("council tax ضريبة المجلس", ALL) is None


def test_the_search_service_searches_in_the_detected_language_only_when_asked(create_article):
    create_article(
        slug="bins",
        title="Bin collection day",
        body="When bins are collected.",
        translations={
            "pl": {"title": "Dzień odbioru śmieci", "body": "Kiedy jest odbiór śmieci w tygodniu."}
        },
    )
    service = KnowledgeBaseSearch()

    detected = service.search("kiedy jest odbiór śmieci", "en", detect=True)
    kept = service.search("kiedy jest odbiór śmieci", "en")

    assert detected.lang == "pl"
    assert [(hit.key, hit.lang) for hit in detected.hits] == [("bins", "pl")]
    assert kept.lang == "en"


def test_a_language_without_content_is_not_searched(create_article):
    create_article(slug="bins", title="Bin collection day", body="Bins.")

    assert KnowledgeBaseSearch().search("kiedy jest odbiór śmieci", "en", detect=True).lang == "en"
