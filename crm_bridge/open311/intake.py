"""What partner apps send, checked: a POSTed service request into a hand-off Submission, and the GET
requests filters into a query. Pure: no Flask, no database session.

Every problem is reported at once, each naming its field (the spec's 400 errors). Text is kept exactly as
sent, HTML and all (it is data: escaped wherever it is shown), less control characters, which no field
needs and which XML and PostgreSQL cannot carry."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email

from portal.domain import DEFAULT_LANGUAGE, LANGUAGES

from ..catalogue import Question, RequestType
from ..handoff import CustomerDetails, Location, Submission
from .serialise import CLOSED_STATUSES, OPEN311_CHANNEL, OPEN_STATUSES, Open311Error

Form = Mapping[str, list[str]]

MAX_DESCRIPTION = 4000  # the spec's limit
MAX_LENGTHS = {"address_string": 500, "first_name": 100, "last_name": 100, "email": 254, "phone": 40}
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
ATTRIBUTE = re.compile(r"attribute\[([^\[\]]+)\](?:\[\])?")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
STATUSES = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}


def clean(value: str) -> str:
    return CONTROL.sub("", value).strip()


def first_value(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return clean(values[0])


def _text(form: Form, name: str, limit: int, problems: list[str]) -> str:
    value = first_value(form, name)
    if len(value) > limit:
        problems.append(f"{name} must be {limit} characters or fewer")
    return value


def submission_prefix(key_name: str) -> str:
    """Every case a partner sends has a submission key starting with this: it records who sent it."""
    return f"open311:{key_name}:"


def parse_submission(form: Form, request_type: RequestType, key_name: str) -> Submission:
    """The POSTed fields as a Submission for hand_off, or Open311Error(400) listing every problem."""
    problems: list[str] = []
    answers = _answers(form, request_type, problems)
    location = _location(form, request_type, problems)
    customer = _customer(form, problems)
    details = _text(form, "description", MAX_DESCRIPTION, problems)
    if problems:
        raise Open311Error(400, *problems)
    return Submission(
        request_type=request_type.code,
        submission_key=f"{submission_prefix(key_name)}{uuid.uuid4().hex}",
        channel=OPEN311_CHANNEL,
        answers=answers,
        details=details,
        customer=customer,
        location=location,
        # Not in GeoReport v2: a partner may send the resident's language (one of ours), else English.
        lang=lang if (lang := first_value(form, "lang")) in LANGUAGES else DEFAULT_LANGUAGE,
    )


def _sent_attributes(form: Form) -> dict[str, list[str]]:
    sent: dict[str, list[str]] = {}
    for name, values in form.items():
        match = ATTRIBUTE.fullmatch(name)
        if match:
            cleaned = (clean(value) for value in values)
            sent.setdefault(match.group(1), []).extend(value for value in cleaned if value)
    return sent


def _answers(form: Form, request_type: RequestType, problems: list[str]) -> dict[str, str]:
    """The answers to the questions that apply, in order; attributes that are no question are ignored."""
    sent = _sent_attributes(form)
    answers: dict[str, str] = {}
    for question in request_type.questions:
        if not question.applies(answers):
            continue
        values = sent.get(question.code, [])
        field = f"attribute[{question.code}]"
        if len(values) > 1:
            problems.append(f"{field} takes one value")
        elif not values:
            if question.required:
                problems.append(f"{field} is required: {question.label}")
        else:
            answer, problem = _answer(question, values[0])
            if problem:
                problems.append(f"{field} {problem}")
            else:
                answers[question.code] = answer
    return answers


def _answer(question: Question, value: str) -> tuple[str, str | None]:
    if question.choices:
        keys = [key for key, _ in question.choices]
        if value not in keys:
            return value, f"must be one of: {', '.join(keys)}"
        return value, None
    if question.type == "date":
        day = _date(value)
        return (day.isoformat(), None) if day else (value, "must be a date, like 2026-03-27")
    if len(value) > question.max_length:
        return value, f"must be {question.max_length} characters or fewer"
    return value, None


def _date(value: str) -> date | None:
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _location(form: Form, request_type: RequestType, problems: list[str]) -> Location | None:
    address = _text(form, "address_string", MAX_LENGTHS["address_string"], problems)
    lat, lng = first_value(form, "lat"), first_value(form, "long")
    point = _point(lat, lng, problems)
    if request_type.location == "required" and not (lat or lng or address):
        problems.append("lat and long, or address_string, are required: this service needs a location")
    if request_type.location == "none" or (point is None and not address):
        return None
    return Location(address=address, lat=point[0] if point else None, lng=point[1] if point else None)


def _point(lat: str, lng: str, problems: list[str]) -> tuple[float, float] | None:
    if not lat and not lng:
        return None
    if not lat or not lng:
        missing, sent = ("lat", "long") if not lat else ("long", "lat")
        problems.append(f"{missing} is required with {sent}")
        return None
    numbers = (_coordinate("lat", lat, 90, problems), _coordinate("long", lng, 180, problems))
    return None if None in numbers else numbers


def _coordinate(name: str, value: str, limit: int, problems: list[str]) -> float | None:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        problems.append(f"{name} must be a number from -{limit} to {limit} (WGS84 degrees)")
        return None
    return number


def _customer(form: Form, problems: list[str]) -> CustomerDetails | None:
    names = ("first_name", "last_name", "email", "phone")
    first, last, email, phone = (_text(form, name, MAX_LENGTHS[name], problems) for name in names)
    if email and not _is_email(email):
        problems.append("email must be an email address, like name@example.com")
    if phone and not re.search(r"\d", phone):
        problems.append("phone must be a phone number")
    if not (first or last or email or phone):
        return None
    return CustomerDetails(
        name=" ".join(part for part in (first, last) if part),
        email=email or None,
        phone=phone or None,
        preferred_contact="phone" if phone and not email else "email",
    )


def _is_email(value: str) -> bool:
    """One mailbox, by the rules the web forms use (email-validator): 'a,b@example.org' would make the
    acknowledgement's To header name two recipients."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@dataclass(frozen=True)
class RequestQuery:
    """GET requests: the references asked for (which override everything else), or the other filters."""

    references: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    limit: int = MAX_RESULTS


def parse_query(args: Mapping[str, str], now: datetime) -> RequestQuery:
    """The spec's filters; the dates default to the latest 90 days and may not span more. `now` is UTC."""
    references = _listed(args.get("service_request_id", ""))
    if references:
        return RequestQuery(references=references[:MAX_RESULTS])
    problems: list[str] = []
    statuses = _statuses(_listed(args.get("status", "")), problems)
    start = _moment(args, "start_date", problems)
    end = _moment(args, "end_date", problems)
    if start and end and start > end:
        problems.append("start_date must be before end_date")
    elif start and end and end - start > MAX_SPAN:
        problems.append("start_date and end_date may not span more than 90 days")
    if problems:
        raise Open311Error(400, *problems)
    if end is None:
        end = min(start + MAX_SPAN, now) if start else now
    start = start or end - MAX_SPAN
    return RequestQuery(
        service_codes=_listed(args.get("service_code", "")), statuses=statuses, start=start, end=end
    )


def _listed(value: str) -> tuple[str, ...]:
    return tuple(item for item in (clean(part) for part in clean(value).split(",")) if item)


def _statuses(asked: tuple[str, ...], problems: list[str]) -> tuple[str, ...]:
    unknown = [status for status in asked if status not in STATUSES]
    if unknown:
        problems.append("status must be open or closed (or both, comma separated)")
        return ()
    return tuple(status for name in asked for status in STATUSES[name])


def _moment(args: Mapping[str, str], name: str, problems: list[str]) -> datetime | None:
    value = clean(args.get(name, ""))
    if not value:
        return None
    # A '+' in an unencoded query string arrives as a space: 2026-01-01T00:00:00 01:00.
    value = re.sub(r" (\d\d:?\d\d)$", r"+\1", value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append(f"{name} must be a W3C date and time, like 2026-01-01T00:00:00Z")
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
