"""The Open311 API over the case store: make a request through the one hand-off, and find requests.

The GETs answer only about cases the asker may see (Audience): requests of the types the council publishes
(OPEN311_PUBLIC_SERVICE_CODES), and a partner's own requests. Any other case is answered exactly as a
reference that does not exist, so walking references learns nothing (docs/open311.md, "Privacy")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.db import db

from ..catalogue import Catalogue, RequestType
from ..handoff import HandOffError, HandOffSettings, hand_off
from ..models import Case
from .intake import RequestQuery, first_value, parse_submission, submission_prefix
from .serialise import OPEN311_CHANNEL, Open311Error

MAX_TOKEN = 64  # tracking tokens are 43 characters; nothing longer is looked up


@dataclass(frozen=True)
class Audience:
    """Who asks: everyone sees requests of the published types; a partner (its key's name) its own too."""

    public_codes: frozenset[str] = frozenset()
    partner: str | None = None

    def sent(self, case: Case) -> bool:
        """Did this partner send the case? Then it is shown what it sent (serialise, with_details)."""
        return (
            self.partner is not None
            and case.channel == OPEN311_CHANNEL
            and case.submission_key.startswith(submission_prefix(self.partner))
        )

    def condition(self):
        shown = []
        if self.public_codes:
            shown.append(Case.request_type.in_(sorted(self.public_codes)))
        if self.partner is not None:
            shown.append(Case.submission_key.startswith(submission_prefix(self.partner), autoescape=True))
        return sa.or_(*shown) if shown else sa.false()


def request_type_for(code: str, catalogue: Catalogue) -> RequestType:
    if not code:
        raise Open311Error(400, "service_code is required")
    request_type = catalogue.get(code)
    if request_type is None:
        raise Open311Error(404, f"service_code {code} was not found")
    return request_type


def create_request(
    form: Mapping[str, list[str]], key_name: str, catalogue: Catalogue, settings: HandOffSettings
) -> tuple[Case, RequestType]:
    """A checked POST becomes a case (with its contact and outbox messages) through hand_off."""
    request_type = request_type_for(first_value(form, "service_code"), catalogue)
    submission = parse_submission(form, request_type, key_name)
    try:
        case = hand_off(submission, settings, catalogue)
    except HandOffError as error:
        raise Open311Error(400, str(error)) from error
    return case, request_type


def _with_events():
    return sa.select(Case).options(selectinload(Case.events))


def find_requests(query: RequestQuery, audience: Audience) -> list[Case]:
    statement = _with_events().where(Case.reference.is_not(None), audience.condition())
    if query.references:
        statement = statement.where(Case.reference.in_(query.references))
    else:
        statement = statement.where(Case.created_at >= query.start, Case.created_at <= query.end)
        if query.service_codes:
            statement = statement.where(Case.request_type.in_(query.service_codes))
        if query.statuses:
            statement = statement.where(Case.status.in_(query.statuses))
    statement = statement.order_by(Case.created_at.desc(), Case.id.desc()).limit(query.limit)
    return list(db.session.scalars(statement))


def find_request(reference: str, audience: Audience) -> Case | None:
    return db.session.scalar(_with_events().where(Case.reference == reference, audience.condition()))


def find_by_token(token: str) -> Case | None:
    """The case whose tracking token this is (a secret the resident was given: it names any case)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return db.session.scalar(sa.select(Case).where(Case.tracking_token == token))
