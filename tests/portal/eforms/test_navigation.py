"""Moving about a form: saved answers come back, 'Change' returns to 'check your answers', conditional
questions come and go with the answer they depend on, and a draft belongs to one resident."""

from __future__ import annotations

import pytest

from crm_bridge.models import Case
from portal.db import db

from ..helpers import count, page, rows, text
from .journeys import JOURNEYS, answer, picture, send, shown_values, start, the_draft, upload, walk

STEPS = ["questions", "questions-2", "location", "photos", "your-details", "check-answers", "confirmation"]


def test_answers_come_back_on_every_page_and_after_a_refresh(client):
    walk(client, "missed-bin")

    questions = client.get("/report/missed-bin/questions")
    again = client.get("/report/missed-bin/questions")

    assert questions.status_code == again.status_code == 200
    assert shown_values(questions) == shown_values(again)
    assert shown_values(questions) == {
        "bin": "blue",
        "collection_date": ["03", "11", "2026"],
        "out_by_time": "yes",
        "details": "The recycling was left on the pavement.",
    }
    location = shown_values(client.get("/report/missed-bin/location"))
    assert location == {"address": "12 Station Road, Northdale", "postcode": "ND1 2AB"}
    details = shown_values(client.get("/report/missed-bin/your-details"))
    assert details == {
        "name": "Ann Example",
        "email": "ann@example.com",
        "phone": "01632 960 001",
        "preferred_contact": "email",
        "address": "",
    }


def change_links(client, code: str) -> list[str]:
    response = client.get(f"/report/{code}/check-answers")
    assert response.status_code == 200
    return [link["href"] for link in page(response).select(".govuk-summary-list__actions a")]


@pytest.mark.parametrize("code", ["missed-bin", "fly-tipping", "bus-pass"])
def test_every_change_link_comes_back_to_check_answers(client, code):
    walk(client, code)

    for link in sorted(set(change_links(client, code))):
        step = link.split("/")[-1].split("?")[0]
        form = page(client.get(link)).main.find("form")
        assert form.find("input", attrs={"name": "return", "value": "check"}), link
        response = answer(client, code, step, {**JOURNEYS[code][step], "return": "check"})
        assert response.location == f"/report/{code}/check-answers", link
    assert count(Case) == 0


def test_changing_a_conditional_answer_drops_the_answer_that_no_longer_applies(client):
    walk(client, "fly-tipping")
    changed = {**JOURNEYS["fly-tipping"]["questions"], "saw_it_happen": "no", "return": "check"}

    response = answer(client, "fly-tipping", "questions", changed)

    assert response.location == "/report/fly-tipping/check-answers"
    assert "witness_details" not in the_draft().answers
    summary = text(page(client.get(response.location)).main)
    assert "What did you see?" not in summary and "A white van" not in summary
    assert client.get("/report/fly-tipping/questions-2").status_code == 404
    send(client, "fly-tipping")
    assert rows(Case)[0].answers == {"what": "furniture", "amount": "van", "saw_it_happen": "no"}


def test_changing_an_answer_that_opens_a_question_asks_it_before_check_answers(client):
    journey = {**JOURNEYS["bus-pass"]}
    journey["questions"] = {**journey["questions"], "request": "new"}
    del journey["questions-2"]
    walk(client, "bus-pass", journey)

    changed = answer(
        client, "bus-pass", "questions", {**journey["questions"], "request": "renew", "return": "check"}
    )

    assert changed.location == "/report/bus-pass/questions-2?return=check"
    asked = answer(client, "bus-pass", "questions-2", {"pass_number": "NB 42", "return": "check"})
    assert asked.location == "/report/bus-pass/check-answers"
    send(client, "bus-pass")
    assert rows(Case)[0].answers["pass_number"] == "NB 42"


def test_check_answers_sends_the_resident_to_the_first_page_still_to_answer(client):
    walk(client, "missed-bin", until="location")

    shown = client.get("/report/missed-bin/check-answers")
    sent = client.post("/report/missed-bin/check-answers")

    assert shown.location == sent.location == "/report/missed-bin/location?return=check"
    assert count(Case) == 0
    start(client, "complaint")
    assert (
        client.post("/report/complaint/check-answers").location == "/report/complaint/questions?return=check"
    )
    assert count(Case) == 0


def test_sending_twice_gives_one_case(client):
    walk(client, "complaint")

    first = client.post("/report/complaint/check-answers")
    second = client.post("/report/complaint/check-answers")
    draft = the_draft()
    draft.case_reference = None  # as a second request sees it while the first is still being sent
    db.session.commit()
    third = client.post("/report/complaint/check-answers")

    assert first.location == second.location == third.location == "/report/complaint/confirmation"
    assert count(Case) == 1
    assert the_draft().case_reference == rows(Case)[0].reference


def test_a_sent_request_cannot_be_changed_afterwards(client):
    walk(client, "complaint")
    send(client, "complaint")

    for step in ("questions", "your-details", "check-answers"):
        assert client.get(f"/report/complaint/{step}").location == "/report/complaint/confirmation"
    changed = answer(
        client, "complaint", "questions", {**JOURNEYS["complaint"]["questions"], "details": "Later"}
    )
    assert changed.location == "/report/complaint/confirmation"
    assert rows(Case)[0].details == "The warden was rude to me."


def test_each_confirmation_shows_its_own_forms_case(client):
    walk(client, "complaint")
    send(client, "complaint")
    walk(client, "bus-pass")
    send(client, "bus-pass")

    complaint, bus_pass = rows(Case)
    assert complaint.reference in text(page(client.get("/report/complaint/confirmation")).main)
    assert bus_pass.reference in text(page(client.get("/report/bus-pass/confirmation")).main)
    assert client.get("/report/missed-bin/confirmation").status_code == 404


@pytest.mark.parametrize("step", STEPS)
def test_a_resident_without_a_draft_is_sent_to_the_start_page(client, step):
    response = client.get(f"/report/fly-tipping/{step}")

    if step == "confirmation":
        assert response.status_code == 404
    else:
        assert response.location == "/report/fly-tipping"
    assert client.post("/report/fly-tipping/check-answers").location == "/report/fly-tipping"
    assert count(Case) == 0


def test_another_visitor_cannot_see_or_send_the_first_visitors_draft(client, app):
    walk(client, "fly-tipping", until="photos")
    upload(client, "fly-tipping", picture())
    photo = page(client.get("/report/fly-tipping/photos")).main.find("img")["src"]
    name = photo.rsplit("/", 1)[-1]
    stranger = app.test_client()

    for step in ("questions", "questions-2", "location", "photos", "check-answers"):
        response = stranger.get(f"/report/fly-tipping/{step}")
        assert response.location == "/report/fly-tipping", step
        assert "A sofa" not in response.get_data(as_text=True)
    assert stranger.post("/report/fly-tipping/check-answers").location == "/report/fly-tipping"
    assert stranger.get(photo).status_code == 404
    assert stranger.post("/report/fly-tipping/photos/remove", data={"name": name}).status_code == 404
    walk(stranger, "fly-tipping", until="photos")  # a draft of their own does not open the first one's
    assert stranger.get(photo).status_code == 404
    stranger.post("/report/fly-tipping/photos/remove", data={"name": name})
    assert client.get(photo).status_code == 200
    assert count(Case) == 0
