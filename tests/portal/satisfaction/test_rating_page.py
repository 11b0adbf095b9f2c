"""The rating form's rules: validation with the input kept, tokens that cannot be trusted, one rating per
transaction, CSRF, and a page in the resident's language."""

from __future__ import annotations

import re
import time

import pytest

from crm_bridge import satisfaction
from crm_bridge.contacts import record_self_service_answer
from portal.db import db

from ..eforms.journeys import field_error
from ..helpers import assert_well_formed, page, text
from .helpers import HTMX, rate, ratings


@pytest.fixture
def token(app):
    contact = record_self_service_answer("web", "en", "bin-day", "environment")
    db.session.commit()
    return satisfaction.token_for_contact(contact.id, "answer", app.config["SECRET_KEY"])


@pytest.fixture
def question(client, token):
    """The rating page as a link opens it."""
    return client.get(f"/rate-our-service?token={token}")


def test_the_question_page_is_a_proper_page(question):
    assert assert_well_formed(question, 200) == "Tell us how we did"
    soup = page(question)
    legend = soup.find("legend")
    assert text(legend) == "Overall, how did you feel about the service you received today?"
    radios = soup.find_all("input", attrs={"name": "satisfaction-rating"})
    assert [(r["value"], text(soup.find("label", attrs={"for": r["id"]}))) for r in radios] == [
        ("5", "Very good"),
        ("4", "Good"),
        ("3", "Neither good nor poor"),
        ("2", "Poor"),
        ("1", "Very poor"),
    ]
    assert text(soup.find("label", attrs={"for": "satisfaction-comment"})) == (
        "How could we improve this service? (optional)"
    )
    assert "personal details" in text(soup.find(id="satisfaction-comment-hint"))


def test_no_choice_says_so_next_to_the_radios_and_keeps_the_comment(client, question):
    response = rate(client, question, rating=None, comment="The map was hard to use")

    assert response.status_code == 200
    assert field_error(response, "satisfaction-rating") == "Select how you feel about the service"
    assert page(response).find("textarea").get_text().strip() == "The map was hard to use"
    assert ratings() == []


def test_too_long_a_comment_says_so_and_keeps_the_choice(client, question):
    response = rate(client, question, rating="2", comment="x" * 1201)

    assert field_error(response, "satisfaction-comment") == "Your comment must be 1,200 characters or fewer"
    assert (
        page(response).find("input", attrs={"name": "satisfaction-rating", "checked": True})["value"] == "2"
    )
    assert ratings() == []


def test_with_htmx_an_error_is_sent_with_422_to_swap_in_place(client, question):
    response = rate(client, question, rating=None, comment="kept", headers=HTMX)

    assert response.status_code == 422
    soup = page(response)
    assert soup.find("h1") is None and soup.find(id="satisfaction") is not None
    assert "Select how you feel about the service" in text(soup)
    assert soup.find("textarea").get_text().strip() == "kept"


def test_rating_twice_keeps_the_first_and_says_so(client, question, token):
    rate(client, question, "5", "first")

    again = rate(client, question, "1", "second")
    assert again.status_code == 302 and "already=yes" in again.location
    assert text(page(client.get(again.location)).h1) == "You have already told us how we did"
    assert (
        text(page(client.get(f"/rate-our-service?token={token}")).h1) == "You have already told us how we did"
    )
    assert [(r.rating, r.comment) for r in ratings()] == [(5, "first")]


def test_a_tampered_token_gets_a_clear_message_not_an_error(client, token):
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for response in (
        client.get(f"/rate-our-service?token={forged}"),
        client.get("/rate-our-service"),
        client.post("/rate-our-service", data={"satisfaction-token": forged, "satisfaction-rating": "5"}),
        client.post("/rate-our-service", data={"satisfaction-rating": "5"}),
    ):
        assert response.status_code == 400
        assert text(page(response).h1) == "This link does not work"
    assert ratings() == []


def test_an_expired_token_gets_a_clear_message(client, app, monkeypatch):
    contact = record_self_service_answer("web", "en", "bin-day", None)
    db.session.commit()
    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real - satisfaction.MAX_AGE_SECONDS - 5)
    old = satisfaction.token_for_contact(contact.id, "answer", app.config["SECRET_KEY"])
    monkeypatch.undo()

    shown = client.get(f"/rate-our-service?token={old}")
    sent = client.post("/rate-our-service", data={"satisfaction-token": old, "satisfaction-rating": "5"})

    for response in (shown, sent):
        assert response.status_code == 410
        assert text(page(response).h1) == "This link has expired"
    assert ratings() == []


def test_a_rating_cannot_be_moved_to_another_residents_case(client, app, create_case):
    mine, theirs = create_case(), create_case()
    secret = app.config["SECRET_KEY"]
    mine_token = satisfaction.token_for_resolved_case(mine.id, secret)
    # Only the token says what is rated: extra fields naming another case change nothing...
    client.post(
        "/rate-our-service",
        data={"satisfaction-token": mine_token, "satisfaction-rating": "3", "case_id": theirs.id},
    )
    # ...and a token for their case made without the council's key is refused.
    forged = satisfaction.token_for_resolved_case(theirs.id, "guessed-key")
    refused = client.post(
        "/rate-our-service", data={"satisfaction-token": forged, "satisfaction-rating": "1"}
    )

    assert refused.status_code == 400
    assert [(r.case_id, r.rating) for r in ratings()] == [(mine.id, 3)]


def test_the_form_needs_its_csrf_token(csrf_client, csrf_app):
    with csrf_app.app_context():
        contact = record_self_service_answer("web", "en", "bin-day", None)
        db.session.commit()
        token = satisfaction.token_for_contact(contact.id, "answer", csrf_app.config["SECRET_KEY"])
    question = csrf_client.get(f"/rate-our-service?token={token}")
    fields = {"satisfaction-token": token, "satisfaction-rating": "4"}

    refused = csrf_client.post("/rate-our-service", data=fields)
    csrf = re.search(
        r'name="satisfaction-csrf_token" type="hidden" value="([^"]+)"', question.get_data(as_text=True)
    )
    accepted = csrf_client.post("/rate-our-service", data=fields | {"satisfaction-csrf_token": csrf.group(1)})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert [r.rating for r in ratings()] == [4]


def test_the_thank_you_page_goes_back_only_to_this_site(client):
    outside = page(client.get("/rate-our-service/thank-you?back=https://evil.example/"))
    assert outside.find(id="satisfaction-back") is None
    inside = page(client.get("/rate-our-service/thank-you?back=/ask"))
    assert inside.find(id="satisfaction-back")["href"] == "/ask"


def test_the_page_speaks_the_residents_language(client, token):
    client.get("/language/cy")
    shown = page(client.get(f"/rate-our-service?token={token}"))
    assert shown.html["lang"] == "cy"


def test_a_genuine_token_for_something_gone_gets_the_same_clear_message(client, app):
    token = satisfaction.token_for_contact(987654, "answer", app.config["SECRET_KEY"])
    response = client.post(
        "/rate-our-service", data={"satisfaction-token": token, "satisfaction-rating": "5"}
    )
    assert response.status_code == 400 and text(page(response).h1) == "This link does not work"
