"""The chat assistant, with JavaScript (htmx fragments) and without (post, redirect, get)."""

from __future__ import annotations

import pytest

from crm_bridge.models import Contact
from knowledge_base.markdown import summary
from knowledge_base.models import SearchLog
from knowledge_base.operations import get_published_article
from portal.chat.models import ChatMessage, ChatSession

from .helpers import page, rows, text

CONFIDENT = "bulky colection"
NONSENSE = "xyzzy plugh"
HTMX = {"HX-Request": "true"}


def ask(client, question: str):
    """Asks without JavaScript, following the redirect to the conversation as a browser would."""
    response = client.post("/ask", data={"question": question})
    assert response.status_code == 302
    assert response.location == "/ask#latest"
    return client.get("/ask")


def reply_buttons(response) -> dict[str, dict]:
    """The reply forms in the latest message, keyed by their button's text."""
    latest = page(response).find(id="latest")
    return {
        text(form.button): {field["name"]: field["value"] for field in form.find_all("input")}
        for form in latest.find_all("form")
    }


def test_confident_question_gets_the_best_answer_and_asks_if_it_helped(client, sample_content):
    response = ask(client, CONFIDENT)

    latest = page(response).find(id="latest")
    assert "Did this answer your question?" in text(latest)
    assert latest.find("a", href="/articles/bulky-waste-collection?lang=en")
    best = get_published_article("bulky-waste-collection").translation("en")
    assert summary(best.body) in text(latest)
    assert text(latest.find("a")) == best.title
    assert set(reply_buttons(response)) == {"Yes", "No"}


def test_yes_records_one_resolved_chat_contact(client, sample_content):
    buttons = reply_buttons(ask(client, CONFIDENT))

    response = client.post("/ask/reply", data=buttons["Yes"])
    client.post("/ask/reply", data=buttons["Yes"])

    assert response.status_code == 302
    [contact] = rows(Contact)
    assert (contact.channel, contact.resolved_at_first_point) == ("chat", True)
    assert contact.article_slug == "bulky-waste-collection"
    latest = page(client.get("/ask")).find(id="latest")
    assert "glad that helped" in text(latest)
    assert latest.find("form", action="/ask/reply") is None  # only the satisfaction question is left


def next_best(client, question: str) -> list[str]:
    """The article links the chat should offer after a 'No': the search's second to fourth results."""
    results = client.get("/api/search", query_string={"q": question, "limit": 4}).get_json()["results"]
    return [result["url"] for result in results[1:]]


def test_no_shows_the_next_best_answers(client, sample_content):
    first = ask(client, CONFIDENT)

    client.post("/ask/reply", data=reply_buttons(first)["No"])

    latest = page(client.get("/ask")).find(id="latest")
    assert "Do any of these answer your question?" in text(latest)
    offered = [link["href"] for link in latest.find_all("a")]
    assert offered == next_best(client, CONFIDENT)
    assert "/articles/bulky-waste-collection?lang=en" not in offered
    assert set(reply_buttons(client.get("/ask"))) == {"Yes, this one answers it", "None of these"}
    assert rows(Contact) == []


def test_choosing_one_of_the_next_best_answers_resolves_it(client, sample_content):
    client.post("/ask/reply", data=reply_buttons(ask(client, CONFIDENT))["No"])
    more = page(client.get("/ask")).find(id="latest")
    form = more.find_all("form")[1]
    chosen = form.find("input", attrs={"name": "slug"})["value"]

    client.post("/ask/reply", data={field["name"]: field["value"] for field in form.find_all("input")})

    [contact] = rows(Contact)
    assert (contact.channel, contact.article_slug) == ("chat", chosen)
    assert f"/articles/{chosen}?lang=en" in next_best(client, CONFIDENT)


def test_none_of_these_gives_ways_to_contact_us(client, sample_content):
    client.post("/ask/reply", data=reply_buttons(ask(client, CONFIDENT))["No"])

    client.post("/ask/reply", data=reply_buttons(client.get("/ask"))["None of these"])

    latest = page(client.get("/ask")).find(id="latest")
    assert "I could not find a confident answer" in text(latest)
    assert latest.find("a", href="tel:01632960000")
    assert rows(Contact) == []


def test_nonsense_question_says_there_is_no_confident_answer(client, sample_content):
    latest = page(ask(client, NONSENSE)).find(id="latest")

    assert "I could not find a confident answer" in text(latest)
    assert latest.find("a", href="tel:01632960000")
    assert "Did this answer your question?" not in text(latest)


def test_transcript_persists_across_requests(client, sample_content):
    ask(client, CONFIDENT)
    ask(client, NONSENSE)

    transcript = page(client.get("/ask")).find(id="chat-transcript")
    questions = [text(item.find_all("p")[1]) for item in transcript.select(".app-chat__message--resident")]
    assert questions == [CONFIDENT, NONSENSE]
    assert len(transcript.find_all("li", recursive=False)) == 4
    [chat] = rows(ChatSession)
    assert chat.channel == "chat"


def test_transcript_is_not_visible_to_another_client(app, client, sample_content):
    ask(client, "wheely bin")

    stranger = page(app.test_client().get("/ask"))
    assert "wheely bin" not in text(stranger.find(id="chat-transcript"))
    assert len(stranger.select("#chat-transcript > li")) == 1


def test_a_made_up_chat_token_sees_nothing(client, sample_content):
    with client.session_transaction() as session:
        session["chat_token"] = "not-a-real-token"

    transcript = page(client.get("/ask")).find(id="chat-transcript")
    assert len(transcript.find_all("li", recursive=False)) == 1


def test_htmx_question_returns_the_conversation_fragment(client, sample_content):
    response = client.post("/ask", data={"question": CONFIDENT}, headers=HTMX)

    assert response.status_code == 200
    soup = page(response)
    assert [element.get("id") for element in soup.find_all(recursive=False)] == ["conversation"]
    assert soup.find("html") is None and soup.find("h1") is None
    assert "Did this answer your question?" in text(soup.find(id="latest"))
    assert soup.find(id="question").get("value", "") == ""


def test_htmx_yes_returns_the_conversation_and_records_a_contact(client, sample_content):
    client.post("/ask", data={"question": CONFIDENT}, headers=HTMX)
    buttons = reply_buttons(client.get("/ask"))

    response = client.post("/ask/reply", data=buttons["Yes"], headers=HTMX)

    assert response.status_code == 200
    assert page(response).find("html") is None
    assert "glad that helped" in text(page(response).find(id="latest"))
    assert len(rows(Contact)) == 1


def test_htmx_no_returns_the_next_best_answers(client, sample_content):
    client.post("/ask", data={"question": CONFIDENT}, headers=HTMX)

    response = client.post("/ask/reply", data=reply_buttons(client.get("/ask"))["No"], headers=HTMX)

    latest = page(response).find(id="latest")
    assert "Do any of these answer your question?" in text(latest)
    assert [link["href"] for link in latest.find_all("a")] == next_best(client, CONFIDENT)


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_says_enter_your_question(client, question):
    response = client.post("/ask", data={"question": question})

    assert response.status_code == 200
    soup = page(response)
    assert "Enter your question" in text(soup.find(id="question-error"))
    assert soup.select_one(".govuk-error-summary a")["href"] == "#question"
    assert rows(ChatMessage) == []


def test_htmx_empty_question_returns_the_error_in_the_fragment(client):
    response = client.post("/ask", data={"question": ""}, headers=HTMX)

    assert response.status_code == 422
    soup = page(response)
    assert soup.find("html") is None
    assert "Enter your question" in text(soup.find(id="question-error"))


def test_overlong_question_keeps_what_was_typed(client):
    response = client.post("/ask", data={"question": "bins " * 101})

    soup = page(response)
    assert "Enter 500 characters or fewer" in text(soup.find(id="question-error"))
    assert soup.find(id="question")["value"] == ("bins " * 101).strip()


def test_chat_questions_are_logged_as_chat(client, sample_content):
    ask(client, CONFIDENT)

    [entry] = rows(SearchLog)
    assert (entry.query, entry.channel, entry.source) == (CONFIDENT, "chat", "chat")
    assert (entry.top_slug, entry.confident) == ("bulky-waste-collection", True)


def test_reply_to_an_answer_no_longer_open_changes_nothing(client, sample_content):
    buttons = reply_buttons(ask(client, CONFIDENT))
    ask(client, NONSENSE)

    client.post("/ask/reply", data=buttons["Yes"])

    assert rows(Contact) == []


@pytest.mark.parametrize(
    "form",
    [{}, {"message_id": "abc", "answered": "yes"}, {"message_id": "1", "answered": "perhaps"}],
)
def test_malformed_reply_is_ignored(client, sample_content, form):
    ask(client, CONFIDENT)

    response = client.post("/ask/reply", data=form)

    assert response.status_code == 302
    assert rows(Contact) == []
