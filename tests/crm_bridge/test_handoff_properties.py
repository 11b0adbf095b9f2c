"""Properties of the one hand-off (crm_bridge/handoff.py), on SQLite and PostgreSQL, for submissions
Hypothesis makes from the service catalogue: every request type, the answers its form can produce (text in
any script, as the form's filter leaves it), any channel and language, with or without a customer, at any
moment from 2020 to 2030.

Each hand-off makes exactly one case (its answers as given), one contact, one "created" event and the
expected outbox messages, with a unique reference and the due dates of the working-day clock; a second
submission of the same form makes nothing more; and a hand-off that fails part-way, on a database
constraint or an error in the middle, leaves nothing behind. Each example starts from empty tables: the
`app` fixture's database is emptied by hand between examples."""

from __future__ import annotations

import re
from datetime import datetime
from unittest import mock

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crm_bridge import handoff
from crm_bridge.catalogue import default_catalogue
from crm_bridge.handoff import CustomerDetails, HandOffSettings, Location, StoredPhoto, Submission, hand_off
from crm_bridge.models import (
    CONTACT_METHODS,
    Attachment,
    Case,
    CaseEvent,
    Contact,
    ContactTally,
    Customer,
    OutboxMessage,
)
from crm_bridge.working_days import add_working_days
from portal.db import db
from portal.domain import CHANNELS, LANGUAGES
from portal.forms import strip_and_clean

HAND_OFF_PROPERTIES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: with a database round trip per example it can take minutes; a failure shows its draws.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every table a hand-off writes to, children first.
WRITTEN = (OutboxMessage, Attachment, CaseEvent, Contact, ContactTally, Case, Customer)
REQUEST_TYPES = list(default_catalogue())
LETTER_ACKNOWLEDGE_DAYS = 5  # the council's standard for post (/work/shared/DOMAIN.md)


def empty_tables() -> None:
    db.session.rollback()
    for model in WRITTEN:
        db.session.execute(sa.delete(model))
    db.session.commit()
    db.session.expunge_all()


def counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in WRITTEN
    }


NOTHING = {model.__tablename__: 0 for model in WRITTEN}

# ---- submissions as the e-forms make them ----------------------------------------------------------------


def typed_text(max_length: int, required: bool):
    """What a resident types, after the form's filter (portal.forms.strip_and_clean), within the limit."""
    typed = st.text(max_size=min(max_length, 40)).map(strip_and_clean)
    full = st.characters(categories=["L"]).map(lambda letter: letter * max_length)  # exactly at the limit
    text = st.one_of(typed, full)
    return text.filter(bool) if required else text


def answer(question):
    if question.type in ("choice", "yes_no"):
        return st.sampled_from([value for value, _ in question.choices])
    if question.type == "date":
        return st.dates(datetime(1920, 1, 1).date(), datetime(2030, 12, 31).date()).map(
            lambda day: day.isoformat()
        )
    return typed_text(question.max_length, question.required)


@st.composite
def answers_for(draw, request_type) -> dict:
    """The questions that apply given the answers so far, in order; optional ones sometimes left out."""
    answers: dict = {}
    for question in request_type.questions:
        if question.applies(answers) and (question.required or draw(st.booleans())):
            answers[question.code] = draw(answer(question))
    return answers


CUSTOMERS = st.builds(
    CustomerDetails,
    name=typed_text(200, required=False),
    email=st.none() | st.from_regex(r"[A-Za-z0-9._%+-]{1,30}@[A-Za-z0-9-]{1,20}\.example", fullmatch=True),
    phone=st.none() | st.sampled_from(["01632 960123", "+44 1632 960 999", "07700 900 123", "0808 157 0192"]),
    address=typed_text(500, required=False),
    postcode=st.none() | st.sampled_from(["ND1 1AA", "ND12 3BD", "GIR 0AA"]),
    preferred_contact=st.sampled_from(CONTACT_METHODS),
)
LOCATIONS = st.builds(
    Location,
    postcode=st.none() | st.sampled_from(["ND1 1AA", "ND2 7XY"]),
    address=typed_text(500, required=False),
    lat=st.none() | st.floats(49.8, 60.9),
    lng=st.none() | st.floats(-8.7, 1.8),
)


@st.composite
def submissions(draw, key: str) -> Submission:
    request_type = draw(st.sampled_from(REQUEST_TYPES))
    photos = draw(st.integers(0, 2)) if request_type.photos else 0
    return Submission(
        request_type=request_type.code,
        submission_key=key,
        channel=draw(st.sampled_from(CHANNELS)),
        lang=draw(st.sampled_from(sorted(LANGUAGES))),
        answers=draw(answers_for(request_type)),
        details=draw(typed_text(5000, required=True)),
        customer=draw(st.none() | CUSTOMERS),
        location=draw(st.none() | LOCATIONS),
        photos=tuple(StoredPhoto(f"{key}-{n}.jpg", "image/jpeg", 1000 + n) for n in range(photos)),
        interpreter_needed=draw(st.booleans()),
    )


MOMENTS = st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31))  # naive UTC, as utcnow() gives


def handed_off_at(moment: datetime, submission: Submission, settings: HandOffSettings) -> Case:
    """The hand-off with its clock at `moment`: due dates are then known exactly."""
    with mock.patch.object(handoff, "utcnow", return_value=moment):
        return hand_off(submission, settings)


# ---- what a hand-off makes ------------------------------------------------------------------------------


def expected_service_group(request_type, answers: dict) -> str:
    """A complaint, comment or compliment about a service counts in that service's figures."""
    return (request_type.feedback and answers.get("service_group")) or request_type.service_group


def check_case(case: Case, submission: Submission, moment: datetime, settings: HandOffSettings) -> None:
    request_type = default_catalogue().get(submission.request_type)
    assert re.fullmatch(rf"NDC-{moment:%y}-\d{{6}}", case.reference)
    assert int(case.reference.rsplit("-", 1)[1]) == case.id
    assert case.answers == submission.answers
    assert (case.details, case.channel, case.lang) == (
        submission.details,
        submission.channel,
        submission.lang,
    )
    assert case.location == (submission.location.as_dict() if submission.location else None)
    assert case.service_group == expected_service_group(request_type, submission.answers)
    assert [(a.stored_name, a.size) for a in case.attachments] == [
        (p.stored_name, p.size) for p in submission.photos
    ]
    acknowledge = request_type.acknowledge_days
    if submission.channel == "post":
        acknowledge = max(acknowledge, LETTER_ACKNOWLEDGE_DAYS)
    assert case.acknowledge_due == add_working_days(moment, acknowledge)
    assert case.respond_due == add_working_days(moment, request_type.respond_days)
    assert [(e.kind, e.status, e.public) for e in case.events] == [("created", "new", True)]

    contacts = db.session.scalars(sa.select(Contact).where(Contact.case_id == case.id)).all()
    assert [(c.channel, c.lang, c.customer_id) for c in contacts] == [
        (case.channel, case.lang, case.customer_id)
    ]

    customer = submission.customer
    assert (case.customer is not None) == (customer is not None)
    if customer is not None and customer.email:
        assert case.customer.email == customer.email.lower()
    # The customer may be one an earlier hand-off made (same email or phone): theirs is the address used.
    email = case.customer.email if case.customer else None
    expected = [("acknowledgement", f"acknowledgement:{case.reference}")] if email else []
    if settings.push_to_crm:
        expected.append(("crm_push", f"crm_push:{case.reference}"))
    messages = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id)).all()
    assert sorted((m.kind, m.idempotency_key) for m in messages) == sorted(expected)
    for message in messages:
        assert message.payload["reference"] == case.reference and message.delivered_at is None
        if message.kind == "acknowledgement":
            assert (message.payload["email"], message.payload["lang"]) == (email, case.lang)


@pytest.fixture
def clean(app):
    """Empty tables at the start of each example (Hypothesis runs many examples in one test)."""
    return empty_tables


@HAND_OFF_PROPERTIES
@given(data=st.data(), count=st.integers(1, 3), moment=MOMENTS, push=st.booleans())
def test_each_hand_off_makes_one_case_as_submitted(clean, data, count, moment, push):
    clean()
    settings = HandOffSettings(push_to_crm=push)
    made = []
    for number in range(count):
        submission = data.draw(submissions(f"form:{number}"), label=f"submission {number}")
        made.append((handed_off_at(moment, submission, settings).id, submission))
    db.session.expire_all()  # read back what was stored, not what is in memory
    cases = [db.session.get(Case, case_id) for case_id, _ in made]
    for case, (_, submission) in zip(cases, made, strict=True):
        check_case(case, submission, moment, settings)
    assert len({case.reference for case in cases}) == count
    assert len({case.tracking_token for case in cases}) == count
    written = counts()
    assert (written["crm_case"], written["crm_contact"], written["crm_case_event"]) == (count, count, count)


@HAND_OFF_PROPERTIES
@given(submission=submissions("form:again"), details=typed_text(5000, required=True), moment=MOMENTS)
def test_the_same_submission_twice_is_still_one_case(clean, submission, details, moment):
    clean()
    first = handed_off_at(moment, submission, HandOffSettings())
    before = counts()
    again = handed_off_at(
        moment, Submission(**{**submission.__dict__, "details": details}), HandOffSettings()
    )
    assert again.id == first.id
    assert counts() == before


# ---- a hand-off that fails part-way leaves nothing behind -------------------------------------------------

# Steps of the hand-off after the case row is written, made to fail after doing their work.
STEPS = ("format_reference", "record_contact", "_outbox_messages")


def failing_after(step: str):
    real = getattr(handoff, step)

    def fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError(f"failed after {step}")

    return mock.patch.object(handoff, step, fail)


@HAND_OFF_PROPERTIES
@given(submission=submissions("form:broken"), step=st.sampled_from(STEPS), moment=MOMENTS)
def test_an_error_part_way_leaves_nothing_committed(clean, app, submission, step, moment):
    clean()
    with failing_after(step), pytest.raises(RuntimeError, match=step):
        handed_off_at(moment, submission, HandOffSettings(push_to_crm=True))
    with db.engine.connect() as other:  # what any other connection sees while the request is still failing
        seen = {m.__tablename__: other.scalar(sa.select(sa.func.count()).select_from(m)) for m in WRITTEN}
    assert seen == NOTHING
    db.session.remove()  # as the request's teardown does
    assert counts() == NOTHING


CONSTRAINT_BREAKS = {
    # The customer is written with the case: crm_customer's check on the contact method.
    "customer": lambda s: {
        "customer": CustomerDetails(name="A", email="a@b.example", preferred_contact="pigeon")
    },
    # The contact is written after the case has its reference: crm_contact's check on the reason.
    "contact": lambda s: {"avoidable_reason": "not-a-reason"},
}


@HAND_OFF_PROPERTIES
@given(
    submission=submissions("form:refused"), broken=st.sampled_from(sorted(CONSTRAINT_BREAKS)), moment=MOMENTS
)
def test_a_constraint_refused_part_way_leaves_nothing_and_the_next_hand_off_works(
    clean, submission, broken, moment
):
    clean()
    refused = Submission(**{**submission.__dict__, **CONSTRAINT_BREAKS[broken](submission)})
    with pytest.raises(sa.exc.IntegrityError):
        handed_off_at(moment, refused, HandOffSettings())
    assert counts() == NOTHING  # hand_off rolled its transaction back itself
    case = handed_off_at(
        moment, Submission(**{**submission.__dict__, "submission_key": "form:next"}), HandOffSettings()
    )
    check_case(
        case, Submission(**{**submission.__dict__, "submission_key": "form:next"}), moment, HandOffSettings()
    )
    assert counts()["crm_case"] == 1
