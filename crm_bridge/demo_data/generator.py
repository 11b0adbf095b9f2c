"""The generator: a seeded walk through every day of the period, contact by contact, with what followed
each contact (a case and its events, a rating, a check-in, searches), as rows for the writer."""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from kiosk.visit_models import CheckIn
from kiosk.visits import ticket_for
from knowledge_base.models import AnswerFeedback, SearchLog, normalise_query

from ..models import Case, CaseEvent, Contact, Customer, SatisfactionRating
from ..working_days import UK_TIME, add_working_days, is_working_day, working_days_between
from .council import (
    ACK_LATE,
    ASSISTED_CHANNELS,
    ASSISTED_HOURS,
    AVOIDABLE_END,
    AVOIDABLE_REASONS,
    AVOIDABLE_START,
    CASE_CHANCE,
    CHECK_IN_CHANCE,
    CLOSED_AFTER_RESOLVED,
    COMPLAINT_CATEGORIES,
    COMPLAINT_LATE,
    COMPLAINT_OUTCOMES,
    CONTACT_MINUTES,
    CUSTOMER_ON_CASE,
    FEEDBACK_CHANCE,
    FEEDBACK_ON_ANSWER,
    FIRST_NAMES,
    GAP_QUERIES,
    GROUP_SHARES,
    HELPFUL,
    INTERACTIONS,
    LANGUAGE_SHARES,
    LAST_NAMES,
    MONTHLY,
    NOT_CONFIDENT_END,
    NOT_CONFIDENT_START,
    OMBUDSMAN_CHANCE,
    RATING_CHANCE,
    RATINGS_GOOD,
    RATINGS_LATE,
    REFERENCE_PREFIX,
    REQUEST_TYPES,
    RESPOND_LATE,
    RETURNING_CUSTOMER,
    SEARCHES_PER_CONTACT,
    SELF_SERVICE_CHANNELS,
    SELF_SERVICE_END,
    SELF_SERVICE_HOURS,
    SELF_SERVICE_START,
    SELF_SERVICE_WEEKEND,
    STAGE_TWO_CHANCE,
    STUCK,
    SUBJECT_PREFIX,
    SUMMARY_PREFIX,
    UNRESOLVED_END,
    UNRESOLVED_START,
    VISITOR_NAME,
    WAIT_MEDIAN_SECONDS,
    WAIT_SIGMA,
    WEEKDAY_FACTOR,
)
from .writer import BulkWriter


@dataclass(frozen=True)
class ArticleChoice:
    slugs_by_group: dict[str, list[str]]
    ids_by_slug: dict[str, int]  # empty when no articles are loaded: no answer feedback then
    queries_by_slug: dict[str, list[str]]


class Picker:
    """A weighted choice from a mapping, by bisecting cumulative weights (faster than rng.choices)."""

    def __init__(self, weights: dict):
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def _text(moment: datetime) -> str:
    return moment.isoformat(" ", "microseconds")


@cache
def _working_days_after(day: date, days: int) -> date:
    return add_working_days(day, days)


@cache
def _utc_offset(day: date, hour: int) -> timedelta:
    return datetime.combine(day, time(hour), tzinfo=UK_TIME).utcoffset()


def _utc(local: datetime) -> datetime:
    return local - _utc_offset(local.date(), local.hour)


@dataclass
class Visit:
    """What one contact did, enough to write it and what followed it."""

    id: int
    channel: str
    group: str
    lang: str
    local: datetime  # UK wall-clock start
    minutes: float
    case_id: int | None = None
    customer_id: int | None = None
    satisfaction: int | None = None
    row: list = field(default_factory=list)

    @property
    def ended(self) -> datetime:
        return self.local + timedelta(minutes=self.minutes)


class Generator:
    def __init__(self, options, start, end, catalogue, articles: ArticleChoice, writer: BulkWriter):
        self.rng = random.Random(options.seed)  # noqa: S311 - seeded on purpose: demo data, not secrets  # nosec B311
        self.options, self.start, self.end = options, start, end
        self.catalogue, self.articles, self.writer = catalogue, articles, writer
        self.now_local = datetime.combine(end + timedelta(days=1), time(0))  # the period is over
        self.days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        self.pick_lang = Picker(LANGUAGE_SHARES)
        self.pick_assisted, self.pick_self_service = Picker(ASSISTED_CHANNELS), Picker(SELF_SERVICE_CHANNELS)
        self.pick_assisted_hour, self.pick_any_hour = Picker(ASSISTED_HOURS), Picker(SELF_SERVICE_HOURS)
        self.pick_group = [
            Picker({g: share * MONTHLY[g][month] for g, share in GROUP_SHARES.items()}) for month in range(12)
        ]
        self.pick_request_type = {group: Picker(types) for group, types in REQUEST_TYPES.items()}
        self.pick_interaction = {group: Picker(types) for group, types in INTERACTIONS.items()}
        self.pick_reason, self.pick_category = Picker(AVOIDABLE_REASONS), Picker(COMPLAINT_CATEGORIES)
        self.pick_outcome, self.pick_searches = Picker(COMPLAINT_OUTCOMES), Picker(SEARCHES_PER_CONTACT)
        self.pick_rating = Picker(dict(zip((5, 4, 3, 2, 1), RATINGS_GOOD, strict=True)))
        self.pick_late_rating = Picker(dict(zip((5, 4, 3, 2, 1), RATINGS_LATE, strict=True)))
        self.customers: list[int] = []
        self.spare_customers: list[int] = []
        self.check_in_numbers: dict[date, int] = defaultdict(int)
        self.fallback_slugs = sorted(itertools.chain.from_iterable(articles.slugs_by_group.values()))

    def reuse_customers(self, ids: list[int]) -> None:
        self.spare_customers = list(reversed(ids))

    # Volume: how many contacts each day, assisted and self-service --------------------------------------

    def daily_counts(self) -> list[tuple[date, int, int]]:
        """(day, assisted, self-service) with the totals adding up to the contacts asked for exactly."""
        weights = []
        last = max(1, len(self.days) - 1)
        for index, day in enumerate(self.days):
            season = sum(share * MONTHLY[g][day.month - 1] for g, share in GROUP_SHARES.items())
            season *= _christmas_factor(day)
            share = _between(SELF_SERVICE_START, SELF_SERVICE_END, index / last)
            assisted = WEEKDAY_FACTOR[day.weekday()] * season if is_working_day(day) else 0.0
            day_factor = 1.0 if day.weekday() < 5 else SELF_SERVICE_WEEKEND
            # A typical week's assisted weight over its self-service days, so the weekly share is `share`.
            scale = sum(WEEKDAY_FACTOR) / (5 + 2 * SELF_SERVICE_WEEKEND)
            weights += [assisted, scale * day_factor * season * share / (1 - share)]
        counts = _apportion(self.options.contacts, weights)
        return [(day, counts[2 * i], counts[2 * i + 1]) for i, day in enumerate(self.days)]

    def run(self) -> None:
        for day, assisted, self_service in self.daily_counts():
            progress = (day - self.start).days / max(1, len(self.days) - 1)
            for _ in range(assisted):
                self.contact(day, self.pick_assisted(self.rng), progress)
            for _ in range(self_service):
                channel = self.pick_self_service(self.rng)
                if channel == "kiosk" and not is_working_day(day):
                    channel = "web"  # the kiosk is in the council offices
                self.contact(day, channel, progress)
            self.writer.flush_if_full()

    # One contact and what follows it -----------------------------------------------------------------------

    def contact(self, day: date, channel: str, progress: float) -> None:
        rng = self.rng
        office_hours = channel in ASSISTED_CHANNELS or channel == "kiosk"
        hour = self.pick_assisted_hour(rng) if office_hours else self.pick_any_hour(rng)
        local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)))
        group = self.pick_group[day.month - 1](rng)
        low, high = CONTACT_MINUTES.get(channel, (2, 8))
        visit = Visit(
            self.writer.next_id(Contact), channel, group, self.pick_lang(rng), local, rng.uniform(low, high)
        )
        request_type = self.hand_off_as(visit)
        if request_type:
            self.case(visit, request_type)
            self.set_row(visit, False, request_type.interaction_type, None, None, request_type.code)
            if channel not in ASSISTED_CHANNELS:
                self.searches(visit, self.article_for(group), progress)
                self.maybe_rate(visit, "form", _utc(visit.ended))
        elif channel in ASSISTED_CHANNELS:
            self.assisted_contact(visit, progress)
        else:
            self.answer(visit, progress)
        if channel == "face_to_face" and rng.random() < CHECK_IN_CHANCE:
            self.check_in(visit)
        self.write_contact(visit)

    def hand_off_as(self, visit: Visit):
        """The request type the contact is handed off as, or None when it is dealt with there and then."""
        code = self.feedback_kind()
        if code is None:
            chance = CASE_CHANCE.get(visit.group, 0.0) * (0.9 if visit.channel in ASSISTED_CHANNELS else 1.2)
            if self.rng.random() < chance:
                code = self.pick_request_type[visit.group](self.rng)
        return self.catalogue.get(code) if code else None

    def feedback_kind(self) -> str | None:
        roll = self.rng.random()
        for kind, chance in FEEDBACK_CHANCE.items():
            if roll < chance:
                return kind
            roll -= chance
        return None

    def assisted_contact(self, visit: Visit, progress: float) -> None:
        rng = self.rng
        picker = self.pick_interaction.get(visit.group)
        interaction = picker(rng) if picker else "providing_information"
        reason = None
        if rng.random() < _between(AVOIDABLE_START, AVOIDABLE_END, progress):
            reason = self.pick_reason(rng)
        resolved = rng.random() >= _between(UNRESOLVED_START, UNRESOLVED_END, progress)
        self.set_row(visit, resolved, interaction, reason, None, interaction)

    def answer(self, visit: Visit, progress: float) -> None:
        """A self-service answer confirmed, after a few searches; sometimes rated, sometimes marked."""
        slug = self.article_for(visit.group)
        self.searches(visit, slug, progress)
        ended = _utc(visit.ended)
        self.maybe_rate(visit, "answer", ended)
        self.set_row(visit, True, "providing_information", None, slug, f"answer {slug}")
        article_id = self.articles.ids_by_slug.get(slug)
        if article_id and self.rng.random() < FEEDBACK_ON_ANSWER:
            helpful = self.rng.random() < HELPFUL
            self.writer.add(
                AnswerFeedback,
                (
                    self.writer.next_id(AnswerFeedback),
                    _text(ended),
                    article_id,
                    visit.lang,
                    visit.channel,
                    int(helpful),
                    "",
                ),
            )

    def article_for(self, group: str) -> str | None:
        slugs = self.articles.slugs_by_group.get(group) or self.fallback_slugs
        return self.rng.choice(slugs) if slugs else None

    def set_row(self, visit, resolved, interaction, reason, slug, summary) -> None:
        visit.row = [
            visit.id,
            visit.channel,
            visit.group,
            interaction,
            visit.lang,
            _text(_utc(visit.local)),
            _text(_utc(visit.ended)),
            int(resolved),
            int(reason is not None),
            reason,
            None,
            slug,
            SUMMARY_PREFIX + summary,
            None,
            None,
        ]

    def write_contact(self, visit: Visit) -> None:
        """Written last, with the rating, customer and case that what followed it gave."""
        visit.row[10], visit.row[13], visit.row[14] = visit.satisfaction, visit.customer_id, visit.case_id
        self.writer.add(Contact, tuple(visit.row))

    def searches(self, visit: Visit, slug: str | None, progress: float) -> None:
        """A few searches before the answer or form; the last finds it, earlier ones may find nothing good."""
        rng = self.rng
        count = self.pick_searches(rng) if visit.channel != "chat" else rng.randint(1, 2)
        source = {"chat": "chat", "app": "api", "kiosk": "results"}.get(visit.channel)
        not_confident = 2 * _between(NOT_CONFIDENT_START, NOT_CONFIDENT_END, progress)
        found = self.articles.queries_by_slug.get(slug or "") or [(slug or "help").replace("-", " ")]
        for number in range(count):
            at = _utc(visit.local) - timedelta(seconds=(count - number) * rng.randint(10, 60))
            if number < count - 1 and rng.random() < not_confident:
                query, top, score, results = rng.choice(GAP_QUERIES), self.article_for(visit.group), 0.1, 3
            else:
                query, top, score, results = rng.choice(found), slug, 0.5, 10
            score += rng.random() * 0.45
            self.writer.add(
                SearchLog,
                (
                    self.writer.next_id(SearchLog),
                    _text(at),
                    query[:500],
                    normalise_query(query),
                    visit.lang,
                    visit.channel,
                    source or rng.choice(("results", "typeahead")),
                    top,
                    round(score, 3),
                    int(score >= 0.5),
                    rng.randint(0, results),
                ),
            )

    def maybe_rate(self, visit: Visit, moment: str, at: datetime, case_id=None, late=False) -> int | None:
        if self.rng.random() >= RATING_CHANCE[moment]:
            return None
        rating = (self.pick_late_rating if late else self.pick_rating)(self.rng)
        rating_id = self.writer.next_id(SatisfactionRating)
        subject = {
            "answer": f"contact:{visit.id}:answer",
            "form": f"contact:{visit.id}:form",
            "case_resolved": f"case:{case_id}:resolved",
            "kiosk_visit": f"kiosk-visit:{rating_id}",
        }[moment]
        channel = "face_to_face" if moment == "kiosk_visit" else visit.channel
        self.writer.add(
            SatisfactionRating,
            (
                rating_id,
                _text(at),
                SUBJECT_PREFIX + subject,
                moment,
                rating,
                "",
                channel,
                visit.group,
                visit.lang,
                visit.id,
                case_id,
            ),
        )
        if moment != "case_resolved":
            visit.satisfaction = rating
        return rating

    def check_in(self, visit: Visit) -> None:
        """The visitor took a ticket at the kiosk and was called after a wait, mostly under 10 minutes."""
        rng = self.rng
        busy = 1.2 if visit.local.month in (3, 4) else 1.0
        wait = int(min(3600, rng.lognormvariate(math.log(WAIT_MEDIAN_SECONDS * busy), WAIT_SIGMA)))
        called = visit.local
        day = called.date()
        self.check_in_numbers[day] += 1
        number = self.check_in_numbers[day]
        topic = visit.group if visit.group != "partners" else "other"
        check_in_id = self.writer.next_id(CheckIn)
        interpreter = (rng.random() < 0.3) if visit.lang != "en" else None
        finished = _utc(visit.ended)
        self.writer.add(
            CheckIn,
            (
                check_in_id,
                day.isoformat(),
                number,
                ticket_for(topic, number),
                VISITOR_NAME,
                topic,
                visit.lang,
                None if interpreter is None else int(interpreter),
                "seen",
                _text(_utc(called - timedelta(seconds=wait))),
                _text(_utc(called)),
                wait,
                _text(finished),
                "{}",
                visit.id,
            ),
        )
        self.maybe_rate(visit, "kiosk_visit", finished)

    # Cases ------------------------------------------------------------------------------------------------

    def customer_for(self, visit: Visit) -> int | None:
        rng = self.rng
        if rng.random() >= CUSTOMER_ON_CASE:
            return None
        if self.customers and rng.random() < RETURNING_CUSTOMER:
            return rng.choice(self.customers)
        first, last = (
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
        )  # drawn either way: same seed, same data
        if self.spare_customers:  # an earlier run's demo customer, reused
            customer_id = self.spare_customers.pop()
        else:
            customer_id = self.writer.next_id(Customer)
            created = _text(_utc(visit.local))
            self.writer.add(
                Customer,
                (
                    customer_id,
                    f"{first} {last}",
                    f"demo.{first}.{last}.{customer_id}@example.org".lower(),
                    "",
                    visit.lang,
                    "email",
                    0,
                    created,
                    created,
                ),
            )
        self.customers.append(customer_id)
        return customer_id

    def case(self, visit: Visit, request_type) -> None:
        """The hand-off: due dates from the catalogue (letters acknowledged in 5 working days), then what
        happened to the case up to the end of the period."""
        rng = self.rng
        case_id = self.writer.next_id(Case)
        created = visit.ended
        received = _received_on(created)
        ack_days = request_type.acknowledge_days
        ack_due = _working_days_after(received, max(ack_days, 5) if visit.channel == "post" else ack_days)
        respond_due = _working_days_after(received, request_type.respond_days)
        complaint = request_type.feedback == "complaint"
        answers = self.answers(request_type, visit.group, created, case_id)
        visit.case_id, visit.customer_id = case_id, self.customer_for(visit)
        timeline = self.timeline(created, received, ack_due, respond_due, complaint)
        events = [(created, "created", "new", "", True)] + [
            step for step in timeline if step[0] < self.now_local
        ]
        status = [step[2] for step in events if step[2]][-1]
        acknowledged = next((step[0] for step in events if step[2] == "acknowledged"), None)
        resolved = next((step[0] for step in events if step[2] == "resolved"), None)
        stage = (2 if "previous_reference" in answers else 1) if complaint else None
        outcome = self.pick_outcome(rng) if complaint and resolved else None
        referred = None
        if stage == 2 and outcome == "not_upheld" and rng.random() < OMBUDSMAN_CHANCE:
            referred = resolved + timedelta(days=rng.randint(10, 60))
            if referred < self.now_local:
                events.append(
                    (referred, "complaint", None, "Referred to the Local Government Ombudsman", False)
                )
            else:
                referred = None
        self.writer.add(
            Case,
            (
                case_id,
                f"{REFERENCE_PREFIX}-{created:%y}-{case_id:06d}",
                f"{rng.getrandbits(192):048x}",
                f"demo-{self.options.seed}-{case_id}",
                request_type.code,
                answers.get("service_group", request_type.service_group),
                request_type.queue,
                request_type.interaction_type,
                status,
                visit.channel,
                visit.lang,
                json.dumps(answers),
                "",
                "[]",
                "[]",
                visit.customer_id,
                _text(_utc(created)),
                _text(_utc(max(step[0] for step in events))),
                ack_due.isoformat(),
                respond_due.isoformat(),
                _optional_text(acknowledged),
                _optional_text(resolved),
                _optional_day(acknowledged),
                _optional_day(resolved),
                stage,
                answers.get("category"),
                outcome,
                _optional_text(referred),
                int(visit.lang != "en" and visit.channel == "face_to_face"),
            ),
        )
        for moment, kind, step_status, text, public in events:
            author = "" if kind == "created" else "Demo officer"
            event_row = (
                self.writer.next_id(CaseEvent),
                case_id,
                _text(_utc(moment)),
                kind,
                step_status,
                text,
            )
            self.writer.add(CaseEvent, (*event_row, author, int(public)))
        if resolved and visit.customer_id:
            rated_at = _utc(resolved + timedelta(hours=rng.randint(1, 72)))
            late = resolved.date() > respond_due
            self.maybe_rate(visit, "case_resolved", rated_at, case_id=case_id, late=late)

    def answers(self, request_type, group: str, created: datetime, case_id: int) -> dict:
        """Only what the reports read: a 3Cs form's service and a complaint's category; a stage 2
        complaint names the earlier one."""
        answers = {}
        if request_type.feedback:
            answers["service_group"] = group if group != "partners" else "general"
        if request_type.feedback == "complaint":
            answers["category"] = self.pick_category(self.rng)
            if self.rng.random() < STAGE_TWO_CHANCE:
                earlier = self.rng.randint(1, case_id)
                answers["previous_reference"] = f"{REFERENCE_PREFIX}-{created:%y}-{earlier:06d}"
        return answers

    def timeline(self, created, received, ack_due, respond_due, complaint) -> list[tuple]:
        """Acknowledged (mostly on time), in progress, resolved (mostly on time), sometimes closed; a few
        stay open. (moment, kind, status, text, public), UK wall-clock times."""
        rng = self.rng
        if rng.random() < ACK_LATE:
            ack_day = _working_days_after(ack_due, rng.randint(1, 3))
        else:
            ack_day = min(ack_due, _working_days_after(received, rng.choice((0, 0, 0, 1, 5))))
        acknowledged = _office_time(rng, ack_day, after=created)
        steps = [(acknowledged, "status", "acknowledged", "", False)]
        if rng.random() < 0.4:
            text = "We have your request and the team is looking at it."
            steps.append((acknowledged + timedelta(minutes=1), "public_update", None, text, True))
        if rng.random() < STUCK:
            status = rng.choice(("in_progress", "waiting_for_customer"))
            return steps + [(acknowledged + timedelta(hours=2), "status", status, "", False)]
        if rng.random() < (COMPLAINT_LATE if complaint else RESPOND_LATE):
            resolve_day = _working_days_after(respond_due, rng.randint(1, 8))
        else:
            span = _working_days_between(ack_day, respond_due)
            resolve_day = _working_days_after(ack_day, int(rng.triangular(0, span, 0)))
        started = _office_time(rng, ack_day, after=acknowledged)
        resolved = _office_time(rng, resolve_day, after=started)
        steps += [
            (started, "status", "in_progress", "", False),
            (resolved, "status", "resolved", "", False),
            (
                resolved + timedelta(minutes=1),
                "public_update",
                None,
                "Your request has been dealt with.",
                True,
            ),
        ]
        if rng.random() < CLOSED_AFTER_RESOLVED:
            closed = resolved + timedelta(days=rng.randint(2, 14))
            steps.append((closed, "status", "closed", "No further action", False))
        return steps


# --- small pure helpers ------------------------------------------------------------------------------------


def _between(start: float, end: float, progress: float) -> float:
    return start + (end - start) * progress


def _christmas_factor(day: date) -> float:
    if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 2):
        return 0.55
    return 1.0


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Whole numbers in proportion to the weights that add up to total: systematic sampling (a point every
    sum/total along the cumulative weights), so small weights get their fair share even at small totals."""
    step = sum(weights) / total
    counts, cumulative, taken = [], 0.0, 0
    for weight in weights:
        cumulative += weight
        reached = min(total, int(cumulative / step + 0.5))
        counts.append(reached - taken)
        taken = reached
    counts[-1] += total - taken
    return counts


def _received_on(local: datetime) -> date:
    """As crm_bridge.working_days.received_on, for a UK wall-clock time."""
    day = local.date()
    if is_working_day(day) and local.time() < time(17):
        return day
    return _working_days_after(day, 1) if is_working_day(day) else _working_days_after(day, 0)


@cache
def _working_days_between(start: date, end: date) -> int:
    return working_days_between(start, end)


def _office_time(rng: random.Random, day: date, after: datetime) -> datetime:
    """A time on working day `day` between 09:00 and 17:30, later than `after`."""
    opening = datetime.combine(day, time(9))
    earliest = max(opening, after + timedelta(minutes=5))
    closing = max(datetime.combine(day, time(17, 30)), earliest + timedelta(minutes=30))
    seconds = int((closing - earliest).total_seconds())
    return earliest + timedelta(seconds=int(rng.triangular(0, seconds, 0)))


def _optional_text(local: datetime | None) -> str | None:
    return _text(_utc(local)) if local else None


def _optional_day(local: datetime | None) -> str | None:
    return local.date().isoformat() if local else None
