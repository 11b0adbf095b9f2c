"""Hostile input through every page of every e-form in the catalogue, as residents send it: each free-text
box gets a payload from tests/payloads.py (in turn, so every payload reaches many boxes of every kind) and
every other question a valid answer. Each page must keep the text exactly as typed (less control characters)
or say next to the box why not; show it back escaped, on the page, on 'check your answers', on the
confirmation and tracking pages, the staff case page and in the acknowledgement email, which gets no extra
header; and leave the database whole. Nothing here may be a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import cycle

import sqlalchemy as sa

from crm_bridge.adapters.smtp import SmtpNotifier, SmtpSettings
from crm_bridge.catalogue import Question, RequestType, default_catalogue
from crm_bridge.models import Case, Customer, OutboxMessage
from portal.db import db
from portal.eforms.forms import MAX_DETAILS
from portal.eforms.models import FormDraft
from portal.eforms.steps import Step, plan
from tests.conftest import sign_in_as
from tests.payloads import (
    Payload,
    email_problems,
    field_message,
    for_database,
    form_kept,
    response_problems,
    shown_values,
    soup_of,
)

from .helpers import count, rows, text

DATE = ["3", "11", "2026"]
EMAIL_HEADERS = (
    "From", "To", "Subject", "Message-ID", "Date", "Auto-Submitted", "Content-Type",
    "Content-Transfer-Encoding", "MIME-Version", "Content-Language",
)  # fmt: skip
TABLES = ("crm_case", "crm_customer", "crm_contact", "crm_outbox", "portal_form_draft", "staff_user")


@dataclass(frozen=True)
class Box:
    """A free-text box on a page: its name, its limit, and where the draft keeps what was typed."""

    name: str
    limit: int
    kept: Callable[[FormDraft], str | None]
    required: bool = False


def boxes(step: Step, first: bool) -> list[Box]:
    if step.kind == "questions":
        found = [_question_box(q) for q in step.questions if q.type in ("text", "textarea")]
        return found + ([Box("details", MAX_DETAILS, lambda d: d.details, True)] if first else [])
    if step.kind == "location":
        return [Box("address", 500, lambda d: d.location.get("address"))]
    if step.kind == "details":
        return [
            Box("name", 200, lambda d: (d.customer or {}).get("name"), True),
            Box("address", 500, lambda d: (d.customer or {}).get("address")),
        ]
    return []


def _question_box(question: Question) -> Box:
    return Box(question.code, question.max_length, lambda d: d.answers.get(question.code), question.required)


def valid_answers(request_type: RequestType, step: Step, email: str, phone: str) -> dict:
    """Every answer on the page that is not free text: the choice that opens a conditional page if any."""
    if step.kind == "questions":
        opens = {q.when.question: q.when.equals for q in request_type.questions if q.when}
        return {
            q.code: DATE if q.type == "date" else opens.get(q.code, q.choices[0][0])
            for q in step.questions
            if q.type in ("choice", "yes_no", "date")
        }
    if step.kind == "location":
        return {"postcode": "ND1 1AA"}
    if step.kind == "details":
        return {"email": email, "phone": phone, "preferred_contact": "email", "interpreter": "no"}
    return {}


def fits(payload: Payload, box: Box) -> bool:
    return len(form_kept(payload.text)) <= box.limit


def next_fitting(payloads: Iterator[Payload], box: Box) -> Payload:
    return next(payload for payload in payloads if fits(payload, box))


def fresh_draft() -> FormDraft:
    db.session.expire_all()
    return db.session.scalars(sa.select(FormDraft).order_by(FormDraft.id.desc())).first()


class Walk:
    """One resident going through one form, each box filled from the payload stream."""

    def __init__(self, client, request_type: RequestType, stream: Iterator[Payload], number: int):
        self.client, self.request_type, self.stream = client, request_type, stream
        self.code = request_type.code
        self.email, self.phone = (
            f"ann.{self.code}@example.com",
            f"01632 960 {number:03d}",
        )  # one customer each
        self.typed: dict[tuple[str, str], Payload] = {}  # (page, box) -> the payload it holds now
        self.problems: list[str] = []

    def note(self, where: str, problems: list[str]) -> None:
        self.problems += [f"{self.code} {where}: {problem}" for problem in problems]

    def start(self) -> None:
        response = self.client.post(f"/report/{self.code}")
        assert response.status_code == 302, response.status_code

    def pages(self) -> list[Step]:
        return plan(self.request_type, fresh_draft().answers)

    def fill(self, step: Step, first: bool) -> None:
        """One page: first each box's next payload as it comes (a message by each box it is too long for,
        nothing saved), then, if any was refused, payloads that fit."""
        page_boxes = boxes(step, first)
        given = {box.name: next(self.stream) for box in page_boxes}
        if any(not fits(given[box.name], box) for box in page_boxes):
            self._refused(step, page_boxes, given)
            given = {box.name: next_fitting(self.stream, box) for box in page_boxes}
        data = valid_answers(self.request_type, step, self.email, self.phone) | {
            n: p.text for n, p in given.items()
        }
        response = self.client.post(f"/report/{self.code}/{step.slug}", data=data)
        self.note(step.slug, response_problems(response, *given.values()))
        if response.status_code != 302:
            self.note(step.slug, [f"refused: {text(soup_of(response).main)[:300]}"])
            return
        draft = fresh_draft()
        for box in page_boxes:
            self.typed[(step.slug, box.name)] = given[box.name]
            if box.kept(draft) != form_kept(given[box.name].text):
                self.note(step.slug, [f"{box.name} kept as {box.kept(draft)!r}"])
        self._shown_again(step, page_boxes, given)

    def _refused(self, step: Step, page_boxes: list[Box], given: dict[str, Payload]) -> None:
        before = fresh_draft()
        kept_before = {box.name: box.kept(before) for box in page_boxes}
        data = valid_answers(self.request_type, step, self.email, self.phone) | {
            n: p.text for n, p in given.items()
        }
        response = self.client.post(f"/report/{self.code}/{step.slug}", data=data)
        self.note(step.slug + " (too long)", response_problems(response, *given.values()))
        if response.status_code != 422:
            self.note(step.slug, [f"too long, yet status {response.status_code}"])
            return
        for box in page_boxes:
            if not fits(given[box.name], box):
                message = field_message(response, box.name) or ""
                if str(box.limit) not in message.replace(",", ""):
                    self.note(step.slug, [f"{box.name}: message {message!r}"])
        after = fresh_draft()
        if {box.name: box.kept(after) for box in page_boxes} != kept_before:
            self.note(step.slug, ["a refused page was saved"])

    def _shown_again(self, step: Step, page_boxes: list[Box], given: dict[str, Payload]) -> None:
        response = self.client.get(f"/report/{self.code}/{step.slug}")
        self.note(step.slug + " shown again", response_problems(response, *given.values()))
        shown = shown_values(response)
        for box in page_boxes:
            if shown.get(box.name) != form_kept(given[box.name].text):
                self.note(step.slug, [f"{box.name} shown as {shown.get(box.name)!r}"])

    def round(self) -> None:
        number = 0
        while number < len(steps := self.pages()):  # an answer may open a page of questions
            self.fill(steps[number], first=number == 0)
            number += 1
        response = self.client.get(f"/report/{self.code}/check-answers")
        held = list(self.typed.values())
        self.note("check answers", response_problems(response, *held))
        if response.status_code != 200:
            self.note("check answers", [f"status {response.status_code}"])
            return
        shown = text(soup_of(response).main)
        for payload in held:
            if " ".join(form_kept(payload.text).split()) not in shown:
                self.note("check answers", [f"{payload.name} not shown"])

    def send(self, staff_client) -> Case | None:
        response = self.client.post(f"/report/{self.code}/check-answers")
        if response.status_code != 302:
            self.note("send", [f"status {response.status_code}"])
            return None
        held = list(self.typed.values())
        self.note("confirmation", response_problems(self.client.get(response.location), *held))
        case = db.session.scalar(sa.select(Case).where(Case.request_type == self.code))
        self.note("stored case", self._case_problems(case))
        self.note("tracking page", response_problems(self.client.get(f"/track/{case.tracking_token}"), *held))
        staff_page = staff_client.get(f"/staff/cases/{case.reference}")
        self.note("staff case page", response_problems(staff_page, *held))
        if staff_page.status_code != 200:
            self.note("staff case page", [f"status {staff_page.status_code}"])
        return case

    def _case_problems(self, case: Case) -> list[str]:
        problems = []
        for (slug, box), payload in self.typed.items():
            if slug == "location":
                kept = case.location["address"]
            elif slug == "your-details":
                kept = getattr(case.customer, box)
            else:
                kept = case.details if box == "details" else case.answers.get(box)
            if kept != form_kept(payload.text):
                problems.append(f"{slug} {box} kept as {kept!r}")
        return problems


class CapturingNotifier(SmtpNotifier):
    """The SMTP adapter building its real message; the message is kept instead of sent."""

    sent: list

    def send(self, email) -> None:
        self.sent.append(email)


def acknowledgement_problems(case: Case) -> list[str]:
    settings = SmtpSettings(
        sender="Council <no-reply@council.example>", public_base_url="https://council.example"
    )
    notifier = CapturingNotifier(settings)
    notifier.sent = []
    [message] = [m for m in rows(OutboxMessage) if m.case_id == case.id and m.kind == "acknowledgement"]
    notifier.deliver(message)
    [email] = notifier.sent
    return email_problems(email, EMAIL_HEADERS, case.customer.email)


def assert_database_whole(cases: int) -> None:
    inspector = sa.inspect(db.engine)
    assert [table for table in TABLES if not inspector.has_table(table)] == []
    assert count(Case) == cases
    assert count(Customer) == cases


def test_every_page_of_every_form_keeps_hostile_text_as_typed_and_shows_it_escaped(app, create_staff):
    """Two rounds of payloads through every page of every request type, then each is sent as a case."""
    payloads = for_database(app)
    staff = app.test_client()
    sign_in_as(staff, create_staff("advisor"))
    stream = cycle(payloads)
    problems = []
    for number, request_type in enumerate(default_catalogue(), start=1):
        walk = Walk(app.test_client(), request_type, stream, number)
        walk.start()
        walk.round()
        walk.round()
        case = walk.send(staff)
        if case is not None:
            walk.note("acknowledgement email", acknowledgement_problems(case))
        problems += walk.problems
    assert problems == []
    assert_database_whole(len(default_catalogue()))
