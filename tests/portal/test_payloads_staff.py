"""Hostile input through the staff's sign-in (and its `next=`) and case work (notes, updates, status,
complaint stages, merge, the queue's filters). Each text is kept as typed (less control characters) or
refused by its box; every page that shows it, the resident's tracking page and the update email included,
shows it inert. The payloads are tests/payloads.py's; test_payloads_staff_people.py has the customer pages
and contacts, test_payloads_staff_content.py the editor, reports and admin forms."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from crm_bridge.adapters.smtp import SmtpNotifier, SmtpSettings
from crm_bridge.handoff import CustomerDetails
from crm_bridge.models import Case, CaseEvent, OutboxMessage
from crm_bridge.workbench.case_actions import MAX_TEXT
from portal.db import db
from tests.conftest import STAFF_PASSWORD
from tests.payloads import (
    BY_NAME,
    MARKUP_BEARING,
    REDIRECTS,
    email_problems,
    field_message,
    for_database,
    form_kept,
    response_problems,
    shown_values,
    soup_of,
)

from .helpers import rows

COMPLAINT = {
    "request_type": "complaint",
    "answers": {"category": "service-failure", "service_group": "environment"},
    "details": "Missed three times.",
    "location": None,
}
EMAIL_HEADERS = (
    "From", "To", "Subject", "Message-ID", "Date", "Auto-Submitted", "Content-Type",
    "Content-Transfer-Encoding", "MIME-Version", "Content-Language",
)  # fmt: skip


def events_of(case: Case) -> list[CaseEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    )


class CapturingNotifier(SmtpNotifier):
    """The SMTP adapter building its real message; the message is kept instead of sent."""

    def __init__(self):
        super().__init__(
            SmtpSettings(sender="Council <no-reply@council.example>", public_base_url="https://x.example")
        )
        self.sent = []

    def send(self, email) -> None:
        self.sent.append(email)


def update_email_problems(case: Case, text: str) -> list[str]:
    notifier = CapturingNotifier()
    for message in rows(OutboxMessage):
        if message.case_id == case.id and message.kind == "case_update":
            notifier.deliver(message)
    problems = [
        p for email in notifier.sent for p in email_problems(email, EMAIL_HEADERS, case.customer.email)
    ]
    bodies = [email.get_body(preferencelist=("plain",)).get_content() for email in notifier.sent]
    if not any(text in body for body in bodies):
        problems.append("the update is not in the email")
    return problems


# --- sign-in -----------------------------------------------------------------------------------------------


# Each sign-in verifies a password hash (Argon2, slow on purpose): a few payloads, one of each kind.
SIGN_IN = [
    BY_NAME[name]
    for name in ("script", "attribute breakout", "or true", "CRLF header", "NUL", "10,000 characters")
]
SIGN_IN_NEXT = ("other host", "scheme-relative", "backslash", "CRLF header", "javascript")


def test_sign_in_refuses_hostile_emails_and_passwords(app, create_staff):
    create_staff("advisor", email="advisor@northdale.example")
    client = app.test_client()
    failures = {}
    for payload in SIGN_IN:
        response = client.post("/staff/sign-in", data={"email": payload.text, "password": payload.text})
        problems = response_problems(response, payload)
        if response.status_code != 422 or not field_message(response, "password"):
            problems.append(f"status {response.status_code}")
        elif shown_values(response).get("email") != form_kept(payload.text):
            problems.append(f"email shown again as {shown_values(response).get('email')!r}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_after_sign_in_next_stays_in_the_staff_area(app, create_staff):
    user = create_staff("advisor")
    failures = {}
    for name, target in [*((n, REDIRECTS[n]) for n in SIGN_IN_NEXT), ("staff page", "/staff/cases")]:
        client = app.test_client()
        response = client.post(
            "/staff/sign-in",
            query_string={"next": target},
            data={"email": user.email, "password": STAFF_PASSWORD},
        )
        location = response.headers.get("Location", "")
        parts = urlsplit(location)
        if (
            response.status_code != 302
            or parts.netloc
            or not parts.path.startswith("/staff")
            or "\r" in location
            or "\n" in location
            or location.startswith("//")
        ):
            failures[name] = location
    assert failures == {}


# --- working a case ----------------------------------------------------------------------------------------


def test_case_actions_keep_hostile_text_as_typed_and_every_page_shows_it_escaped(
    app, staff_client, create_case
):
    payloads = for_database(app)
    client, _advisor = staff_client("advisor")
    resident = app.test_client()
    failures = {}
    for number, payload in enumerate(payloads):
        kept = form_kept(payload.text)
        case = create_case(customer=CustomerDetails(name="Ann", email=f"ann{number}@example.org"))
        url = f"/staff/cases/{case.reference}"
        posts = [
            ("internal-note", {"note-text": payload.text}, "note-text"),
            ("public-update", {"update-text": payload.text}, "update-text"),
            (
                "status",
                {"status-status": "waiting_for_customer", "status-reason": payload.text,
                 "status-public_message": payload.text},
                "status-reason",
            ),
        ]  # fmt: skip
        problems = []
        for action, data, box in posts:
            response = client.post(f"{url}/{action}", data=data)
            problems += response_problems(response, payload)
            if len(kept) > MAX_TEXT:
                if response.status_code != 422 or "5000" not in (field_message(response, box) or ""):
                    problems.append(f"{action}: too long, status {response.status_code}")
            elif response.status_code != 302:
                problems.append(f"{action}: status {response.status_code}")
        texts = [event.text for event in events_of(case) if event.kind != "created"]
        expected = [] if len(kept) > MAX_TEXT else [kept, kept, kept, kept]  # note, update, reason, message
        if sorted(t for t in texts if t) != expected:
            problems.append(f"kept {[t[:30] for t in texts if t]}")
        if payload in MARKUP_BEARING:  # the pages that show the texts again: a refused merge shows the case
            merge = client.post(f"{url}/merge", data={"merge-into": payload.text})
            problems += response_problems(merge, payload)
            if merge.status_code != 422 or not field_message(merge, "merge-into"):
                problems.append(f"merge: status {merge.status_code}")
            problems += response_problems(resident.get(f"/track/{case.tracking_token}"), payload)
        if expected:
            problems += update_email_problems(case, kept)
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_complaint_stages_keep_hostile_text_as_typed(app, staff_client, create_case):
    """The stages write their text as notes do (tested with every payload above): markup-bearing ones here."""
    client, _advisor = staff_client("advisor")
    failures = {}
    for payload in for_database(app, [*MARKUP_BEARING, BY_NAME["NUL"], BY_NAME["right-to-left override"]]):
        kept = form_kept(payload.text)
        if len(kept) > MAX_TEXT:
            continue  # the limit is shown in test_case_actions_keep_hostile_text_as_typed_...
        case = create_case(**COMPLAINT)
        url = f"/staff/cases/{case.reference}"
        problems = []
        for action, data in (
            ("escalate", {"escalate-reason": payload.text}),
            ("ombudsman", {"ombudsman-note": payload.text}),
            ("outcome", {"outcome-outcome": "upheld", "outcome-public_message": payload.text}),
        ):
            response = client.post(f"{url}/{action}", data=data)
            problems += response_problems(response, payload)
            if response.status_code != 302:
                problems.append(f"{action}: status {response.status_code}")
        # The reason is kept within its event's words ("Escalated to stage 2: <reason>").
        texts = [event.text for event in events_of(case) if event.text]
        if sum(1 for t in texts if t == kept or t.endswith(": " + kept)) != 3:
            problems.append(f"kept {[t[:30] for t in texts]}")
        if payload in MARKUP_BEARING:
            problems += response_problems(client.get(url), payload)
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_queue_filters_take_hostile_text_and_keep_it_in_links_escaped(app, staff_client, create_case):
    create_case()
    client, _advisor = staff_client("advisor")
    names = (
        "q",
        "status",
        "due",
        "assigned",
        "service_group",
        "request_type",
        "channel",
        "lang",
        "interpreter",
    )
    failures = {}
    for payload in for_database(app, MARKUP_BEARING):  # choices and a search box, read by one GET form
        response = client.get("/staff/cases", query_string=dict.fromkeys(names, payload.text))
        problems = response_problems(response, payload)
        if response.status_code not in (200, 422):
            problems.append(f"status {response.status_code}")
        links = [a["href"] for a in soup_of(response).find("main").find_all("a", href=True)]
        problems += [
            f"link {link[:40]!r}" for link in links if not link.startswith(("/", "#")) or "\n" in link
        ]
        if problems:
            failures[payload.name] = problems
    assert failures == {}
