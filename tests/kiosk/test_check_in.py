"""Check-in at the kiosk: only on a registered kiosk, tickets numbered per day, the wait estimated, bad input
refused, and what the visitor did at the kiosk captured with the check-in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kiosk import visits
from kiosk.visit_models import CheckIn
from portal.db import db, utcnow
from portal.eforms.models import FormDraft

from ..portal.helpers import assert_well_formed, page, rows, text

# estimate_wait: pure


def test_nobody_ahead_means_no_wait():
    assert visits.estimate_wait(0, [30, 40], 1) == 0


def test_without_recent_visits_the_default_visit_length_is_used():
    assert visits.estimate_wait(3, [], 1) == 3 * visits.DEFAULT_VISIT_MINUTES == 24
    assert visits.estimate_wait(3, [], 1, default_minutes=5) == 15


def test_the_wait_is_the_average_visit_times_the_people_ahead_shared_among_advisors():
    assert visits.estimate_wait(3, [4, 6], 1) == 15
    assert visits.estimate_wait(3, [4, 6], 2) == 8  # 7.5, rounded up
    assert visits.estimate_wait(1, [2.2], 1) == 3


def test_no_advisor_serving_counts_as_one():
    assert visits.estimate_wait(2, [5], 0) == 10


def test_tickets_carry_the_topics_letter_and_a_three_digit_number():
    assert visits.ticket_for("environment", 7) == "E007"
    assert visits.ticket_for("other", 123) == "S123"
    assert "partners" not in visits.TOPICS and "other" in visits.TOPICS
    assert visits.service_group_of("other") == "general"
    assert visits.service_group_of("parking") == "parking"


# the kiosk pages


def test_check_in_is_only_on_a_registered_kiosk(client):
    assert client.get("/kiosk/check-in").status_code == 403
    assert (
        client.post("/kiosk/check-in", data={"topic": "parking", "name_or_initials": "AB"}).status_code == 403
    )
    assert client.get("/kiosk/check-in/ticket").status_code == 403
    assert rows(CheckIn) == []


def test_the_check_in_page_asks_what_about_and_a_name(kiosk_client):
    response = kiosk_client.get("/kiosk/check-in")
    assert assert_well_formed(response, 200) == "Check in to see an advisor"
    soup = page(response)
    assert "app-kiosk" in soup.body["class"]
    topics = [radio["value"] for radio in soup.select("input[name=topic]")]
    assert topics == list(visits.TOPICS)
    name = soup.select_one("input[name=name_or_initials]")
    assert name["autocomplete"] == "off"
    assert response.headers["Cache-Control"] == "no-store"


def test_checking_in_gives_a_ticket_and_an_estimated_wait(kiosk_client):
    response = kiosk_client.post(
        "/kiosk/check-in",
        data={"topic": "council-tax", "name_or_initials": "J. K.", "needs_interpreter": "yes"},
    )
    assert response.status_code == 302 and response.location.endswith("/kiosk/check-in/ticket")
    (visit,) = rows(CheckIn)
    assert (visit.ticket, visit.topic, visit.name_or_initials, visit.status) == (
        "C001",
        "council-tax",
        "J. K.",
        "waiting",
    )
    assert visit.needs_interpreter is True and visit.kiosk_id == kiosk_client.kiosk.id and visit.lang == "en"

    ticket = kiosk_client.get("/kiosk/check-in/ticket")
    assert assert_well_formed(ticket, 200) == "Your ticket number"
    soup = page(ticket)
    assert text(soup.select_one("#ticket-number")) == "C001"
    assert "You are next" in text(soup.select_one("#estimated-wait"))
    assert "we will call your number" in text(soup)


def test_the_wait_counts_the_people_ahead(app, kiosk_client):
    visits.check_in(None, "parking", "AA", "en")
    visits.check_in(None, "parking", "BB", "en")
    kiosk_client.post("/kiosk/check-in", data={"topic": "general", "name_or_initials": "CC"})
    wait = text(page(kiosk_client.get("/kiosk/check-in/ticket")).select_one("#estimated-wait"))
    assert "About 16 minutes" in wait  # 2 ahead x 8 minutes (no visits seen yet), 1 advisor
    assert "2 people are waiting before you" in wait


def test_a_second_tap_gives_the_same_ticket(kiosk_client):
    data = {"topic": "planning", "name_or_initials": "Ann"}
    kiosk_client.post("/kiosk/check-in", data=data)
    kiosk_client.post("/kiosk/check-in", data=data)
    assert [visit.ticket for visit in rows(CheckIn)] == ["D001"]


def test_without_a_check_in_the_ticket_page_sends_to_check_in(kiosk_client):
    response = kiosk_client.get("/kiosk/check-in/ticket")
    assert response.status_code == 302 and response.location.endswith("/kiosk/check-in")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name_or_initials": "Ann Smith"}, "topic", "Select what you have come about"),
        ({"topic": "parking", "name_or_initials": "   "}, "name_or_initials", "Enter your name or initials"),
        (
            {"topic": "parking", "name_or_initials": "x" * 61},
            "name_or_initials",
            "Enter 60 characters or fewer",
        ),
        ({"topic": "mars", "name_or_initials": "Ann Smith"}, "topic", "Select what you have come about"),
    ],
)
def test_bad_input_is_refused_with_the_rest_kept(kiosk_client, data, field, message):
    response = kiosk_client.post("/kiosk/check-in", data={**data, "needs_interpreter": "no"})
    assert_well_formed(response, 422)
    soup = page(response)
    assert message in text(soup.select_one(".govuk-error-summary"))
    assert message in text(soup.select_one(f"#{field}-error"))
    if field != "name_or_initials":
        assert soup.select_one("input[name=name_or_initials]")["value"] == data["name_or_initials"]
    assert soup.select_one("input[name=needs_interpreter][value=no]").has_attr("checked")
    assert rows(CheckIn) == []


def test_ticket_numbers_increase_through_the_day_and_restart_the_next(app):
    monday = datetime(2026, 3, 2, 9, 0)
    first = visits.check_in(None, "parking", "A", "en", now=monday)
    second = visits.check_in(None, "environment", "B", "en", now=monday + timedelta(minutes=5))
    third = visits.check_in(None, "other", "C", "en", now=monday + timedelta(hours=7))
    tuesday = visits.check_in(None, "parking", "D", "en", now=monday + timedelta(days=1))
    assert [v.ticket for v in (first, second, third, tuesday)] == ["P001", "E002", "S003", "P001"]
    assert tuesday.day == first.day + timedelta(days=1)


def test_the_day_is_the_uk_day(app):
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (summer time): a new day, ticket 1 again.
    visits.check_in(None, "parking", "A", "en", now=datetime(2026, 7, 1, 22, 0))
    late = visits.check_in(None, "parking", "B", "en", now=datetime(2026, 7, 1, 23, 30))
    assert (late.ticket, late.day.isoformat()) == ("P001", "2026-07-02")


def test_the_check_in_keeps_what_the_visitor_did_at_the_kiosk(kiosk_client, sample_content):
    kiosk_client.get("/search?q=council+tax+bands", follow_redirects=True)
    kiosk_client.post("/ask", data={"question": "when is my bin collected"})
    kiosk_client.post("/articles/bin-collection-day/feedback", data={"helpful": "yes"})
    kiosk_client.post("/report/missed-bin")
    draft = rows(FormDraft)[0]
    draft.answers = {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"}
    draft.details = "Bin not emptied."
    draft.location = {"address": "14 Acacia Avenue", "postcode": "ND1 1AA"}
    draft.customer = {"name": "Kim", "email": "kim@example.org", "preferred_contact": "email"}
    db.session.commit()
    kiosk_client.post("/report/missed-bin/check-answers")
    reference = rows(FormDraft)[0].case_reference
    assert reference

    kiosk_client.post("/kiosk/check-in", data={"topic": "environment", "name_or_initials": "Kim"})

    (visit,) = rows(CheckIn)
    assert visit.activity["searches"] == ["council tax bands"]
    assert visit.activity["cases"] == [{"reference": reference, "request_type": "missed-bin"}]
    transcript = visit.activity["transcript"]
    assert transcript[0]["role"] == "resident" and transcript[0]["text"] == "when is my bin collected"
    assert len(transcript) >= 2 and transcript[1]["role"] == "assistant"
    assert [answer["slug"] for answer in visit.activity["answers"]] == ["bin-collection-day"]
    assert visit.activity["answers"][0]["title"]


def test_a_check_in_without_any_activity_has_empty_lists(kiosk_client):
    kiosk_client.post("/kiosk/check-in", data={"topic": "general", "name_or_initials": "Z"})
    assert rows(CheckIn)[0].activity == {"searches": [], "transcript": [], "cases": [], "answers": []}


def test_old_check_ins_forget_the_name_and_activity(app):
    old = visits.check_in(None, "parking", "Old Visitor", "en", now=utcnow() - timedelta(days=31))
    old.activity = {"searches": ["my address"]}
    recent = visits.check_in(None, "parking", "New Visitor", "en")
    db.session.commit()

    assert visits.forget_old_check_ins(30) == 1
    old_row, recent_row = rows(CheckIn)
    assert (old_row.name_or_initials, old_row.activity, old_row.ticket) == ("", {}, "P001")
    assert old_row.forgotten_at is not None
    assert recent_row.name_or_initials == "New Visitor" and recent.id == recent_row.id
    assert visits.forget_old_check_ins(30) == 0


def test_the_retention_command_forgets_old_check_ins_too(app, runner):
    visits.check_in(None, "parking", "Old Visitor", "en", now=utcnow() - timedelta(days=31))
    db.session.commit()
    dry = runner.invoke(args=["crm", "apply-retention", "--dry-run"])
    assert "Kiosk check-ins forgotten: 1" in dry.output
    assert rows(CheckIn)[0].name_or_initials == "Old Visitor"
    done = runner.invoke(args=["crm", "apply-retention"])
    assert done.exit_code == 0 and "Kiosk check-ins forgotten: 1" in done.output
    assert rows(CheckIn)[0].name_or_initials == ""
