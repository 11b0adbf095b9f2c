"""Duplicate reports: suggesting them, and merging one into the case that carries on.

A suggestion is an open case of the same request type, created within `window_days` of this one, whose
location is within `distance_metres` (haversine on lat/lng), or, where either has no coordinates, at the
same address and postcode (normalised). Merging closes the duplicate with `merged_into_id` set and a
"merge" event on both cases: nothing is moved or deleted, each history stays whole. The duplicate's resident
is told, in their language, that their report was joined to an existing one; from then on every public
update on the surviving case is also written to the duplicate and sent to its resident
(crm_bridge.workbench.case_actions)."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from portal.db import db, utcnow

from ..audit import audit
from ..models import Case
from ..staff.models import StaffUser
from ..tracking import OPEN_STATUSES
from .case_actions import CaseActionError, may_work, merged_cases, publish, record_event, set_status

EARTH_RADIUS_METRES = 6_371_008.8
MAX_CANDIDATES = 200
MAX_SUGGESTIONS = 10


def haversine_metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance between two points, in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


def normalise_postcode(postcode: str | None) -> str:
    return re.sub(r"\s+", "", postcode or "").upper()


def normalise_address(address: str | None) -> str:
    """Lower case, punctuation dropped, spaces collapsed: "14, Acacia Avenue." == "14 acacia avenue"."""
    return " ".join(re.sub(r"[^\w\s]", " ", (address or "").lower()).split())


def _coordinates(case: Case) -> tuple[float, float] | None:
    location = case.location or {}
    lat, lng = location.get("lat"), location.get("lng")
    if lat is None or lng is None:
        return None
    try:
        return float(lat), float(lng)
    except (TypeError, ValueError):
        return None


def _place(case: Case) -> tuple[str, str] | None:
    location = case.location or {}
    postcode, address = (
        normalise_postcode(location.get("postcode")),
        normalise_address(location.get("address")),
    )
    return (postcode, address) if postcode and address else None


def distance_between(case: Case, other: Case, distance_metres: float) -> float | None:
    """How far apart the two reports are (0 for the same address without coordinates), or None when they
    are not near each other, or their locations cannot be compared."""
    here, there = _coordinates(case), _coordinates(other)
    if here is not None and there is not None:
        metres = haversine_metres(*here, *there)
        return metres if metres <= distance_metres else None
    place = _place(case)
    return 0.0 if place is not None and place == _place(other) else None


def suggest_duplicates(case: Case, window_days: int, distance_metres: float) -> list[Case]:
    """Open cases that look like the same problem as `case`, nearest first."""
    if not case.location or case.merged_into_id is not None:
        return []
    window = timedelta(days=window_days)
    query = (
        sa.select(Case)
        .where(
            Case.id != case.id,
            Case.request_type == case.request_type,
            Case.status.in_(OPEN_STATUSES),
            Case.merged_into_id.is_(None),
            Case.created_at >= case.created_at - window,
            Case.created_at <= case.created_at + window,
        )
        .order_by(Case.created_at.desc())
        .limit(MAX_CANDIDATES)
    )
    near = []
    for other in db.session.scalars(query):
        metres = distance_between(case, other, distance_metres)
        if metres is not None:
            near.append((metres, other.created_at, other))
    near.sort(key=lambda item: (item[0], item[1]))
    return [other for _, _, other in near[:MAX_SUGGESTIONS]]


def merge_cases(duplicate: Case, into: Case, actor: StaffUser) -> Case:
    """Join `duplicate` to `into`, which carries on. Returns `into`."""
    if duplicate.id == into.id:
        raise CaseActionError(_l("A case cannot be merged into itself"), field="into")
    if duplicate.merged_into_id is not None or duplicate.status == "closed":
        raise CaseActionError(_l("This case is closed: it cannot be merged"), field="into")
    if into.merged_into_id is not None:
        raise CaseActionError(
            _l(
                "%(reference)s has itself been merged into another case: merge into that one instead",
                reference=into.reference,
            ),
            field="into",
        )
    if into.status == "closed":
        raise CaseActionError(_l("%(reference)s is closed", reference=into.reference), field="into")
    if into.request_type != duplicate.request_type:
        raise CaseActionError(_l("Only reports of the same type can be merged"), field="into")
    if merged_cases(duplicate):
        raise CaseActionError(
            _l(
                "Other cases have been merged into this one: merge %(reference)s into it instead",
                reference=into.reference,
            ),
            field="into",
        )
    if not (may_work(actor, duplicate) and may_work(actor, into)):
        raise CaseActionError(_l("You cannot work cases of this service"), field="into")
    now = utcnow()
    old_status = duplicate.status
    set_status(duplicate, "closed", now)
    duplicate.merged_into = into
    record_event(
        duplicate,
        actor,
        "merge",
        f"Merged into {into.reference}",
        status="closed",
        created_at=now,
    )
    record_event(
        into,
        actor,
        "merge",
        f"{duplicate.reference} merged into this case",
        created_at=now,
    )
    with force_locale(duplicate.lang or "en"):
        notice = gettext(
            "We have joined your report to an existing report of the same problem, so that it is dealt "
            "with once. We will keep you informed here about its progress."
        )
    publish(duplicate, notice, actor, now)
    audit(actor, "merge", "case", duplicate.id, into=into.id, old_status=old_status)
    audit(actor, "update", "case", into.id, change="merged_in", merged=duplicate.id)
    db.session.commit()
    return into
