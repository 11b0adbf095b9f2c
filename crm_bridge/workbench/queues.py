"""The queues: counts by service group and request type, and filtered, paginated lists of cases.

Every query takes the reader's scope (`StaffUser.case_scope()`: the service groups they may see, None for
every group) as a parameter, so a service officer never counts or lists another team's cases. No Flask."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from crm_bridge.models import Case, Customer
from crm_bridge.tracking import OPEN_STATUSES
from portal.db import db

from .sla import due_window

PER_PAGE = 25
DUE_CHOICES = ("today", "soon", "breached")
ASSIGNED_CHOICES = ("me", "unassigned")
# Status filter: "" means every open case (the working queue), "all" every case, else one status.
ALL_STATUSES = "all"


@dataclass(frozen=True)
class QueueCount:
    service_group: str
    request_type: str
    open: int
    breached: int
    due_today: int
    unassigned: int


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    due: str = ""  # today, soon (today to the 2nd working day after), breached
    channel: str = ""
    lang: str = ""
    assigned: str = ""  # me, unassigned
    service_group: str = ""
    request_type: str = ""
    interpreter: bool = False
    q: str = ""  # reference (exact), name (contains), email (exact), postcode (spaces ignored)


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    total: int
    page: int
    per_page: int = PER_PAGE
    filters: CaseFilters = field(default_factory=CaseFilters)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _in_scope(query: sa.Select, scope: list[str] | None) -> sa.Select:
    return query if scope is None else query.where(Case.service_group.in_(scope))


def _open():
    return Case.status.in_(OPEN_STATUSES)


def queue_counts(scope: list[str] | None, today: date) -> list[QueueCount]:
    """Open cases per service group and request type, with how many are breached, due today, unassigned."""

    def counted(condition) -> sa.ColumnElement:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    query = (
        sa.select(
            Case.service_group,
            Case.request_type,
            sa.func.count(),
            counted(Case.respond_due < today),
            counted(Case.respond_due == today),
            counted(Case.assigned_to_id.is_(None)),
        )
        .where(_open())
        .group_by(Case.service_group, Case.request_type)
        .order_by(Case.service_group, Case.request_type)
    )
    return [QueueCount(*row) for row in db.session.execute(_in_scope(query, scope))]


def find_cases(
    filters: CaseFilters,
    scope: list[str] | None,
    user_id: int | None,
    today: date,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> CasePage:
    """One page of the cases matching `filters` within `scope`, the most urgent (earliest due) first."""
    query = _in_scope(_filtered(sa.select(Case), filters, user_id, today), scope)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    cases = db.session.scalars(
        query.options(selectinload(Case.customer), selectinload(Case.assigned_to))
        .order_by(Case.respond_due, Case.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return CasePage(list(cases), total, page, per_page, filters)


def _filtered(query: sa.Select, filters: CaseFilters, user_id: int | None, today: date) -> sa.Select:
    if filters.status == ALL_STATUSES:
        pass
    elif filters.status:
        query = query.where(Case.status == filters.status)
    else:
        query = query.where(_open())
    if filters.due:
        query = query.where(_open(), _due_condition(filters.due, today))
    if filters.channel:
        query = query.where(Case.channel == filters.channel)
    if filters.lang:
        query = query.where(Case.lang == filters.lang)
    if filters.assigned == "me":
        query = query.where(Case.assigned_to_id == user_id)
    elif filters.assigned == "unassigned":
        query = query.where(Case.assigned_to_id.is_(None))
    if filters.service_group:
        query = query.where(Case.service_group == filters.service_group)
    if filters.request_type:
        query = query.where(Case.request_type == filters.request_type)
    if filters.interpreter:
        query = query.where(Case.interpreter_needed.is_(True))
    if filters.q:
        query = query.where(_search_condition(filters.q))
    return query


def _due_condition(due: str, today: date) -> sa.ColumnElement:
    if due == "today":
        return Case.respond_due == today
    if due == "soon":
        start, end = due_window(today)
        return Case.respond_due.between(start, end)
    if due == "breached":
        return Case.respond_due < today
    raise ValueError(f"unknown due filter {due!r}")


def compact_postcode(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def _search_condition(q: str) -> sa.ColumnElement:
    """Reference (exact, any case), the customer's name (contains), email (exact, any case), or the
    customer's or the location's postcode (spaces and case ignored)."""
    q = q.strip()
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    postcode = compact_postcode(q)
    location_postcode = Case.location["postcode"].as_string()
    customer_matches = sa.select(Customer.id).where(
        sa.or_(
            Customer.name.ilike(f"%{escaped}%", escape="\\"),
            sa.func.lower(Customer.email) == q.lower(),
            sa.func.replace(sa.func.upper(Customer.postcode), " ", "") == postcode,
        )
    )
    return sa.or_(
        Case.reference == q.upper(),
        Case.customer_id.in_(customer_matches),
        sa.func.replace(sa.func.upper(location_postcode), " ", "") == postcode,
    )
