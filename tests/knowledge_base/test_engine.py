"""The engine on the council's real sample content, and on small hand-made corpora."""

import pytest

from knowledge_base.markdown import plain_text
from knowledge_base.search.engine import Document, EngineConfig, SearchEngine
from knowledge_base.search.synonyms import SynonymTable


@pytest.fixture(scope="module")
def engine(content_records):
    documents = [
        Document(r.slug, r.lang, r.title, tuple(r.questions), tuple(r.keywords), plain_text(r.body))
        for r in content_records
        if r.status == "published"
    ]
    return SearchEngine(documents)


def top(engine, query, lang="en"):
    response = engine.search(query, lang)
    return response.hits[0].key if response.hits else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("counsil tax bands", "council-tax-bands"),
        ("wheely bin not emptied", "missed-bin-collection"),
        ("bulky colection", "bulky-waste-collection"),
        ("rats in my gardn", "rats-and-mice"),
        ("lost my bus pas", "bus-pass-lost"),
    ],
)
def test_misspelt_queries_find_the_right_article(engine, query, expected):
    response = engine.search(query, "en")
    assert response.hits[0].key == expected
    assert response.confident


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ctax discount living alone", "council-tax-discounts"),
        ("pensioner pass", "bus-pass-apply"),
        ("someone dumped a mattress in the lane", "fly-tipping"),
        ("pcn appeal", "challenge-parking-fine"),
        ("pothole on my road", "potholes-roads-pavements"),
    ],
)
def test_residents_words_and_synonyms_find_the_right_article(engine, query, expected):
    assert expected in [hit.key for hit in engine.search(query, "en").hits[:3]]


@pytest.mark.parametrize(
    "query",
    ["what is the capital of france", "asdfghjkl qwerty", "best pizza recipe with pineapple", "zzzz", "!!!"],
)
def test_out_of_scope_and_nonsense_queries_are_not_confident(engine, query):
    assert not engine.search(query, "en").confident


@pytest.mark.parametrize("query", ["", "   ", "the and of", "\x00\x1b", "x" * 10_000])
def test_empty_stop_word_and_huge_queries_return_a_response(engine, query):
    response = engine.search(query, "en")
    assert not response.confident
    assert len(response.query) <= 500


def test_scores_are_between_zero_and_one_and_sorted(engine):
    hits = engine.search("how do i pay my council tax by direct debit", "en").hits
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)


def test_limit_is_honoured(engine):
    assert len(engine.search("bin", "en", limit=3).hits) == 3


def test_title_match_outranks_body_mention():
    engine = SearchEngine(
        [
            Document("parking", "en", "Parking permits", body="Apply online for a permit."),
            Document("other", "en", "Road safety", body="Parking near schools is dangerous. Parking."),
        ]
    )
    assert [hit.key for hit in engine.search("parking permits", "en").hits] == ["parking", "other"]


def test_alternative_question_matches_the_article():
    engine = SearchEngine(
        [
            Document("missed", "en", "Report a missed collection", questions=("my rubbish was not taken",)),
            Document("days", "en", "Collection days", questions=("when is collection day",)),
        ]
    )
    response = engine.search("rubbish not taken", "en")
    assert response.best.key == "missed"
    assert response.confident


def test_run_together_words_are_split():
    engine = SearchEngine([Document("bins", "en", "Wheelie bin sizes"), Document("tax", "en", "Council tax")])
    assert engine.search("wheeliebin", "en").best.key == "bins"


def test_synonym_table_adds_equivalents_at_lower_weight():
    synonyms = {"en": SynonymTable([["ctax", "council tax"]])}
    documents = [Document("ctax", "en", "Council tax bands"), Document("bins", "en", "Bin day")]
    engine = SearchEngine(documents, synonyms=synonyms)
    hit = engine.search("ctax", "en").best
    assert hit.key == "ctax"
    exact = engine.search("council tax", "en").best
    assert hit.score < exact.score


def test_resident_language_first_then_english_fallback():
    documents = [
        Document("bins", "en", "Bin collection day", questions=("when is my bin day",)),
        Document("bins", "cy", "Diwrnod casglu biniau", questions=("pryd mae diwrnod biniau",)),
        Document("tax", "en", "Council tax bin charges"),
    ]
    engine = SearchEngine(documents)
    welsh = engine.search("diwrnod biniau", "cy")
    assert (welsh.best.key, welsh.best.lang) == ("bins", "cy")
    english_only = engine.search("council tax", "cy")
    assert (english_only.best.key, english_only.best.lang) == ("tax", "en")
    assert english_only.lang == "cy"


def test_an_english_query_on_a_welsh_page_ranks_by_its_english_match_but_offers_the_welsh():
    documents = [
        Document("wheelie", "en", "Replace a broken wheelie bin", questions=("my wheelie bin is broken",)),
        Document("wheelie", "cy", "Cael bin olwynion newydd", keywords=("bin",)),
        Document("assisted", "en", "Help putting your bin out", questions=("help with my bin",)),
    ]
    engine = SearchEngine(documents)
    english = engine.search("broken wheelie bin", "en").best
    on_welsh_page = engine.search("broken wheelie bin", "cy")
    assert (on_welsh_page.best.key, on_welsh_page.best.lang) == ("wheelie", "cy")
    assert on_welsh_page.best.score == english.score


def test_unknown_language_falls_back_to_english():
    engine = SearchEngine([Document("bins", "en", "Bin collection day")])
    response = engine.search("bin day", "xx")
    assert response.lang == "en"
    assert response.best.key == "bins"


def test_confidence_threshold_comes_from_config():
    documents = [Document("bins", "en", "Bin collection day")]
    strict = SearchEngine(documents, EngineConfig(confidence_threshold=0.99)).search("bin", "en")
    lenient = SearchEngine(documents, EngineConfig(confidence_threshold=0.01)).search("bin", "en")
    assert strict.best.key == lenient.best.key == "bins"
    assert not strict.confident
    assert lenient.confident


def test_german_is_stemmed_so_inflections_meet():
    engine = SearchEngine(
        [Document("masken", "de", "Muss ich eine Maske tragen?"), Document("x", "de", "Schulen")]
    )
    assert engine.search("Masken tragen", "de").best.key == "masken"
