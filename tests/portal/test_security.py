"""Hostile or broken input through every way in: never a 500, never reflected unescaped, always a way on."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from knowledge_base.models import AnswerFeedback, Article
from portal.chat.models import ChatMessage
from portal.db import db

from .helpers import count, page, rows, text

PAYLOADS = {
    "empty": "",
    "10,000 characters": "<i>x</i>" * 1250,
    "NUL": "bin\x00day",
    "escape": "\x1b[31mbins",
    "right-to-left override": "\u202ebins",
    "script": "<script>alert(1)</script>",
    "attribute breakout": '"><img src=x onerror=alert(1)>',
    "SQL": "' OR 1=1; DROP TABLE kb_article; --",
}
HTMX = {"HX-Request": "true"}

each_payload = pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())


@pytest.fixture
def article(create_article):
    return create_article(slug="bins", title="Bins", keywords=("bins",))


def assert_not_reflected(response, payload: str) -> None:
    assert response.status_code != 500
    if payload:
        assert payload not in response.get_data(as_text=True)


def assert_database_intact(articles: int) -> None:
    inspector = sa.inspect(db.engine)
    for table in ("kb_article", "kb_search_log", "kb_answer_feedback", "chat_message", "crm_contact"):
        assert inspector.has_table(table)
    assert count(Article) == articles


@each_payload
def test_search_page_survives_bad_input(client, article, payload):
    articles = count(Article)

    response = client.get("/search", query_string={"q": payload})

    assert response.status_code == 200
    assert_not_reflected(response, payload)
    soup = page(response)
    assert soup.find("form", role="search").find(id="q")
    if len(payload) > 500:
        assert "Enter 500 characters or fewer" in text(soup.find(id="q-error"))
    fragment = client.get("/search", query_string={"q": payload}, headers=HTMX)
    assert fragment.status_code in (200, 422)
    assert_not_reflected(fragment, payload)
    assert page(fragment).find(id="search-results")
    if len(payload) > 500:
        assert "Enter 500 characters or fewer" in text(page(fragment))
    assert_database_intact(articles)


@each_payload
def test_api_survives_bad_input(client, article, payload):
    articles = count(Article)

    response = client.get("/api/search", query_string={"q": payload, "lang": payload, "limit": payload})

    assert response.status_code == 400
    assert_not_reflected(response, payload)
    assert "limit" in response.get_json()["errors"] or payload == ""
    response = client.get("/api/search", query_string={"q": payload})
    assert response.status_code in (200, 400)
    assert_not_reflected(response, payload)
    body = response.get_json()
    assert "results" in body or list(body["errors"]) == ["q"]
    assert_database_intact(articles)


@each_payload
def test_chat_survives_bad_input(client, article, payload):
    articles = count(Article)

    response = client.post("/ask", data={"question": payload})

    assert response.status_code in (200, 302)
    assert_not_reflected(response, payload)
    conversation = client.get("/ask")
    assert_not_reflected(conversation, payload)
    soup = page(conversation if response.status_code == 302 else response)
    assert soup.find(id="question")
    if response.status_code == 200:
        assert soup.find(id="question-error")
    else:
        assert "app-chat__message--assistant" in soup.find(id="latest")["class"]
    fragment = client.post("/ask", data={"question": payload}, headers=HTMX)
    assert fragment.status_code in (200, 422)
    assert_not_reflected(fragment, payload)
    assert page(fragment).find(id="question")
    assert_database_intact(articles)


@each_payload
def test_feedback_survives_bad_input(client, article, payload):
    response = client.post("/articles/bins/feedback", data={"helpful": "no", "comment": payload})

    assert response.status_code in (200, 302)
    assert_not_reflected(response, payload)
    assert_not_reflected(client.get("/articles/bins"), payload)
    if response.status_code == 200:
        assert "Comment must be 1000 characters or fewer" in text(page(response).find(id="comment-error"))
    else:
        [given] = rows(AnswerFeedback)
        assert given.comment.isprintable()
    fragment = client.post(
        "/articles/bins/feedback", data={"helpful": payload, "comment": payload}, headers=HTMX
    )
    assert fragment.status_code == 422
    assert_not_reflected(fragment, payload)
    assert page(fragment).find(id="helpful-error")
    assert_database_intact(1)


@each_payload
def test_article_address_with_bad_input_is_not_found(client, article, payload):
    response = client.get("/articles/" + quote(payload, safe=""))

    assert response.status_code == 404
    assert_not_reflected(response, payload)
    assert text(page(response).h1) == "Page not found"
    response = client.post("/articles/" + quote(payload, safe="") + "/feedback", data={"helpful": "yes"})
    assert response.status_code in (404, 405)  # "/articles//feedback" is no address at all
    assert text(page(response).h1) == "Page not found"
    assert rows(AnswerFeedback) == []


def test_control_characters_never_reach_the_database(client, article):
    client.post("/ask", data={"question": "\x1bbins\x00 \u202eday"})

    question = next(message for message in rows(ChatMessage) if message.kind == "question")
    assert question.text == "bins day"


def test_article_and_lang_parameters_are_escaped(client, article):
    response = client.get("/articles/bins", query_string={"lang": '"><script>alert(1)</script>'})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_api_json_escapes_markup_in_echoed_queries(client, article):
    response = client.get("/api/search", query_string={"q": "<b>bins</b> & 'tips'"})

    raw = response.get_data(as_text=True)
    assert "<b>" not in raw and "&" not in raw and "'" not in raw
    assert response.get_json()["query"] == "<b>bins</b> & 'tips'"
