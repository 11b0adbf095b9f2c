"""The satisfaction rating service: signed tokens, one rating per transaction, what a rating records, and
its comment under data protection."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_bridge import data_protection, satisfaction
from crm_bridge.contacts import record_self_service_answer
from crm_bridge.handoff import CustomerDetails
from crm_bridge.models import Contact, SatisfactionRating
from crm_bridge.satisfaction import Outcome, RatingTokenError, RatingTokenExpired
from portal.db import db, utcnow

SECRET = "test-secret"


def ratings() -> list[SatisfactionRating]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SatisfactionRating).order_by(SatisfactionRating.id)))


@pytest.fixture
def answer(app):
    contact = record_self_service_answer("chat", "cy", "bin-collection-day", "environment", summary="Bin day")
    db.session.commit()
    return contact


def test_a_confirmed_answer_is_rated_with_what_its_contact_says(answer):
    token = satisfaction.token_for_contact(answer.id, "answer", SECRET)

    outcome = satisfaction.record_rating(token, 4, "  Quick and clear  ", SECRET)

    assert outcome is Outcome.RECORDED
    [rating] = ratings()
    assert (rating.subject, rating.moment, rating.rating, rating.comment) == (
        f"contact:{answer.id}:answer",
        "answer",
        4,
        "Quick and clear",
    )
    assert (rating.channel, rating.service_group, rating.lang) == ("chat", "environment", "cy")
    assert (rating.contact_id, rating.case_id, rating.kiosk_id) == (answer.id, None, None)
    assert db.session.get(Contact, answer.id).satisfaction == 4  # stored with the contact too


def test_one_rating_per_transaction_the_first_is_kept(answer):
    token = satisfaction.token_for_contact(answer.id, "answer", SECRET)
    satisfaction.record_rating(token, 5, "first", SECRET)

    again = satisfaction.record_rating(token, 1, "second", SECRET)

    assert again is Outcome.ALREADY_RATED
    assert [(r.rating, r.comment) for r in ratings()] == [(5, "first")]
    assert db.session.get(Contact, answer.id).satisfaction == 5


def test_the_same_contact_rated_for_another_moment_is_another_transaction(answer):
    satisfaction.record_rating(satisfaction.token_for_contact(answer.id, "answer", SECRET), 5, "", SECRET)
    satisfaction.record_rating(satisfaction.token_for_contact(answer.id, "form", SECRET), 3, "", SECRET)
    assert [r.subject for r in ratings()] == [f"contact:{answer.id}:answer", f"contact:{answer.id}:form"]


@pytest.mark.parametrize("value", [0, 6, -1, None, "5"])
def test_a_rating_is_one_to_five(answer, value):
    token = satisfaction.token_for_contact(answer.id, "answer", SECRET)
    with pytest.raises(ValueError, match="1 to 5"):
        satisfaction.record_rating(token, value, "", SECRET)
    assert ratings() == []


def test_a_comment_is_at_most_1200_characters(answer):
    token = satisfaction.token_for_contact(answer.id, "answer", SECRET)
    with pytest.raises(ValueError, match="1200"):
        satisfaction.record_rating(token, 3, "x" * 1201, SECRET)
    assert satisfaction.record_rating(token, 3, "x" * 1200, SECRET) is Outcome.RECORDED


def test_a_tampered_token_or_another_key_is_refused(answer, create_case):
    token = satisfaction.token_for_contact(answer.id, "answer", SECRET)
    other_case = create_case()
    forged_payload = satisfaction.token_for_resolved_case(other_case.id, "someone else's key")
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, forged_payload, "", None, "not-a-token", token + "x"):
        with pytest.raises(RatingTokenError):
            satisfaction.record_rating(bad, 5, "", SECRET)
    assert ratings() == []


def test_a_token_older_than_sixty_days_has_expired(answer, monkeypatch):
    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real - satisfaction.MAX_AGE_SECONDS - 60)
    old = satisfaction.token_for_contact(answer.id, "answer", SECRET)
    monkeypatch.setattr(time, "time", lambda: real - satisfaction.MAX_AGE_SECONDS + 60)
    fresh_enough = satisfaction.token_for_contact(answer.id, "answer", SECRET)
    monkeypatch.undo()

    with pytest.raises(RatingTokenExpired):
        satisfaction.record_rating(old, 5, "", SECRET)
    assert ratings() == []
    assert satisfaction.record_rating(fresh_enough, 5, "", SECRET) is Outcome.RECORDED


def test_a_token_for_a_contact_that_is_gone_is_refused(app):
    token = satisfaction.token_for_contact(987654, "answer", SECRET)
    with pytest.raises(RatingTokenError):
        satisfaction.record_rating(token, 5, "", SECRET)


def test_a_resolved_case_is_rated_on_its_hand_off_contact(create_case, create_kiosk):
    kiosk, _ = create_kiosk()
    case = create_case(channel="kiosk", lang="pl", kiosk_id=kiosk.id, request_type="missed-bin")
    [handoff_contact] = db.session.scalars(sa.select(Contact).where(Contact.case_id == case.id))
    token = satisfaction.token_for_resolved_case(case.id, SECRET)

    satisfaction.record_rating(token, 2, "Took too long", SECRET)

    [rating] = ratings()
    assert (rating.subject, rating.moment) == (f"case:{case.id}:resolved", "case_resolved")
    assert (rating.channel, rating.service_group, rating.lang) == ("kiosk", case.service_group, "pl")
    assert (rating.contact_id, rating.case_id, rating.kiosk_id) == (handoff_contact.id, case.id, kiosk.id)
    assert db.session.get(Contact, handoff_contact.id).satisfaction == 2


def test_a_kiosk_visit_is_rated_without_a_contact(create_kiosk):
    kiosk, _ = create_kiosk()
    first = satisfaction.token_for_kiosk_visit(kiosk.id, "ur", SECRET)
    second = satisfaction.token_for_kiosk_visit(kiosk.id, "en", SECRET)

    satisfaction.record_rating(first, 5, "", SECRET)
    satisfaction.record_rating(second, 4, "", SECRET)

    visits = ratings()
    assert [(r.moment, r.channel, r.lang, r.kiosk_id, r.contact_id) for r in visits] == [
        ("kiosk_visit", "kiosk", "ur", kiosk.id, None),
        ("kiosk_visit", "kiosk", "en", kiosk.id, None),
    ]
    assert visits[0].subject != visits[1].subject  # every visit its own transaction
    assert all(r.subject.startswith("kiosk-visit:") for r in visits)


def test_a_token_names_its_transaction_and_nothing_else(answer):
    transaction = satisfaction.read_token(satisfaction.token_for_contact(answer.id, "form", SECRET), SECRET)
    assert (transaction.moment, transaction.contact_id, transaction.case_id) == ("form", answer.id, None)
    with pytest.raises(ValueError):
        satisfaction.token_for_contact(answer.id, "case_resolved", SECRET)


def test_the_rating_link_is_on_the_public_address():
    assert satisfaction.rating_url("https://council.example/", "abc.def") == (
        "https://council.example/rate-our-service?token=abc.def"
    )


# --- data protection ----------------------------------------------------------------------------------


def test_retention_erases_old_rating_comments_and_keeps_the_ratings(answer, runner):
    old = satisfaction.token_for_contact(answer.id, "answer", SECRET)
    satisfaction.record_rating(old, 2, "Old comment by Mildred", SECRET)
    recent = record_self_service_answer("web", "en", "council-tax-bands", "council_tax")
    db.session.commit()
    satisfaction.record_rating(
        satisfaction.token_for_contact(recent.id, "answer", SECRET), 4, "Recent comment by Ivor", SECRET
    )
    [first, _] = ratings()
    first.created_at = utcnow() - timedelta(days=7 * 365 + 1)
    db.session.commit()

    result = runner.invoke(args=["crm", "apply-retention"])

    assert result.exit_code == 0, result.output
    assert "1 rating comments erased" in result.output
    assert [(r.rating, r.comment) for r in ratings()] == [(2, "[erased]"), (4, "Recent comment by Ivor")]


def test_erasure_blanks_the_comments_of_the_customers_cases_only(create_case, create_staff):
    mine = create_case(customer=CustomerDetails(name="Mo Mine", email="mo@example.org"))
    theirs = create_case(customer=CustomerDetails(name="Tess Theirs", email="tess@example.org"))
    for case, comment in ((mine, "Mo says thanks"), (theirs, "Tess says thanks")):
        satisfaction.record_rating(satisfaction.token_for_resolved_case(case.id, SECRET), 5, comment, SECRET)

    export = data_protection.export_customer(mine.customer, create_staff("admin"))
    report = data_protection.erase_customer(mine.customer, create_staff("admin"))

    assert [r["comment"] for r in export["satisfaction_ratings"]] == ["Mo says thanks"]
    assert export["satisfaction_ratings"][0]["case"] == mine.reference
    assert report.ratings == 1
    assert [(r.case_id, r.rating, r.comment) for r in ratings()] == [
        (mine.id, 5, "[erased]"),
        (theirs.id, 5, "Tess says thanks"),
    ]
