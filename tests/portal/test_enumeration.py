"""Tracking cannot be used to find out which references exist (docs/rate-limits.md, "Enumeration"): a wrong
reference and a wrong email get the same answer after the same work; tokens are long, random and looked
up only when they could be one. Rate limits make guessing slow besides (test_rate_limits.py)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from crm_bridge.tracking import case_by_reference_and_email, case_by_token
from portal.db import db

from .eforms.journeys import field_error
from .helpers import page

NOT_FOUND = "We could not find a request with that reference and email address"
UNKNOWN = "NDC-26-999999"


def answer_without(response, *typed: str) -> str:
    """The page with what the resident typed taken out (the form shows it back to them)."""
    html = response.get_data(as_text=True)
    for value in typed:
        html = html.replace(value, "TYPED")
    return html


@pytest.mark.parametrize("email", ["someone@example.org", "ånn@exämple.org"])
def test_a_wrong_reference_and_a_wrong_email_get_the_same_answer(client, create_case, email):
    case = create_case()

    wrong_email = client.post("/track", data={"reference": case.reference, "email": email})
    wrong_reference = client.post("/track", data={"reference": UNKNOWN, "email": email})

    assert wrong_email.status_code == wrong_reference.status_code == 422
    assert field_error(wrong_email, "reference") == field_error(wrong_reference, "reference") == NOT_FOUND
    assert answer_without(wrong_email, case.reference) == answer_without(wrong_reference, UNKNOWN)


def test_an_email_beyond_ascii_is_compared_not_refused(create_case):
    """hmac.compare_digest takes only ASCII str: the email is compared as UTF-8 bytes instead."""
    from crm_bridge.handoff import CustomerDetails

    case = create_case(customer=CustomerDetails(name="Åsa", email="åsa@exämple.org"))
    assert case_by_reference_and_email(case.reference, " ÅSA@exämple.org ") == case
    assert case_by_reference_and_email(case.reference, "asa@example.org") is None


def queries_made(action) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_a_known_and_an_unknown_reference_cost_the_same_work(create_case):
    reference = create_case().reference
    db.session.expire_all()  # nothing already loaded to make one look-up cheaper

    known = queries_made(lambda: case_by_reference_and_email(reference, "someone@example.org"))
    db.session.expire_all()
    unknown = queries_made(lambda: case_by_reference_and_email(UNKNOWN, "someone@example.org"))

    assert known == unknown == 1


def test_a_case_without_an_email_is_found_by_no_email(create_case):
    from crm_bridge.handoff import CustomerDetails

    case = create_case(customer=CustomerDetails(name="Bob", phone="01632 960999"))
    assert case_by_reference_and_email(case.reference, "") is None
    assert case_by_reference_and_email(case.reference, "\x00no email on record\x00") is None


def test_tracking_tokens_are_long_random_and_unrelated(create_case):
    tokens = [create_case().tracking_token for _ in range(3)]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # secrets.token_urlsafe(32): 256 bits


def test_a_token_that_cannot_be_one_is_not_looked_up(client, create_case):
    case = create_case()
    assert case_by_token(case.tracking_token + "x" * 22) is None  # longer than any token
    assert queries_made(lambda: case_by_token("a" * 65)) == 0
    assert queries_made(lambda: case_by_token("")) == 0
    response = client.get(f"/track/{case.tracking_token[:-1]}")
    assert response.status_code == 404
    assert case.reference not in response.get_data(as_text=True)
    assert page(response).find(class_="govuk-inset-text") is not None  # "We could not find a request…"
