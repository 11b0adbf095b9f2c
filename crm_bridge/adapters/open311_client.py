"""Push cases to an external CRM that speaks Open311 GeoReport v2, and pull its updates back.

Push (`crm_push` messages): POST requests.json with the configured API key and the service code our
request type maps to; the returned service_request_id becomes `case.external_reference`. GeoReport v2
has no idempotency key of its own, so the POST carries the outbox message's key in an `Idempotency-Key`
header (the IETF draft's name; a CRM that ignores it loses nothing) for a receiver that deduplicates; a
case that already has an external reference is never POSTed again; a server that answers with a token
instead (the spec allows it) has the token kept in the message's payload and resolved through
tokens/<token>.json on the next attempt, not POSTed again.

Pull: mySociety's servicerequestupdates.json extension (update_id, service_request_id, status,
updated_datetime, description) since the last update we took; each update for one of our cases becomes
one public `external_update` event. An update is taken once: a receipt row in the outbox table (kind
`open311_update`, idempotency key `open311_update:<update_id>`, delivered at once) guards it, so a
repeated or concurrent pull adds nothing twice."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import sqlalchemy as sa

from portal.db import db, utcnow

from ..models import Case, CaseEvent, OutboxMessage
from .base import AdapterConfigError, DeliveryError

RECEIPT_KIND = "open311_update"
DESCRIPTION_LIMIT = 4000
FIRST_PULL_LOOKBACK = timedelta(days=1)
PULL_OVERLAP = timedelta(minutes=5)  # clocks differ; updates seen twice are skipped by their receipt
EVENT_AUTHOR = "Open311"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class Open311Error(DeliveryError):
    pass


@dataclass(frozen=True)
class Open311Settings:
    endpoint: str
    api_key: str
    service_codes: Mapping[str, str] = field(default_factory=dict)  # our request type code -> theirs
    jurisdiction_id: str | None = None
    timeout: float = 15.0

    @classmethod
    def from_config(cls, config: Mapping) -> Open311Settings:
        endpoint = (config.get("OPEN311_ENDPOINT") or "").rstrip("/")
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise AdapterConfigError("CRM_ADAPTER=open311 needs OPEN311_ENDPOINT, an http(s) URL")
        if not config.get("OPEN311_API_KEY"):
            raise AdapterConfigError("CRM_ADAPTER=open311 needs OPEN311_API_KEY")
        return cls(
            endpoint=endpoint,
            api_key=config["OPEN311_API_KEY"],
            service_codes=dict(config.get("OPEN311_SERVICE_CODES") or {}),
            jurisdiction_id=config.get("OPEN311_JURISDICTION_ID") or None,
            timeout=float(config.get("DELIVERY_TIMEOUT") or 15),
        )


class Open311Client:
    def __init__(self, settings: Open311Settings):
        self.settings = settings

    def call(
        self,
        method: str,
        path: str,
        fields: dict | None = None,
        query: dict | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        jurisdiction_id = self.settings.jurisdiction_id
        jurisdiction = {"jurisdiction_id": jurisdiction_id} if jurisdiction_id else {}
        url = f"{self.settings.endpoint}/{path}"
        if method == "GET":
            url += "?" + urlencode((query or {}) | jurisdiction)
        data = urlencode((fields or {}) | jurisdiction).encode() if method == "POST" else None
        # The endpoint's scheme is checked to be http(s) in Open311Settings.from_config.
        headers = {"Accept": "application/json", **(headers or {})}
        request = Request(url, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urlopen(request, timeout=self.settings.timeout) as response:  # noqa: S310  # nosec B310
                body = response.read()
        except HTTPError as error:
            raise Open311Error(f"Open311 {method} {path}: HTTP {error.code} {_error_text(error)}") from error
        except (URLError, OSError) as error:
            raise Open311Error(f"Open311 {method} {path}: {getattr(error, 'reason', error)}") from error
        try:
            return json.loads(body)
        except ValueError as error:
            raise Open311Error(f"Open311 {method} {path}: the answer is not JSON") from error


def _error_text(error: HTTPError) -> str:
    """The spec's errors are [{"code": 400, "description": "..."}]; anything else, the start of the body."""
    raw = error.read().decode("utf-8", "replace")
    try:
        return "; ".join(str(item.get("description", item)) for item in json.loads(raw))
    except (ValueError, TypeError, AttributeError):
        return raw[:200]


class Open311Push:
    """The `crm_push` adapter."""

    def __init__(self, settings: Open311Settings):
        self.settings = settings
        self.client = Open311Client(settings)

    def deliver(self, message: OutboxMessage) -> None:
        case_id = message.case_id or (message.payload or {}).get("case_id")
        case = db.session.get(Case, case_id) if case_id else None
        if case is None:
            raise Open311Error(f"case {case_id} no longer exists")
        if case.external_reference:
            return  # pushed already (the spec has no idempotency key): never POST twice
        token = (message.payload or {}).get("open311_token")
        if token:
            return self._resolve_token(case, token)
        fields = request_fields(case, self.settings)
        key = {IDEMPOTENCY_HEADER: message.idempotency_key}  # crm_push:<case reference>, the same every retry
        answer = self.client.call("POST", "requests.json", fields=fields, headers=key)
        first = answer[0] if isinstance(answer, list) and answer and isinstance(answer[0], dict) else {}
        if first.get("service_request_id") not in (None, ""):
            return _store(case, first["service_request_id"])
        if first.get("token"):
            message.payload = dict(message.payload or {}) | {"open311_token": str(first["token"])}
            return self._resolve_token(case, str(first["token"]))
        raise Open311Error("Open311 POST requests.json: no service_request_id or token in the answer")

    def _resolve_token(self, case: Case, token: str) -> None:
        answer = self.client.call("GET", f"tokens/{token}.json")
        first = answer[0] if isinstance(answer, list) and answer and isinstance(answer[0], dict) else {}
        if first.get("service_request_id") in (None, ""):
            raise Open311Error(f"Open311 token {token} has no service_request_id yet")
        _store(case, first["service_request_id"])


def _store(case: Case, service_request_id) -> None:
    case.external_reference = str(service_request_id)[:120]
    case.external_state = "open"


def request_fields(case: Case, settings: Open311Settings) -> dict[str, str]:
    """The form fields of a GeoReport v2 POST requests.json for this case."""
    fields = {
        "api_key": settings.api_key,
        "service_code": settings.service_codes.get(case.request_type, case.request_type),
        "description": _description(case),
    }
    location = case.location or {}
    if location.get("lat") is not None and location.get("lng") is not None:
        fields |= {"lat": str(location["lat"]), "long": str(location["lng"])}
    address = ", ".join(part for part in (location.get("address"), location.get("postcode")) if part)
    if address:
        fields["address_string"] = address
    fields |= _person(case)
    for code, value in (case.answers or {}).items():
        fields[f"attribute[{code}]"] = value if isinstance(value, str) else json.dumps(value)
    return fields


def _description(case: Case) -> str:
    text = f"{case.details}\n\nReference: {case.reference}".strip()
    return text[:DESCRIPTION_LIMIT]


def _person(case: Case) -> dict[str, str]:
    customer = case.customer
    if customer is None:
        return {}
    first, _, last = (customer.name or "").strip().partition(" ")
    person = {"email": customer.email, "phone": customer.phone, "first_name": first, "last_name": last}
    return {key: value for key, value in person.items() if value}


def pull_updates(
    settings: Open311Settings, since: datetime | None = None, now: datetime | None = None
) -> int:
    """Add the external CRM's updates on our cases as public events; returns how many were added."""
    now = now or utcnow()
    start = since or _last_update_time() or now - FIRST_PULL_LOOKBACK
    query = {"start_date": _w3c(start), "end_date": _w3c(now)}
    answer = Open311Client(settings).call("GET", "servicerequestupdates.json", query=query)
    if isinstance(answer, dict):
        answer = answer.get("service_request_updates", [])
    updates = [update for update in answer or [] if isinstance(update, dict) and update.get("update_id")]
    updates.sort(key=lambda update: _parse_time(update.get("updated_datetime")) or now)
    added = sum(_take(update, now) for update in updates)
    db.session.commit()
    return added


def _take(update: dict, now: datetime) -> bool:
    key = f"{RECEIPT_KIND}:{update['update_id']}"
    if db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
        return False
    service_request_id = str(update.get("service_request_id") or "")
    if not service_request_id:
        return False
    case = db.session.scalar(sa.select(Case).where(Case.external_reference == service_request_id))
    if case is None:
        return False  # not one of ours
    when = _parse_time(update.get("updated_datetime")) or now
    status = str(update.get("status") or "")[:40]
    text = str(update.get("description") or "").strip() or f"Status: {status.replace('_', ' ')}"
    case.events.append(
        CaseEvent(kind="external_update", text=text, author=EVENT_AUTHOR, public=True, created_at=when)
    )
    case.external_state = status or case.external_state
    receipt = {"update_id": str(update["update_id"]), "status": status, "updated_datetime": _w3c(when)}
    db.session.add(
        OutboxMessage(
            kind=RECEIPT_KIND,
            idempotency_key=key,
            case_id=case.id,
            payload=receipt,
            next_attempt_at=now,
            delivered_at=now,
        )
    )
    db.session.flush()
    return True


def _last_update_time() -> datetime | None:
    """The newest update we took, less an overlap for clock differences."""
    query = sa.select(OutboxMessage.payload).where(OutboxMessage.kind == RECEIPT_KIND)
    latest = db.session.scalar(query.order_by(OutboxMessage.id.desc()).limit(1))
    when = _parse_time((latest or {}).get("updated_datetime"))
    return when - PULL_OVERLAP if when else None


def _parse_time(value) -> datetime | None:
    """W3C date-time (2026-11-20T10:50:27+00:00 or ...Z) as naive UTC, like every time we store."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _w3c(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat() + "Z"
