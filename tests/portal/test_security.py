"""Hostile or broken input through search, the JSON API, chat and article feedback: never a 500, never
reflected unescaped, stored as typed (less control characters), always a way on. The payloads are the shared
list in tests/payloads.py; each test sends every one of them and reports every payload that failed at once."""

from __future__ import annotations

import json
from urllib.parse import quote

import sqlalchemy as sa

from knowledge_base.models import AnswerFeedback, Article, SearchLog
from portal.chat.models import ChatMessage
from portal.db import db
from tests.payloads import BY_NAME, for_database, form_kept, response_problems

from .helpers import count, page, rows, text

HTMX = {"HX-Request": "true"}
EMPTY = BY_NAME["empty"]


def as_searched(text: str) -> str:
    """Searches are read as the engine reads them: runs of white space, line breaks too, made one space."""
    return " ".join(form_kept(text).split())


def bins(create_article) -> Article:
    return create_article(slug="bins", title="Bins", keywords=("bins",))


def assert_database_intact(articles: int) -> None:
    inspector = sa.inspect(db.engine)
    for table in (
        "kb_article",
        "kb_search_log",
        "kb_answer_feedback",
        "chat_message",
        "crm_contact",
        "crm_case",
    ):
        assert inspector.has_table(table)
    assert count(Article) == articles


def test_search_page_survives_bad_input(app, client, create_article):
    payloads = for_database(app)
    bins(create_article)
    failures = {}
    for payload in [*for_database(app), EMPTY]:
        kept = form_kept(payload.text)
        response = client.get("/search", query_string={"q": payload.text})
        problems = response_problems(response, payload)
        soup = page(response)
        box = soup.find("form", role="search").find(id="q")
        if len(kept) > 500:
            problems += (
                [] if "Enter 500 characters or fewer" in text(soup.find(id="q-error")) else ["no error"]
            )
        elif box.get("value", "") != kept:
            problems.append(f"search box holds {box.get('value')!r}")
        fragment = client.get("/search", query_string={"q": payload.text}, headers=HTMX)
        problems += response_problems(fragment, payload)
        if fragment.status_code not in (200, 422) or not page(fragment).find(id="search-results"):
            problems.append(f"fragment {fragment.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    logged = {entry.query for entry in rows(SearchLog)}
    assert logged == {as_searched(p.text) for p in payloads if 0 < len(form_kept(p.text)) <= 500}
    assert_database_intact(1)


def test_api_survives_bad_input(app, client, create_article):
    bins(create_article)
    failures = {}
    for payload in [*for_database(app), EMPTY]:
        kept = form_kept(payload.text)
        problems = []
        bad = client.get("/api/search", query_string={"q": payload.text, "lang": payload.text, "limit": "x"})
        if bad.status_code != 400 or "limit" not in bad.get_json()["errors"]:
            problems.append(f"bad limit: {bad.status_code}")
        response = client.get("/api/search", query_string={"q": payload.text})
        raw = response.get_data(as_text=True)
        if any(ch in raw for ch in "<>&'") or response.status_code not in (200, 400):
            problems.append(f"unescaped JSON or status {response.status_code}")
        body = response.get_json()
        if 0 < len(kept) <= 500 and body.get("query") != as_searched(payload.text):
            problems.append(f"query echoed as {body.get('query')!r}")
        if not (0 < len(kept) <= 500) and list(body.get("errors", {})) != ["q"]:
            problems.append(f"answered {body}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    assert_database_intact(1)


def test_chat_survives_bad_input(app, create_article):
    bins(create_article)
    failures = {}
    for payload in [*for_database(app), EMPTY]:
        client = app.test_client()  # a conversation of its own: the page shows this payload's answer only
        kept = form_kept(payload.text)
        before = count(ChatMessage)
        response = client.post("/ask", data={"question": payload.text})
        conversation = client.get("/ask")
        problems = response_problems(response, payload) + response_problems(conversation, payload)
        accepted = 0 < len(kept) <= 500
        if response.status_code != (302 if accepted else 200):
            problems.append(f"status {response.status_code}")
        if accepted:
            question = rows(ChatMessage)[before]
            if (question.kind, question.text) != ("question", kept):
                problems.append(f"stored {question.text!r}")
            latest = page(conversation).find(id="latest")
            if "app-chat__message--assistant" not in latest["class"]:
                problems.append("no answer")
        elif not page(response).find(id="question-error") or count(ChatMessage) != before:
            problems.append("no error, or something stored")
        fragment = client.post("/ask", data={"question": payload.text}, headers=HTMX)
        problems += response_problems(fragment, payload)
        if fragment.status_code not in (200, 422) or not page(fragment).find(id="question"):
            problems.append(f"fragment {fragment.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    assert_database_intact(1)


def test_feedback_survives_bad_input(app, client, create_article):
    bins(create_article)
    failures = {}
    for payload in [*for_database(app), EMPTY]:
        kept = form_kept(payload.text)
        before = count(AnswerFeedback)
        response = client.post("/articles/bins/feedback", data={"helpful": "no", "comment": payload.text})
        problems = response_problems(response, payload) + response_problems(
            client.get("/articles/bins"), payload
        )
        if len(kept) > 1000:
            message = page(response).find(id="comment-error")
            if response.status_code != 200 or not message or "1000 characters or fewer" not in text(message):
                problems.append("no error for a long comment")
            if count(AnswerFeedback) != before:
                problems.append("a long comment was stored")
        elif response.status_code != 302 or rows(AnswerFeedback)[-1].comment != kept:
            problems.append(f"stored {rows(AnswerFeedback)[-1].comment!r}")
        fragment = client.post(
            "/articles/bins/feedback", data={"helpful": payload.text, "comment": payload.text}, headers=HTMX
        )
        problems += response_problems(fragment, payload)
        if fragment.status_code != 422 or not page(fragment).find(id="helpful-error"):
            problems.append(f"fragment {fragment.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    assert_database_intact(1)


def test_article_address_with_bad_input_is_not_found(app, client, create_article):
    payloads = for_database(app)
    bins(create_article)
    failures = {}
    for payload in payloads:
        response = client.get("/articles/" + quote(payload.text, safe=""))
        feedback = client.post(
            "/articles/" + quote(payload.text, safe="") + "/feedback", data={"helpful": "yes"}
        )
        problems = response_problems(response, payload) + response_problems(feedback, payload)
        if response.status_code != 404 or text(page(response).h1) != "Page not found":
            problems.append(f"article: {response.status_code}")
        if feedback.status_code not in (404, 405) or text(page(feedback).h1) != "Page not found":
            problems.append(f"feedback: {feedback.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    assert rows(AnswerFeedback) == []


def test_control_characters_never_reach_the_database(client, create_article):
    bins(create_article)
    client.post("/ask", data={"question": "\x1bbins\x00 \u202eday"})

    question = next(message for message in rows(ChatMessage) if message.kind == "question")
    assert question.text == "bins day"


def test_article_and_lang_parameters_are_escaped(app, client, create_article):
    payloads = for_database(app)
    bins(create_article)
    failures = {}
    for payload in payloads:
        response = client.get("/articles/bins", query_string={"lang": payload.text, "from": payload.text})
        problems = response_problems(response, payload)
        if response.status_code != 200:
            problems.append(f"status {response.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_api_json_escapes_markup_in_echoed_queries(client, create_article):
    bins(create_article)
    response = client.get("/api/search", query_string={"q": "<b>bins</b> & 'tips'"})

    raw = response.get_data(as_text=True)
    assert "<b>" not in raw and "&" not in raw and "'" not in raw
    assert response.get_json()["query"] == "<b>bins</b> & 'tips'"
    assert json.loads(raw)["query"] == "<b>bins</b> & 'tips'"
