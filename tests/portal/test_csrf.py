"""Forged requests: CSRF tokens on every form that changes something, and no redirects off the site."""

from __future__ import annotations

from collections import Counter

import pytest

from crm_bridge.models import Contact
from knowledge_base.models import AnswerFeedback
from portal.chat.models import ChatMessage

from .helpers import page, rows, text


@pytest.fixture
def article(create_article):
    return create_article(slug="bins", title="Bins", keywords=("bins",))


def token_in(response, form_selector: str) -> str:
    return page(response).select_one(f"{form_selector} input[name=csrf_token]")["value"]


def assert_form_expired(response) -> None:
    assert response.status_code == 400
    soup = page(response)
    assert text(soup.h1) == "Sorry, your form has expired"
    assert "refresh the page and try again" in text(soup.main)
    assert soup.main.find("a", href="tel:01632960000")


def test_feedback_without_a_token_gets_the_form_expired_page(csrf_client, article):
    assert_form_expired(csrf_client.post("/articles/bins/feedback", data={"helpful": "yes"}))

    assert rows(AnswerFeedback) == []
    assert rows(Contact) == []


def test_feedback_with_a_wrong_token_gets_the_form_expired_page(csrf_client, article):
    response = csrf_client.post("/articles/bins/feedback", data={"helpful": "yes", "csrf_token": "forged"})

    assert_form_expired(response)
    assert rows(AnswerFeedback) == []


def test_feedback_with_the_token_from_the_page_is_accepted(csrf_client, article):
    token = token_in(csrf_client.get("/articles/bins"), "#feedback form")

    response = csrf_client.post("/articles/bins/feedback", data={"helpful": "yes", "csrf_token": token})

    assert response.status_code == 302
    assert len(rows(AnswerFeedback)) == 1
    assert len(rows(Contact)) == 1


def test_htmx_feedback_with_the_token_from_the_meta_tag_is_accepted(csrf_client, article):
    meta = page(csrf_client.get("/articles/bins")).find("meta", attrs={"name": "csrf-token"})

    response = csrf_client.post(
        "/articles/bins/feedback",
        data={"helpful": "no"},
        headers={"HX-Request": "true", "X-CSRFToken": meta["content"]},
    )

    assert response.status_code == 200
    assert "Thank you for your feedback." in text(page(response))


def test_token_from_another_visit_is_refused(csrf_app, csrf_client, article):
    other_visit = csrf_app.test_client()
    token = token_in(other_visit.get("/articles/bins"), "#feedback form")

    response = csrf_client.post("/articles/bins/feedback", data={"helpful": "yes", "csrf_token": token})

    assert_form_expired(response)


def test_question_without_a_token_gets_the_form_expired_page(csrf_client, sample_content):
    assert_form_expired(csrf_client.post("/ask", data={"question": "wheely bin"}))

    assert rows(ChatMessage) == []


def test_reply_without_a_token_gets_the_form_expired_page(csrf_client, sample_content):
    token = token_in(csrf_client.get("/ask"), "form[action='/ask']")
    csrf_client.post("/ask", data={"question": "bulky colection", "csrf_token": token})
    yes = page(csrf_client.get("/ask")).select_one("#latest form")
    fields = {
        field["name"]: field["value"] for field in yes.find_all("input") if field["name"] != "csrf_token"
    }

    assert_form_expired(csrf_client.post("/ask/reply", data=fields))
    assert rows(Contact) == []


def test_chat_with_tokens_from_the_page_works(csrf_client, sample_content):
    token = token_in(csrf_client.get("/ask"), "form[action='/ask']")

    response = csrf_client.post("/ask", data={"question": "bulky colection", "csrf_token": token})

    assert response.status_code == 302
    conversation = csrf_client.get("/ask")
    yes = page(conversation).select_one("#latest form")
    assert text(yes.button) == "Yes"
    response = csrf_client.post("/ask/reply", data={f["name"]: f["value"] for f in yes.find_all("input")})
    assert response.status_code == 302
    [contact] = rows(Contact)
    assert contact.channel == "chat"


def test_chat_page_with_reply_buttons_has_unique_ids(csrf_client, sample_content):
    token = token_in(csrf_client.get("/ask"), "form[action='/ask']")
    csrf_client.post("/ask", data={"question": "bulky colection", "csrf_token": token})

    soup = page(csrf_client.get("/ask"))

    assert len(soup.select("#latest form")) == 2
    ids = Counter(element["id"] for element in soup.find_all(id=True))
    assert [name for name, times in ids.items() if times > 1] == []


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/contact",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/contact\r\nSet-Cookie: session=stolen",
    ],
)
def test_language_switch_refuses_to_send_residents_off_site(client, next_url):
    response = client.get("/language/cy", query_string={"next": next_url})

    assert response.status_code == 302
    assert response.location == "/"
    assert "Set-Cookie: session=stolen" not in str(response.headers)
    assert page(client.get("/contact")).html["lang"] == "cy"


@pytest.mark.parametrize("next_url", ["/contact", "/search?q=bins", "/articles/bins?lang=cy#feedback"])
def test_language_switch_returns_to_a_page_on_this_site(client, next_url):
    response = client.get("/language/cy", query_string={"next": next_url})

    assert response.status_code == 302
    assert response.location == next_url


def test_language_switch_without_next_goes_home(client):
    assert client.get("/language/pl").location == "/"


def test_htmx_post_without_a_token_reloads_the_page(csrf_client):
    response = csrf_client.post("/ask", data={"question": "bin day"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Refresh"] == "true"
