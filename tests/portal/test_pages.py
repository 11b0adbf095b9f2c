"""Every page residents reach is well-formed: one h1, a title that starts with it, unique ids, a language."""

from __future__ import annotations

import json

import pytest

from portal.main.views import POPULAR_TASKS

from .helpers import assert_well_formed, page, text

PAGES = [
    ("/", 200, "Find answers"),
    ("/search?q=counsil+tax", 200, "Search results"),
    ("/search?q=xyzzy+plugh", 200, "Search results"),
    ("/articles/pay-council-tax", 200, "Ways to pay your council tax"),
    ("/ask", 200, "Ask a question"),
    ("/contact", 200, "Contact us"),
    ("/no-such-page", 404, "Page not found"),
    ("/articles/no-such-article", 404, "Page not found"),
]


@pytest.mark.parametrize(("url", "status", "heading"), PAGES)
def test_page_is_well_formed(client, sample_content, url, status, heading):
    assert assert_well_formed(client.get(url), status).startswith(heading)


def test_form_expired_page_is_well_formed(csrf_client, sample_content):
    response = csrf_client.post("/ask", data={"question": "bins"})

    assert assert_well_formed(response, 400) == "Sorry, your form has expired"


def test_article_page_has_one_back_link_to_search(client, sample_content):
    soup = page(client.get("/articles/pay-council-tax"))

    links = soup.select(".govuk-back-link")
    assert len(links) == 1
    assert links[0]["href"] == "/"


def test_not_found_page_gives_ways_to_contact_the_council(client):
    response = client.get("/no-such-page")

    assert "01632 960 000" in text(page(response).main)
    assert page(response).find("a", href="tel:01632960000")


def test_search_results_as_htmx_fragment_are_only_the_results_block(client, sample_content):
    response = client.get("/search?q=wheely+bin", headers={"HX-Request": "true"})

    assert response.status_code == 200
    soup = page(response)
    assert soup.find("html") is None
    assert soup.find("header") is None
    assert soup.find("h1") is None
    assert soup.find("form") is None
    top = soup.find_all(recursive=False)
    assert [element.get("id") for element in top] == ["search-status", "search-results"]
    assert top[0]["hx-swap-oob"] == "innerHTML"
    assert soup.select("#search-results ol a")


def test_search_results_without_htmx_header_are_the_full_page(client, sample_content):
    soup = page(client.get("/search?q=wheely+bin"))

    assert soup.find("html") is not None
    assert soup.find("header") is not None
    assert soup.find(id="search-results").select("ol a")
    assert soup.find("form", role="search")


def test_htmx_history_restore_gets_the_full_page(client, sample_content):
    response = client.get(
        "/search?q=wheely+bin", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert page(response).find("html") is not None


def test_html_responses_vary_on_the_htmx_header(client, sample_content):
    assert "HX-Request" in client.get("/search?q=bins").vary
    assert "HX-Request" in client.get("/search?q=bins", headers={"HX-Request": "true"}).vary


def test_htmx_swaps_unprocessable_responses_so_form_errors_show(client):
    """Forms answer htmx with 422 and their errors; htmx 2 swaps only 2xx unless configured."""
    meta = page(client.get("/ask")).find("meta", attrs={"name": "htmx-config"})

    rules = json.loads(meta["content"])["responseHandling"]
    first_match = next(rule for rule in rules if rule["code"] in ("422", "[45]..", "..."))
    assert first_match == {"code": "422", "swap": True}


def test_home_page_lists_every_popular_task(client, sample_content):
    soup = page(client.get("/"))

    links = [link["href"] for link in soup.select("main ul a[href^='/articles/']")]
    assert links == [f"/articles/{slug}" for slug in POPULAR_TASKS]
    for href in links:
        assert client.get(href).status_code == 200


def test_home_page_without_content_has_no_empty_popular_tasks(client):
    soup = page(client.get("/"))

    assert "Popular tasks" not in text(soup.main)
    assert soup.select("main ul.govuk-list") == []


def test_language_choice_sets_the_page_language(client, sample_content):
    response = client.get("/language/cy?next=/contact")

    assert response.status_code == 302
    assert response.location == "/contact"
    assert page(client.get("/contact")).html["lang"] == "cy"


def test_right_to_left_language_sets_the_direction(client):
    client.get("/language/ar")

    soup = page(client.get("/contact"))
    assert soup.html["lang"] == "ar"
    assert soup.main["dir"] == "rtl"


def test_unknown_language_is_ignored(client):
    client.get("/language/xx")

    assert page(client.get("/contact")).html["lang"] == "en"


def test_browser_language_is_used_until_the_resident_chooses(client):
    soup = page(client.get("/contact", headers={"Accept-Language": "pl,en;q=0.5"}))

    assert soup.html["lang"] == "pl"
