"""GET /api/search: the JSON other council systems (the kiosk, the app) search the help pages with."""

from __future__ import annotations

import pytest

from knowledge_base.models import SearchLog

from .helpers import rows


def search(client, **params):
    return client.get("/api/search", query_string=params)


def test_response_has_the_documented_shape(client, sample_content):
    response = search(client, q="wheely bin", lang="en", limit=3)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"query", "lang", "confident", "results"}
    assert (body["query"], body["lang"], body["confident"]) == ("wheely bin", "en", True)
    best = body["results"][0]
    assert set(best) == {"slug", "title", "url", "score", "lang", "service_group"}
    assert best["slug"] == "replacement-wheelie-bin"
    assert best["url"] == "/articles/replacement-wheelie-bin?lang=en"
    assert (best["lang"], best["service_group"]) == ("en", "environment")
    assert isinstance(best["title"], str) and best["title"]
    assert 0 < best["score"] <= 1
    scores = [result["score"] for result in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_result_urls_open_the_article(client, sample_content):
    best = search(client, q="bulky colection").get_json()["results"][0]

    response = client.get(best["url"])
    assert response.status_code == 200
    assert best["title"] in response.get_data(as_text=True)


@pytest.mark.parametrize("limit", [1, 5])
def test_limit_is_honoured(client, sample_content, limit):
    assert len(search(client, q="bins", limit=limit).get_json()["results"]) == limit


def test_limit_defaults_to_ten(client, sample_content):
    assert len(search(client, q="bins").get_json()["results"]) == 10


@pytest.mark.parametrize("limit", ["0", "51", "abc", "-1", "2.5"])
def test_bad_limit_is_a_json_error_naming_the_field(client, limit):
    response = search(client, q="bins", limit=limit)

    assert response.status_code == 400
    assert response.mimetype == "application/json"
    errors = response.get_json()["errors"]
    assert list(errors) == ["limit"]
    assert errors["limit"]
    assert rows(SearchLog) == []


@pytest.mark.parametrize("lang", ["english", "EN", "e", "<script>"])
def test_malformed_lang_is_a_json_error_naming_the_field(client, lang):
    response = search(client, q="bins", lang=lang)

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["lang"]


@pytest.mark.parametrize("query", ["", "   ", "\x00\x1b", "b" * 501])
def test_missing_or_overlong_query_is_a_json_error_naming_the_field(client, query):
    response = search(client, q=query)

    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["q"]
    assert rows(SearchLog) == []


def test_missing_query_parameter_is_a_json_error(client):
    response = client.get("/api/search")

    assert response.status_code == 400
    assert response.get_json() == {"errors": {"q": "Enter a search query"}}


@pytest.mark.parametrize("lang", ["xx", ""])
def test_unknown_lang_falls_back_to_english(client, sample_content, lang):
    body = search(client, q="wheely bin", lang=lang).get_json()

    assert body["lang"] == "en"
    assert body["results"][0]["slug"] == "replacement-wheelie-bin"
    assert {result["lang"] for result in body["results"]} == {"en"}


def test_welsh_article_is_given_in_welsh_and_english_only_article_in_english(client, create_article):
    create_article(
        slug="missed-bin",
        title="Report a missed bin",
        body="Tell us if your bin was not emptied.",
        keywords=("missed bin",),
        translations={
            "cy": {
                "title": "Rhoi gwybod am fin a fethwyd",
                "body": "Rhowch wybod i ni os na chafodd eich bin ei wagio.",
                "keywords": ["bin", "methu"],
            }
        },
    )
    create_article(slug="bin-day", title="Find your bin day", body="Check your bin collection day.")

    body = search(client, q="bin", lang="cy").get_json()

    assert body["lang"] == "cy"
    by_slug = {result["slug"]: result for result in body["results"]}
    assert set(by_slug) == {"missed-bin", "bin-day"}
    assert by_slug["missed-bin"]["lang"] == "cy"
    assert by_slug["missed-bin"]["title"] == "Rhoi gwybod am fin a fethwyd"
    assert by_slug["missed-bin"]["url"] == "/articles/missed-bin?lang=cy"
    assert by_slug["bin-day"]["lang"] == "en"
    assert by_slug["bin-day"]["title"] == "Find your bin day"


def test_draft_articles_are_never_returned(client, create_article):
    create_article(slug="draft-bins", title="Bins (draft)", status="draft", keywords=("bins",))

    assert search(client, q="bins").get_json()["results"] == []


def test_api_search_is_logged_with_source_api(client, sample_content):
    search(client, q="counsil tax", lang="en")

    [entry] = rows(SearchLog)
    assert (entry.query, entry.lang, entry.channel, entry.source) == ("counsil tax", "en", "web", "api")
    assert entry.top_slug == "council-tax-bands"
    assert entry.confident is True


def test_query_without_a_confident_answer_says_so(client, sample_content):
    body = search(client, q="xyzzy plugh").get_json()

    assert body["confident"] is False
    assert body["query"] == "xyzzy plugh"


def test_unknown_api_address_answers_in_json(client):
    response = client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.get_json() == {"error": "Page not found"}


def test_api_does_not_accept_posts(client):
    response = client.post("/api/search", data={"q": "bins"})

    assert response.status_code == 405
    assert response.mimetype == "application/json"
