"""Check-in at the kiosk and the reception queue: the operations on a CheckIn. No Flask request machinery:
the views pass the session's values, and staff actions take the acting member of staff (`actor`), writing
their audit rows in the same transaction as the change."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from crm_bridge.assisted import customer_for_contact
from crm_bridge.audit import audit
from crm_bridge.contacts import record_contact
from crm_bridge.models import AVOIDABLE_REASONS, Case, Contact
from crm_bridge.staff.models import StaffUser
from crm_bridge.workbench.sla import uk_date
from knowledge_base.operations import published_titles
from portal.chat.services import transcript_of
from portal.db import db, utcnow
from portal.domain import INTERACTION_TYPES, LANGUAGES, SERVICE_GROUPS
from portal.eforms.models import FormDraft

from .visit_models import MAX_NAME, CheckIn

OTHER = "other"  # "something else": no service group chosen
TOPICS = tuple(group for group in SERVICE_GROUPS if group != "partners") + (OTHER,)
# A letter per topic, so a ticket says what the visitor came about; the number restarts each day.
TICKET_LETTERS = {
    "environment": "E",
    "parking": "P",
    "housing-options": "H",
    "housing-tenants": "T",
    "planning": "D",
    "general": "G",
    "housing-benefit": "B",
    "council-tax": "C",
    OTHER: "S",
}
assert set(TICKET_LETTERS) == set(TOPICS)

WAIT_STANDARD_MINUTES = 10  # the reception standard: seen within 10 minutes
DEFAULT_VISIT_MINUTES = 8  # assumed length of a visit when none was finished in the recent window
RECENT_WINDOW = timedelta(hours=2)
RETENTION_DAYS = 30
MAX_SEARCHES = 10


class CheckInError(ValueError):
    """A check-in or a reception action cannot be done as asked; the message says why."""


# Pure -------------------------------------------------------------------------------------------------


def estimate_wait(
    ahead: int, visit_minutes: Sequence[float], advisors: int, default_minutes: float = DEFAULT_VISIT_MINUTES
) -> int:
    """Minutes until a visitor is called, rounded up: the people waiting ahead of them, times the average
    length of a recent visit (the default when there is none), shared among the advisors serving."""
    if ahead <= 0:
        return 0
    average = sum(visit_minutes) / len(visit_minutes) if visit_minutes else default_minutes
    return math.ceil(ahead * average / max(1, advisors))


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from start to end (never negative)."""
    return max(0, int((end - start).total_seconds() // 60))


def ticket_for(topic: str, number: int) -> str:
    return f"{TICKET_LETTERS[topic]}{number:03d}"


def service_group_of(topic: str) -> str:
    """The service group a visit is counted under: "something else" is a general enquiry."""
    return "general" if topic == OTHER else topic


# The kiosk --------------------------------------------------------------------------------------------


def visit_activity(
    searches: Iterable[dict | str] = (),
    chat_token: str | None = None,
    draft_keys: Iterable[str] = (),
    confirmed_answers: Iterable[str] = (),
) -> dict:
    """What the visitor did at the kiosk in this visit, from the session's values: their searches, the chat
    transcript, the cases their forms became and the answers they said helped."""
    queries = [item.get("query", "") if isinstance(item, dict) else str(item) for item in searches]
    keys = [key for key in draft_keys if key]
    drafts = (
        db.session.scalars(
            sa.select(FormDraft)
            .where(FormDraft.key.in_(keys), FormDraft.case_reference.is_not(None))
            .order_by(FormDraft.id)
        )
        if keys
        else []
    )
    slugs = list(dict.fromkeys(confirmed_answers))
    return {
        "searches": [query for query in queries if query][-MAX_SEARCHES:],
        "transcript": transcript_of(chat_token),
        "cases": [{"reference": d.case_reference, "request_type": d.request_type} for d in drafts],
        "answers": [{"slug": slug, "title": title} for slug, title in published_titles(slugs, "en")],
    }


@dataclass(frozen=True)
class KioskVisit:
    """The visit's traces in the kiosk session (portal keys "recent_searches", "chat_token", "drafts",
    "confirmed_answers"), passed by the view as plain values."""

    searches: tuple = ()
    chat_token: str | None = None
    draft_keys: tuple = ()
    confirmed_answers: tuple = ()


def check_in(
    kiosk_id: int | None,
    topic: str,
    name_or_initials: str,
    lang: str,
    needs_interpreter: bool | None = None,
    visited: KioskVisit | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """A new ticket in today's queue, with a snapshot of what the visitor did at the kiosk so far. Two
    kiosks checking in at once may pick the same number: the unique (day, number) refuses the second,
    which takes the next number."""
    activity = visit_activity(**vars(visited)) if visited else {}
    name = (name_or_initials or "").strip()
    if topic not in TOPICS:
        raise CheckInError(f"unknown topic {topic!r}")
    if not name or len(name) > MAX_NAME:
        raise CheckInError("a name or initials of 1 to 60 characters is needed")
    now = now or utcnow()
    day = uk_date(now)
    for _attempt in range(5):
        number = 1 + (
            db.session.scalar(sa.select(sa.func.max(CheckIn.number)).where(CheckIn.day == day)) or 0
        )
        visit = CheckIn(
            kiosk_id=kiosk_id,
            day=day,
            number=number,
            ticket=ticket_for(topic, number),
            name_or_initials=name,
            topic=topic,
            lang=lang if lang in LANGUAGES else "en",
            needs_interpreter=needs_interpreter,
            status="waiting",
            checked_in_at=now,
            activity=activity,
        )
        db.session.add(visit)
        try:
            db.session.commit()
            return visit
        except IntegrityError:
            db.session.rollback()
    raise CheckInError("could not give a ticket number; try again")


def find_check_in(check_in_id: int | None) -> CheckIn | None:
    return db.session.get(CheckIn, check_in_id) if check_in_id else None


def people_ahead(visit: CheckIn) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CheckIn)
        .where(CheckIn.day == visit.day, CheckIn.status == "waiting", CheckIn.number < visit.number)
    )


@dataclass(frozen=True)
class WaitEstimate:
    ahead: int
    minutes: int


def wait_estimate(visit: CheckIn, now: datetime | None = None) -> WaitEstimate:
    """Minutes until this waiting visitor is called, from how reception went in the last two hours."""
    now = now or utcnow()
    since = now - RECENT_WINDOW
    recent = db.session.execute(
        sa.select(CheckIn.called_at, CheckIn.finished_at).where(
            CheckIn.status == "seen", CheckIn.finished_at >= since, CheckIn.day == uk_date(now)
        )
    ).all()
    visit_minutes = [(finished - called).total_seconds() / 60 for called, finished in recent if called]
    advisors = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(CheckIn.called_by_id))).where(
            CheckIn.called_at >= since, CheckIn.called_by_id.is_not(None)
        )
    )
    ahead = people_ahead(visit)
    return WaitEstimate(ahead, estimate_wait(ahead, visit_minutes, advisors or 1))


# The reception queue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    visit: CheckIn
    waited_minutes: int
    over_standard: bool


@dataclass(frozen=True)
class DayFigures:
    visitors: int = 0
    waiting: int = 0
    called: int = 0  # called today (being seen or seen)
    within_standard_percent: int | None = None  # of those called, the share called within the standard
    average_wait_minutes: int | None = None
    left: int = 0


@dataclass(frozen=True)
class ReceptionQueue:
    waiting: list[QueueEntry] = field(default_factory=list)
    being_seen: list[QueueEntry] = field(default_factory=list)
    figures: DayFigures = field(default_factory=DayFigures)


def reception_queue(
    now: datetime | None = None, standard_minutes: int = WAIT_STANDARD_MINUTES
) -> ReceptionQueue:
    """Today's queue: waiting visitors, longest-waiting first, and those being seen; and today's figures."""
    now = now or utcnow()
    visits = list(
        db.session.scalars(
            sa.select(CheckIn).where(CheckIn.day == uk_date(now)).order_by(CheckIn.checked_in_at, CheckIn.id)
        )
    )

    def entry(visit: CheckIn) -> QueueEntry:
        waited = minutes_between(visit.checked_in_at, visit.called_at or now)
        return QueueEntry(visit, waited, waited > standard_minutes)

    called = [visit for visit in visits if visit.called_at is not None and visit.status in ("called", "seen")]
    waits = [minutes_between(visit.checked_in_at, visit.called_at) for visit in called]
    figures = DayFigures(
        visitors=len(visits),
        waiting=sum(visit.status == "waiting" for visit in visits),
        called=len(called),
        within_standard_percent=(
            round(100 * sum(wait <= standard_minutes for wait in waits) / len(waits)) if waits else None
        ),
        average_wait_minutes=round(sum(waits) / len(waits)) if waits else None,
        left=sum(visit.status == "left" for visit in visits),
    )
    return ReceptionQueue(
        waiting=[entry(visit) for visit in visits if visit.status == "waiting"],
        being_seen=[entry(visit) for visit in visits if visit.status == "called"],
        figures=figures,
    )


def call_next(actor: StaffUser, now: datetime | None = None) -> CheckIn | None:
    """The longest-waiting visitor today is called by `actor`. Two advisors pressing at once never call
    the same visitor: the change applies only while the visitor is still waiting."""
    now = now or utcnow()
    candidates = db.session.execute(
        sa.select(CheckIn.id, CheckIn.checked_in_at)
        .where(CheckIn.day == uk_date(now), CheckIn.status == "waiting")
        .order_by(CheckIn.checked_in_at, CheckIn.id)
        .limit(5)
    ).all()
    for check_in_id, checked_in_at in candidates:
        waited = max(0, round((now - checked_in_at).total_seconds()))
        changed = db.session.execute(
            sa.update(CheckIn)
            .where(CheckIn.id == check_in_id, CheckIn.status == "waiting")
            .values(status="called", called_at=now, called_by_id=actor.id, wait_seconds=waited)
        )
        if changed.rowcount == 1:
            audit(actor, "update", "check_in", check_in_id, status="called")
            db.session.commit()
            visit = db.session.get(CheckIn, check_in_id)
            db.session.refresh(visit)
            return visit
    db.session.rollback()
    return None


def visit_cases(visit: CheckIn) -> list[Case]:
    """The cases the visitor's forms at the kiosk became, in the order they were made."""
    references = [item.get("reference") for item in (visit.activity or {}).get("cases", [])]
    references = [reference for reference in references if reference]
    if not references:
        return []
    return list(db.session.scalars(sa.select(Case).where(Case.reference.in_(references)).order_by(Case.id)))


@dataclass(frozen=True)
class VisitOutcome:
    resolved: bool
    interaction_type: str
    avoidable_reason: str | None = None  # None: not avoidable


def finish_visit(
    visit: CheckIn, outcome: VisitOutcome, actor: StaffUser, now: datetime | None = None
) -> Contact:
    """The visit becomes a face-to-face contact, logged by the advisor and attributed to the kiosk, linked
    to the case the visitor made at the kiosk when there was exactly one; the check-in is then seen."""
    if outcome.interaction_type not in INTERACTION_TYPES:
        raise CheckInError(f"unknown interaction type {outcome.interaction_type!r}")
    if outcome.avoidable_reason is not None and outcome.avoidable_reason not in AVOIDABLE_REASONS:
        raise CheckInError(f"unknown avoidable reason {outcome.avoidable_reason!r}")
    now = now or utcnow()
    changed = db.session.execute(
        sa.update(CheckIn)
        .where(CheckIn.id == visit.id, CheckIn.status.in_(("waiting", "called")))
        .values(status="seen", finished_at=now)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        raise CheckInError("this visit is already finished")
    db.session.refresh(visit)
    cases = visit_cases(visit)
    case = cases[0] if len(cases) == 1 else None
    contact = record_contact(
        "face_to_face",
        outcome.interaction_type,
        visit.lang,
        resolved_at_first_point=outcome.resolved,
        service_group=service_group_of(visit.topic),
        started_at=visit.called_at or visit.checked_in_at,
        summary=f"Reception visit {visit.ticket}",
        case=case,
        customer=customer_for_contact(case.customer_id) if case else None,
        logged_by_id=actor.id,
        kiosk_id=visit.kiosk_id,
        avoidable=outcome.avoidable_reason is not None,
        avoidable_reason=outcome.avoidable_reason,
    )
    db.session.flush()
    visit.contact_id = contact.id
    if visit.called_at is None:  # finished straight from the queue: called now, by this advisor
        visit.called_at, visit.called_by_id = now, actor.id
    audit(actor, "update", "check_in", visit.id, status="seen", contact_id=contact.id)
    audit(
        actor,
        "create",
        "contact",
        contact.id,
        channel="face_to_face",
        service_group=contact.service_group,
        resolved=outcome.resolved,
        avoidable_reason=outcome.avoidable_reason,
        case_id=case.id if case else None,
        via="reception",
    )
    db.session.commit()
    return contact


def mark_left(visit: CheckIn, actor: StaffUser, now: datetime | None = None) -> bool:
    """The visitor left before being seen. False when the visit was already finished."""
    changed = db.session.execute(
        sa.update(CheckIn)
        .where(CheckIn.id == visit.id, CheckIn.status.in_(("waiting", "called")))
        .values(status="left", finished_at=now or utcnow())
    )
    if changed.rowcount != 1:
        db.session.rollback()
        return False
    audit(actor, "update", "check_in", visit.id, status="left")
    db.session.commit()
    db.session.refresh(visit)
    return True


# Retention --------------------------------------------------------------------------------------------


def forget_old_check_ins(
    days: int = RETENTION_DAYS, now: datetime | None = None, dry_run: bool = False
) -> int:
    """Empties the name or initials and the kiosk activity of check-ins older than `days`; the ticket,
    topic, times and outcome stay for the reception figures. Returns how many were (or would be) forgotten.
    Run by `flask crm apply-retention` (registered as a retention hook in portal/app.py)."""
    now = now or utcnow()
    old = sa.and_(CheckIn.checked_in_at < now - timedelta(days=days), CheckIn.forgotten_at.is_(None))
    if dry_run:
        return db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn).where(old))
    changed = db.session.execute(
        sa.update(CheckIn).where(old).values(name_or_initials="", activity={}, forgotten_at=now)
    )
    db.session.commit()
    return changed.rowcount
