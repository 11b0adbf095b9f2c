"""Working a case: claim, assign, status changes, public updates, internal notes and complaint stages.

Every function takes the member of staff acting (`actor`) and, in ONE transaction, changes the case, records
what happened as a CaseEvent (author and author id), writes an audit row (field names and codes only, never
the resident's words) and queues any message to the resident in the outbox; then commits. A move the rules
do not allow raises `CaseActionError` with a message fit to show staff, and nothing is written.

Public updates are shown on the tracking page and sent to the resident (outbox kind `case_update`, in the
case's language); internal notes are never shown or sent. A public update on a case also reaches the
residents of every case merged into it (crm_bridge.workbench.duplicates). Wording the council writes itself
(an escalation, a merge notice) is put in the case's language when it is written (Flask-Babel's
force_locale, which needs only an application context)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale, format_date, gettext
from flask_babel import lazy_gettext as _l

from portal.db import db, utcnow

from ..audit import audit
from ..catalogue import Catalogue, default_catalogue
from ..models import CASE_STATUSES, COMPLAINT_OUTCOMES, Case, CaseEvent, OutboxMessage
from ..staff.models import StaffUser
from ..staff.roles import Permission
from ..working_days import add_working_days
from .sla import uk_date

# Where a case may go from each status. Closed is final; a resolved case may be closed or reopened.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("acknowledged", "in_progress", "waiting_for_customer", "resolved", "closed"),
    "acknowledged": ("in_progress", "waiting_for_customer", "resolved", "closed"),
    "in_progress": ("waiting_for_customer", "resolved", "closed"),
    "waiting_for_customer": ("in_progress", "resolved", "closed"),
    "resolved": ("in_progress", "closed"),
    "closed": (),
}
# Moves that need a reason: closing, waiting for the customer, and reopening a resolved case.
REASON_NEEDED_FOR = frozenset({"closed", "waiting_for_customer"})
REOPENING = frozenset({("resolved", "in_progress")})

STATUS_NAMES = {
    "new": _l("new"),
    "acknowledged": _l("acknowledged"),
    "in_progress": _l("in progress"),
    "waiting_for_customer": _l("waiting for customer"),
    "resolved": _l("resolved"),
    "closed": _l("closed"),
}
OUTCOME_NAMES = {
    "upheld": _l("upheld"),
    "partly_upheld": _l("partly upheld"),
    "not_upheld": _l("not upheld"),
}
COMPLAINT_RESPONSE_DAYS = 15  # DOMAIN.md: complaints get a full response within 15 working days
MAX_TEXT = 5000
DATE_FORMAT = "d MMMM yyyy"


class CaseActionError(ValueError):
    """The action is not allowed or its input is wrong: `message` is shown to staff; `field` names the form
    field it belongs to, where there is one. Texts the services store on internal events are plain English
    data (staff read them); only wording for residents is translated, into the case's language."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message  # lazy: shown in the language of the page that catches it
        self.field = field

    def __str__(self) -> str:
        with force_locale("en"):  # logs and tests, with or without a request
            return str(self.message)


def allowed_statuses(case: Case) -> tuple[str, ...]:
    """The statuses this case may move to now (none for a closed or merged case)."""
    if case.merged_into_id is not None:
        return ()
    return TRANSITIONS.get(case.status, ())


def reason_needed(old: str, new: str) -> bool:
    return new in REASON_NEEDED_FOR or (old, new) in REOPENING


def is_complaint(case: Case) -> bool:
    return case.complaint_stage is not None


# --- claim and assign --------------------------------------------------------------------------------------


def claim(case: Case, actor: StaffUser) -> Case:
    """The actor takes the case: it is assigned to them."""
    _require_open(case)
    if not may_work(actor, case):
        raise CaseActionError(_l("You cannot work cases of this service"))
    if case.assigned_to_id == actor.id:
        raise CaseActionError(_l("This case is already assigned to you"))
    previous = case.assigned_to_id
    case.assigned_to = actor
    record_event(case, actor, "assignment", f"Claimed by {actor.name}")
    audit(actor, "update", "case", case.id, change="claim", assigned_from=previous, assigned_to=actor.id)
    db.session.commit()
    return case


def assign(case: Case, assignee: StaffUser | None, actor: StaffUser) -> Case:
    """Give the case to `assignee` (None: nobody), who must be able to work cases of its service group."""
    _require_open(case)
    if assignee is not None and not may_work(assignee, case):
        raise CaseActionError(
            _l("%(name)s cannot work cases of this service", name=assignee.name), field="assignee"
        )
    new_id = assignee.id if assignee is not None else None
    if case.assigned_to_id == new_id:
        raise CaseActionError(
            _l("The case is already assigned to them") if assignee else _l("The case is not assigned"),
            field="assignee",
        )
    previous = case.assigned_to_id
    case.assigned_to = assignee
    text = f"Assigned to {assignee.name}" if assignee else "Unassigned"
    record_event(case, actor, "assignment", text)
    audit(actor, "update", "case", case.id, change="assign", assigned_from=previous, assigned_to=new_id)
    db.session.commit()
    return case


def may_work(user: StaffUser, case: Case) -> bool:
    return bool(
        user.active and user.can(Permission.WORK_CASES) and user.may_see_service_group(case.service_group)
    )


# --- status ------------------------------------------------------------------------------------------------


def change_status(
    case: Case, new_status: str, reason: str, actor: StaffUser, public_message: str | None = None
) -> Case:
    """Move the case along the transition table. The reason is kept on an internal event; an optional
    public message goes to the resident as a public update."""
    old = case.status
    reason = (reason or "").strip()
    public_message = (public_message or "").strip()
    if new_status not in CASE_STATUSES:
        raise CaseActionError(_l("Choose a status"), field="status")
    if case.merged_into_id is not None or old == "closed":
        raise CaseActionError(_l("This case is closed: its status cannot change"), field="status")
    if new_status == old:
        raise CaseActionError(_l("The case is already %(status)s", status=STATUS_NAMES[old]), field="status")
    if new_status not in TRANSITIONS[old]:
        raise CaseActionError(
            _l(
                "A case cannot move from %(old)s to %(new)s",
                old=STATUS_NAMES[old],
                new=STATUS_NAMES[new_status],
            ),
            field="status",
        )
    if reason_needed(old, new_status) and not reason:
        raise CaseActionError(
            _l("Enter the reason for making the case %(status)s", status=STATUS_NAMES[new_status]),
            field="reason",
        )
    _check_length(reason, "reason")
    _check_length(public_message, "public_message")
    now = utcnow()
    set_status(case, new_status, now)
    record_event(case, actor, "status", reason, status=new_status, created_at=now)
    if public_message:
        publish(case, public_message, actor, now, resolves=new_status == "resolved")
    audit(
        actor,
        "update",
        "case",
        case.id,
        change="status",
        old=old,
        new=new_status,
        reason_given=bool(reason),
        public_message=bool(public_message),
    )
    db.session.commit()
    return case


def set_status(case: Case, new_status: str, now: datetime) -> None:
    """The status and its timestamps: leaving "new" acknowledges the case; resolving (or closing without
    resolving) sets resolved_at; reopening clears it, so the response time counts to the real answer."""
    if case.status == "new" and case.acknowledged_at is None:
        case.acknowledged_at, case.acknowledged_on = now, uk_date(now)
    if new_status == "resolved" or (new_status == "closed" and case.resolved_at is None):
        case.resolved_at, case.resolved_on = now, uk_date(now)
    if new_status == "in_progress" and case.status == "resolved":
        case.resolved_at = case.resolved_on = None
    case.status = new_status


# --- public updates and internal notes ---------------------------------------------------------------------


def add_public_update(case: Case, text: str, actor: StaffUser) -> CaseEvent:
    """Shown on the tracking page and sent to the resident (and to the residents of cases merged into
    this one)."""
    text = _required_text(text, "text", _l("Enter the update for the resident"))
    _require_open(case)
    event = publish(case, text, actor, utcnow())
    audit(actor, "update", "case", case.id, change="public_update", event_id=event.id)
    db.session.commit()
    return event


def add_internal_note(case: Case, text: str, actor: StaffUser) -> CaseEvent:
    """For staff only: never on the tracking page, never sent."""
    text = _required_text(text, "text", _l("Enter the note"))
    event = record_event(case, actor, "internal_note", text)
    db.session.flush()
    audit(actor, "update", "case", case.id, change="internal_note", event_id=event.id)
    db.session.commit()
    return event


# --- complaints --------------------------------------------------------------------------------------------


def escalate_complaint(case: Case, reason: str, actor: StaffUser, catalogue: Catalogue | None = None) -> Case:
    """Stage 1 to stage 2 (a review): a reason is needed; the review gets its own full-response date,
    15 working days from now unless the catalogue's complaint type says otherwise. A resolved complaint
    is reopened; the resident is told in their language."""
    reason = (reason or "").strip()
    _require_complaint(case)
    _require_open(case)
    if case.complaint_stage != 1:
        raise CaseActionError(_l("Only a stage 1 complaint can be escalated to stage 2"))
    if not reason:
        raise CaseActionError(_l("Enter the reason for escalating the complaint"), field="reason")
    _check_length(reason, "reason")
    now = utcnow()
    old_status, old_outcome = case.status, case.complaint_outcome
    case.complaint_stage = 2
    case.complaint_outcome = None  # the stage 1 outcome stays in the case's history
    case.respond_due = add_working_days(now, _complaint_days(case, catalogue))
    if case.status in ("new", "resolved", "waiting_for_customer"):
        set_status(case, "in_progress", now)
        record_event(case, actor, "status", "Complaint escalated", status="in_progress", created_at=now)
    record_event(case, actor, "complaint", f"Escalated to stage 2: {reason}", created_at=now)
    with force_locale(case.lang or "en"):
        message = gettext(
            "Your complaint is now being reviewed at stage 2 of our complaints procedure. "
            "We aim to reply in full by %(date)s.",
            date=format_date(case.respond_due, DATE_FORMAT),
        )
    publish(case, message, actor, now)
    audit(
        actor,
        "update",
        "case",
        case.id,
        change="complaint_escalated",
        stage=2,
        old_status=old_status,
        previous_outcome=old_outcome,
        respond_due=case.respond_due.isoformat(),
    )
    db.session.commit()
    return case


def refer_to_ombudsman(case: Case, actor: StaffUser, note: str = "") -> Case:
    """After stage 2 the resident may go to the Local Government Ombudsman: recorded once, and the
    resident is told."""
    note = (note or "").strip()
    _require_complaint(case)
    if case.complaint_stage != 2:
        raise CaseActionError(_l("Only a stage 2 complaint can be referred to the Ombudsman"))
    if case.ombudsman_referred_at is not None:
        raise CaseActionError(_l("This complaint has already been referred to the Ombudsman"))
    _check_length(note, "note")
    now = utcnow()
    case.ombudsman_referred_at = now
    text = "Referred to the Local Government Ombudsman"
    record_event(case, actor, "complaint", f"{text}: {note}" if note else text, created_at=now)
    with force_locale(case.lang or "en"):
        message = gettext(
            "Your complaint has been referred to the Local Government Ombudsman. "
            "The Ombudsman will contact you about what happens next."
        )
    publish(case, message, actor, now)
    audit(actor, "update", "case", case.id, change="ombudsman_referral", stage=2, note_given=bool(note))
    db.session.commit()
    return case


def record_complaint_outcome(
    case: Case, outcome: str, actor: StaffUser, public_message: str | None = None
) -> Case:
    """Upheld, partly upheld or not upheld, at the complaint's current stage."""
    public_message = (public_message or "").strip()
    _require_complaint(case)
    if outcome not in COMPLAINT_OUTCOMES:
        raise CaseActionError(_l("Choose the outcome of the complaint"), field="outcome")
    if case.status == "closed":
        raise CaseActionError(_l("This case is closed"), field="outcome")
    if case.complaint_outcome == outcome:
        raise CaseActionError(
            _l("The outcome is already %(outcome)s", outcome=OUTCOME_NAMES[outcome]), field="outcome"
        )
    _check_length(public_message, "public_message")
    now = utcnow()
    previous = case.complaint_outcome
    case.complaint_outcome = outcome
    record_event(
        case,
        actor,
        "complaint",
        f"Outcome at stage {case.complaint_stage}: {outcome.replace('_', ' ')}",
        created_at=now,
    )
    if public_message:
        publish(case, public_message, actor, now)
    audit(
        actor,
        "update",
        "case",
        case.id,
        change="complaint_outcome",
        stage=case.complaint_stage,
        old=previous,
        new=outcome,
        public_message=bool(public_message),
    )
    db.session.commit()
    return case


def _complaint_days(case: Case, catalogue: Catalogue | None) -> int:
    request_type = (catalogue or default_catalogue()).get(case.request_type)
    if request_type is not None and request_type.feedback == "complaint":
        return request_type.respond_days
    return COMPLAINT_RESPONSE_DAYS


# --- shared ------------------------------------------------------------------------------------------------


def merged_cases(case: Case) -> list[Case]:
    """The cases merged into this one, oldest first."""
    return list(db.session.scalars(sa.select(Case).where(Case.merged_into_id == case.id).order_by(Case.id)))


def publish(case: Case, text: str, actor: StaffUser, now: datetime, resolves: bool = False) -> CaseEvent:
    """A public event on the case and on every case merged into it, each with its own outbox message to
    its resident (when they gave an email). Returns the event on `case`. `resolves`: the update tells
    the resident of `case` it is resolved, so the email asks how we did (crm_bridge/satisfaction.py)."""
    events = [
        record_event(target, actor, "public_update", text, public=True, created_at=now)
        for target in [case, *merged_cases(case)]
    ]
    db.session.flush()
    for event in events:
        queue_case_update(event.case, event, resolves=resolves and event.case is case)
    return events[0]


def queue_case_update(case: Case, event: CaseEvent, resolves: bool = False) -> OutboxMessage | None:
    """The outbox message telling the resident of `case` about the public `event` (None without email)."""
    if case.customer is None or not case.customer.email or not event.public:
        return None
    payload = {"case_id": case.id, "event_id": event.id, "reference": case.reference, "lang": case.lang}
    message = OutboxMessage(
        kind="case_update",
        case_id=case.id,
        idempotency_key=f"case_update:{case.reference}:{event.id}",
        payload=payload | ({"resolved": True} if resolves else {}),
    )
    db.session.add(message)
    return message


def record_event(
    case: Case,
    actor: StaffUser,
    kind: str,
    text: str,
    *,
    public: bool = False,
    status: str | None = None,
    created_at: datetime | None = None,
) -> CaseEvent:
    event = CaseEvent(
        kind=kind,
        text=text or "",
        status=status,
        public=public,
        author=actor.name,
        author_id=actor.id,
        created_at=created_at or utcnow(),
    )
    case.events.append(event)
    return event


def _require_open(case: Case) -> None:
    if case.status == "closed" or case.merged_into_id is not None:
        raise CaseActionError(_l("This case is closed"))


def _require_complaint(case: Case) -> None:
    if not is_complaint(case):
        raise CaseActionError(_l("This case is not a complaint"))


def _required_text(text: str | None, field: str, message) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseActionError(message, field=field)
    _check_length(text, field)
    return text


def _check_length(text: str, field: str) -> None:
    if len(text) > MAX_TEXT:
        raise CaseActionError(_l("Use %(max)s characters or fewer", max=MAX_TEXT), field=field)
