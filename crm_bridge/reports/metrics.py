"""The reports' definitions (docs/metrics.md), as plain functions over counts: no Flask, no database.

queries.py counts in SQL what the classifiers below decide for one record (`acknowledgement`,
`response`, `visit`); tests hold the two to the same answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from portal.domain import SELF_SERVICE_CHANNELS

ON_TIME, LATE, PENDING = "on_time", "late", "pending"
SATISFIED_RATINGS = (5, 4)  # very good, good
TOLERANCE = 1e-9  # 19 of 20 meets a 95% target whatever the floating point says


@dataclass(frozen=True)
class Ratio:
    """How many of how many; no value when there is nothing to count (never a division by zero)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else 100 * self.value

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)


EMPTY = Ratio(0, 0)


def share(part: int, whole: int) -> Ratio:
    return Ratio(part, whole)


# --- contacts ----------------------------------------------------------------------------------------------


def self_service_share(contacts_by_channel: Mapping[str, int]) -> Ratio:
    """Contacts on the self-service channels (web, chat, kiosk, app) out of all contacts."""
    self_service = sum(
        count for channel, count in contacts_by_channel.items() if channel in SELF_SERVICE_CHANNELS
    )
    return Ratio(self_service, sum(contacts_by_channel.values()))


def first_contact_resolution(resolved_at_first_point: int, contacts: int) -> Ratio:
    """Contacts resolved at the first point of contact out of all contacts."""
    return Ratio(resolved_at_first_point, contacts)


def avoidable_contact_rate(contacts_by_reason: Mapping[str | None, int]) -> Ratio:
    """Contacts with an avoidable reason out of all contacts (the key None: not avoidable)."""
    avoidable = sum(count for reason, count in contacts_by_reason.items() if reason is not None)
    return Ratio(avoidable, sum(contacts_by_reason.values()))


# --- response times ----------------------------------------------------------------------------------------


def acknowledgement(acknowledged_on: date | None, acknowledge_due: date, today: date) -> str:
    """A case's acknowledgement against its due date (1 working day for e-forms and email, 5 for letters:
    the hand-off sets the due date). Not acknowledged and not yet past due: pending."""
    return _against_due(acknowledged_on, acknowledge_due, today)


def response(resolved_on: date | None, respond_due: date, today: date) -> str:
    """A case's full response against its due date (10 working days; complaints 15)."""
    return _against_due(resolved_on, respond_due, today)


def _against_due(done_on: date | None, due: date, today: date) -> str:
    if done_on is not None:
        return ON_TIME if done_on <= due else LATE
    return LATE if due < today else PENDING


def on_time(on_time_count: int, late_count: int) -> Ratio:
    """On time out of those decided (pending ones excluded)."""
    return Ratio(on_time_count, on_time_count + late_count)


def visit(status: str, wait_seconds: int | None, standard_minutes: int) -> str:
    """A reception visit: called within the standard is on time (a wait of exactly the standard too);
    called later, or left before being called, is late; still waiting is pending."""
    if wait_seconds is not None:
        return ON_TIME if wait_seconds <= standard_minutes * 60 else LATE
    return LATE if status == "left" else PENDING


# --- satisfaction ------------------------------------------------------------------------------------------


def satisfied(ratings_by_score: Mapping[int, int]) -> Ratio:
    """Ratings of good or very good (4 or 5) out of all ratings."""
    good = sum(count for score, count in ratings_by_score.items() if score in SATISFIED_RATINGS)
    return Ratio(good, sum(ratings_by_score.values()))


# --- comparison --------------------------------------------------------------------------------------------


def change_in_points(current: Ratio, previous: Ratio) -> float | None:
    """Percentage points from the previous period to this one; none unless both have a value."""
    if current.value is None or previous.value is None:
        return None
    return 100 * (current.value - previous.value)


def change_in_percent(current: int, previous: int) -> float | None:
    """A count's change in per cent of the previous period's count; none when that was 0."""
    return 100 * (current - previous) / previous if previous else None


def target_met(current: Ratio, target: float | None) -> bool | None:
    """Every target is higher-is-better (a fraction, 0.8 for 80%); none without a target or a value."""
    if target is None or current.value is None:
        return None
    return current.value >= target - TOLERANCE


def totals(counts: Iterable[tuple[object, int]]) -> dict:
    """(key, count) pairs summed by key, in the order keys first appear."""
    summed: dict = {}
    for key, count in counts:
        summed[key] = summed.get(key, 0) + count
    return summed
