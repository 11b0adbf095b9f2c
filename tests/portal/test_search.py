"""Searching the help pages: residents' spelling, answers we cannot give, and the search log."""

from __future__ import annotations

import pytest

from knowledge_base.models import SearchLog
from knowledge_base.operations import get_published_article

from .helpers import page, rows, text


def result_slugs(response) -> list[str]:
    links = page(response).select("#search-results ol a")
    return [link["href"].split("?")[0].removeprefix("/articles/") for link in links]


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("wheely bin", "replacement-wheelie-bin"),
        ("bulky colection", "bulky-waste-collection"),
        ("my wheely bin is broken", "replacement-wheelie-bin"),
        ("mised bin colection", "missed-bin-collection"),
        ("counsil tax band", "council-tax-bands"),
    ],
)
def test_misspelt_query_finds_the_right_article_first(client, sample_content, query, slug):
    response = client.get("/search", query_string={"q": query})

    assert response.status_code == 200
    assert result_slugs(response)[0] == slug
    assert "could not find a clear answer" not in text(page(response).main)


@pytest.mark.parametrize(
    ("misspelt", "correct", "service_group"),
    [
        ("counsil tax", "council tax", "council-tax"),
        ("wheely bin", "wheelie bin", "environment"),
        ("bulky colection", "bulky collection", "environment"),
    ],
)
def test_misspelt_query_finds_what_the_correct_spelling_finds(
    client, sample_content, misspelt, correct, service_group
):
    misspelt_first = result_slugs(client.get("/search", query_string={"q": misspelt}))[0]
    correct_first = result_slugs(client.get("/search", query_string={"q": correct}))[0]

    assert misspelt_first == correct_first
    assert get_published_article(misspelt_first).service_group == service_group


def test_result_links_open_the_article(client, sample_content):
    soup = page(client.get("/search", query_string={"q": "bulky colection"}))
    link = soup.select_one("#search-results ol a")

    article = page(client.get(link["href"]))
    assert text(article.h1) == text(link)


@pytest.mark.parametrize("query", ["xyzzy plugh", "how do i book a flight to mars"])
def test_query_without_a_confident_answer_gives_ways_to_contact_us(client, sample_content, query):
    main = page(client.get("/search", query_string={"q": query})).main

    assert f"We could not find a clear answer to ‘{query}’" in text(main)
    assert main.find("a", href="tel:01632960000")
    assert main.find("a", href="mailto:customer.services@northdale.example")


def test_results_page_title_names_the_query(client, sample_content):
    soup = page(client.get("/search", query_string={"q": "wheely bin"}))

    assert text(soup.title).startswith("Search results for ‘wheely bin’")
    assert soup.find(id="q")["value"] == "wheely bin"


def test_results_page_search_is_logged(client, sample_content):
    client.get("/search", query_string={"q": "wheely bin"})

    [entry] = rows(SearchLog)
    assert (entry.query, entry.lang, entry.channel, entry.source) == ("wheely bin", "en", "web", "results")
    assert entry.top_slug == "replacement-wheelie-bin"
    assert entry.confident is True
    assert entry.result_count > 0


def test_search_as_you_type_is_logged_as_typeahead(client, sample_content):
    client.get("/search", query_string={"q": "bulky colection"}, headers={"HX-Request": "true"})

    [entry] = rows(SearchLog)
    assert (entry.query, entry.channel, entry.source) == ("bulky colection", "web", "typeahead")
    assert entry.top_slug == "bulky-waste-collection"
    assert entry.confident is True


def test_unanswered_search_is_logged_as_not_confident(client, sample_content):
    client.get("/search", query_string={"q": "xyzzy plugh"})

    [entry] = rows(SearchLog)
    assert entry.query == "xyzzy plugh"
    assert entry.confident is False


def test_search_is_logged_in_the_residents_language(client, sample_content):
    client.get("/language/cy")
    client.get("/search", query_string={"q": "wheely bin"})
    client.get("/search", query_string={"q": "bed bugs"})

    translated, untranslated = rows(SearchLog)
    # Searched in Welsh, then English: the article in Welsh where there is one, else the English page.
    assert (translated.lang, translated.top_slug) == ("cy", "replacement-wheelie-bin")
    assert (untranslated.lang, untranslated.top_slug) == ("cy", "bedbugs-and-fleas")


def test_each_search_writes_its_own_log_row(client, sample_content):
    client.get("/search", query_string={"q": "wheely bin"})
    client.get("/search", query_string={"q": "counsil tax"})

    assert [entry.query for entry in rows(SearchLog)] == ["wheely bin", "counsil tax"]


def test_spaces_around_the_query_are_dropped(client, sample_content):
    client.get("/search", query_string={"q": "   wheely bin  "})

    assert [entry.query for entry in rows(SearchLog)] == ["wheely bin"]


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_search_shows_the_search_page_and_logs_nothing(client, sample_content, query):
    response = client.get("/search", query_string={"q": query})

    assert response.status_code == 200
    assert text(page(response).h1) == "Find answers"
    assert rows(SearchLog) == []


def test_overlong_query_says_how_long_it_may_be(client, sample_content):
    response = client.get("/search", query_string={"q": "bins " * 200})

    assert response.status_code == 200
    soup = page(response)
    assert "Enter 500 characters or fewer" in text(soup.select_one(".govuk-error-summary"))
    assert soup.select_one(".govuk-error-summary a")["href"] == "#q"
    assert "Enter 500 characters or fewer" in text(soup.find(id="q-error"))
    assert rows(SearchLog) == []


def test_typeahead_updates_the_live_region_out_of_band(client, sample_content):
    response = client.get("/search?q=wheelie+bin", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'id="search-status" hx-swap-oob="innerHTML"' in html
    assert "results" in html.split('hx-swap-oob="innerHTML">', 1)[1].split("</p>", 1)[0]


def test_full_results_page_has_one_live_region(client, sample_content):
    html = client.get("/search?q=wheelie+bin").get_data(as_text=True)
    assert html.count('id="search-status"') == 1
    assert "hx-swap-oob" not in html
