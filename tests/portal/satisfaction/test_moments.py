"""The question right after each transaction, through the real pages: an answer confirmed (article and
chat), a form sent, a kiosk visit finished. (A resolved case's email link: tests/crm_bridge/outbox.)"""

from __future__ import annotations

import re

import sqlalchemy as sa

from crm_bridge.models import Case, Contact
from portal.chat.models import ChatSession
from portal.db import db

from ..eforms.journeys import send, walk
from ..helpers import count, page, rows, text
from ..test_chat import CONFIDENT, ask, reply_buttons
from .helpers import HTMX, rate, rating_form, ratings


def test_an_article_answer_confirmed_without_javascript(client, create_article):
    create_article(slug="bin-day", title="Bin day", service_group="environment")
    answered = client.post("/articles/bin-day/feedback", data={"helpful": "yes"})
    assert answered.status_code == 302
    article = client.get(answered.location)

    assert "Overall, how did you feel about the service you received today?" in text(page(article).main)
    response = rate(client, article, "4", "Clear page")

    assert response.status_code == 302 and response.location.startswith("/rate-our-service/thank-you")
    thanks = client.get(response.location)
    assert text(page(thanks).h1) == "Thank you for your feedback"
    assert page(thanks).find(id="satisfaction-back")["href"] == "/articles/bin-day"
    [contact] = rows(Contact)
    [rating] = ratings()
    assert (rating.moment, rating.contact_id, rating.rating, rating.comment) == (
        "answer",
        contact.id,
        4,
        "Clear page",
    )
    assert (rating.channel, rating.service_group, rating.lang) == ("web", "environment", "en")
    assert db.session.get(Contact, contact.id).satisfaction == 4
    assert page(client.get("/articles/bin-day")).find(id="satisfaction") is None  # asked once


def test_an_article_answer_confirmed_with_htmx_swaps_the_panel_to_a_thank_you(client, create_article):
    create_article(slug="bin-day", title="Bin day")
    answered = client.post("/articles/bin-day/feedback", data={"helpful": "yes"}, headers=HTMX)
    assert answered.status_code == 200
    panel = page(answered).find(id="satisfaction")
    assert panel.find("form")["hx-target"] == "#satisfaction"

    response = rate(client, answered, "5", headers=HTMX)

    assert response.status_code == 200
    swapped = page(response)
    assert swapped.find("h1") is None and swapped.find(id="satisfaction").find("form") is None
    assert text(swapped.find(id="satisfaction-heading")) == "Thank you for your feedback"
    assert [r.rating for r in ratings()] == [5]


def test_a_no_is_not_a_transaction_to_rate(client, create_article):
    create_article(slug="bin-day")
    answered = client.post("/articles/bin-day/feedback", data={"helpful": "no"}, headers=HTMX)
    assert page(answered).find(id="satisfaction") is None


def test_a_chat_answer_confirmed(client, sample_content):
    client.post("/ask/reply", data=reply_buttons(ask(client, CONFIDENT))["Yes"])
    conversation = client.get("/ask")

    response = rate(client, conversation, "2", "Took me a while")

    assert response.status_code == 302
    [contact] = rows(Contact)
    [rating] = ratings()
    assert (rating.moment, rating.contact_id, rating.channel, rating.comment) == (
        "answer",
        contact.id,
        "chat",
        "Took me a while",
    )
    assert page(client.get("/ask")).find(id="satisfaction") is None


def test_a_form_sent(client):
    walk(client, "missed-bin")
    confirmation = send(client, "missed-bin")

    response = rate(client, confirmation, "1", "The form asked too much")

    assert response.status_code == 302
    [case] = rows(Case)
    [contact] = db.session.scalars(sa.select(Contact).where(Contact.case_id == case.id))
    [rating] = ratings()
    assert (rating.moment, rating.contact_id, rating.case_id, rating.rating) == (
        "form",
        contact.id,
        case.id,
        1,
    )
    assert (rating.channel, rating.service_group) == ("web", case.service_group)
    thanks = client.get(response.location)
    assert page(thanks).find(id="satisfaction-back")["href"] == "/report/missed-bin/confirmation"
    assert page(client.get("/report/missed-bin/confirmation")).find(id="satisfaction") is None


def test_a_kiosk_visit_finished(kiosk_client, sample_content):
    kiosk_client.get("/language/cy?next=/kiosk")
    kiosk_client.post("/ask", data={"question": "when is my bin collected"})

    finished = kiosk_client.post("/kiosk/finish", data={"rate": "yes"})

    assert finished.status_code == 303 and finished.location == "/rate-our-service/kiosk-visit"
    assert count(ChatSession) == 0  # the visit is wiped before the question
    with kiosk_client.session_transaction() as session:
        assert "chat_token" not in session and session["lang"] == "cy"
    question = kiosk_client.get(finished.location)
    assert question.status_code == 200 and question.headers["Cache-Control"] == "no-store"
    soup = page(question)
    assert soup.html["lang"] == "cy" and soup.body.get("data-kiosk") == "true"
    assert soup.find("textarea")["autocomplete"] == "off"

    answered = rate(kiosk_client, question, "5", "Helpful screen")

    assert answered.status_code == 303 and answered.location == "/kiosk"
    with kiosk_client.session_transaction() as session:
        assert dict(session) == {}
    [rating] = ratings()
    assert (rating.moment, rating.channel, rating.lang, rating.kiosk_id, rating.comment) == (
        "kiosk_visit",
        "kiosk",
        "cy",
        kiosk_client.kiosk.id,
        "Helpful screen",
    )
    # Back: the question is not there any more, nor the comment.
    back = kiosk_client.get("/rate-our-service/kiosk-visit")
    assert back.status_code == 302 and back.location == "/kiosk"


def test_a_kiosk_visitor_may_finish_without_answering(kiosk_client, sample_content):
    kiosk_client.post("/ask", data={"question": "when is my bin collected"})
    question = kiosk_client.get(kiosk_client.post("/kiosk/finish", data={"rate": "yes"}).location)
    skip = page(question).find(id="satisfaction-skip").find_parent("form")
    assert skip["action"] == "/kiosk/finish"

    finished = kiosk_client.post("/kiosk/finish")  # also what the idle timer sends

    assert finished.status_code == 303 and finished.location == "/kiosk"
    with kiosk_client.session_transaction() as session:
        assert dict(session) == {}
    assert ratings() == []


def test_a_question_left_for_the_start_screen_cannot_be_answered_by_the_next_visitor(
    kiosk_client, sample_content
):
    kiosk_client.post("/ask", data={"question": "when is my bin collected"})
    question = kiosk_client.get(kiosk_client.post("/kiosk/finish", data={"rate": "yes"}).location)
    token = page(question).find("input", attrs={"name": re.compile("token$")})["value"]

    kiosk_client.get("/kiosk")  # the visitor walks away from the question; the next one starts here

    with kiosk_client.session_transaction() as session:
        assert "satisfaction_kiosk_visit" not in session
    again = kiosk_client.get("/rate-our-service/kiosk-visit")
    assert again.status_code in (302, 303) and again.location == "/kiosk"
    assert token and ratings() == []


def test_the_idle_wipe_and_an_untouched_kiosk_ask_nothing(kiosk_client, sample_content):
    kiosk_client.post("/ask", data={"question": "when is my bin collected"})
    assert kiosk_client.post("/kiosk/finish").location == "/kiosk"  # idle.js sends no "rate"
    start = page(kiosk_client.get("/kiosk"))
    assert start.find(id="kiosk-finish").find_parent("form").find("input", attrs={"name": "rate"}) is None
    asking = page(kiosk_client.get("/ask"))
    assert (
        asking.find(id="kiosk-finish").find_parent("form").find("input", attrs={"name": "rate"})["value"]
        == "yes"
    )


def test_a_stale_kiosk_question_rates_nothing(kiosk_client, sample_content):
    kiosk_client.post("/ask", data={"question": "when is my bin collected"})
    question = kiosk_client.get(kiosk_client.post("/kiosk/finish", data={"rate": "yes"}).location)
    fields = rating_form(question)
    kiosk_client.post("/kiosk/finish")  # the idle timer wiped the kiosk in the meantime

    late = kiosk_client.post("/rate-our-service", data=fields | {"satisfaction-rating": "3"})

    assert late.status_code == 303 and late.location == "/kiosk"
    assert ratings() == []
