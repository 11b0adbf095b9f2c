"""Open311 GeoReport v2 documents: the catalogue and cases as the spec's dicts, and those dicts as JSON-ready
lists or XML (xml.etree.ElementTree, the spec's element names).

Pure: no Flask, no database session. A case is read through its attributes only (its events are loaded
by the caller). A case shows its reference, type, status, team and dates, never personal data, free text,
answers or location; only the partner that sent a case through Open311 itself (channel "app") is shown
what it sent (`with_details`: description, location and the latest public update). Which cases an asker
may see at all is the store's business (store.Audience)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # nosec B405  # builds XML only: nothing here parses any
from datetime import date, datetime, time

from portal.domain import SERVICE_GROUPS

from ..catalogue import Catalogue, Question, RequestType

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"  # when this API last changed in a way clients may notice
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
OPEN_STATUSES = ("new", "acknowledged", "in_progress", "waiting_for_customer")
CLOSED_STATUSES = ("resolved", "closed")
OPEN311_CHANNEL = "app"
DATATYPES = {
    "text": "string",
    "textarea": "text",
    "choice": "singlevaluelist",
    "yes_no": "singlevaluelist",
    "date": "datetime",
}
# XML: the element each item of a list is written as, by the list's element name.
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
# Characters XML 1.0 cannot carry at all: dropped from text rather than writing a broken document.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """An answer in the spec's error format: an HTTP status and one description per problem."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


def error_list(error: Open311Error) -> list[dict]:
    return [{"code": error.status, "description": description} for description in error.descriptions]


def discovery(url: str, contact: str, key_service: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def services(catalogue: Catalogue) -> list[dict]:
    return [service(request_type) for request_type in catalogue]


def service(request_type: RequestType) -> dict:
    return {
        "service_code": request_type.code,
        "service_name": request_type.name,
        "description": request_type.description or None,
        "metadata": bool(request_type.questions),
        "type": "realtime",
        "keywords": request_type.service_group,
        "group": SERVICE_GROUPS.get(request_type.service_group, request_type.service_group),
    }


def service_definition(request_type: RequestType) -> dict:
    questions = {question.code: question for question in request_type.questions}
    return {
        "service_code": request_type.code,
        "attributes": [
            _attribute(question, order, questions)
            for order, question in enumerate(request_type.questions, start=1)
        ],
    }


def _attribute(question: Question, order: int, questions: dict[str, Question]) -> dict:
    return {
        "variable": True,
        "code": question.code,
        "datatype": DATATYPES[question.type],
        # A conditional question is required only when it applies, which a client learns from the
        # datatype_description; marking it required would make clients ask it when it does not apply.
        "required": question.required and question.when is None,
        "datatype_description": _datatype_description(question, questions),
        "order": order,
        "description": question.label,
        "values": [{"key": key, "name": name} for key, name in question.choices],
    }


def _datatype_description(question: Question, questions: dict[str, Question]) -> str | None:
    parts = [question.hint] if question.hint else []
    if question.type == "date":
        parts.append("A date, like 2026-03-27.")
    elif question.type in ("text", "textarea"):
        parts.append(f"Up to {question.max_length} characters.")
    if question.when:
        parent = questions[question.when.question]
        answer = dict(parent.choices).get(question.when.equals, question.when.equals)
        needed = "Required, and only asked," if question.required else "Only asked"
        parts.append(f"{needed} when the answer to ‘{parent.label}’ is ‘{answer}’.")
    return " ".join(parts) or None


def open_or_closed(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def service_notice(request_type: RequestType | None) -> str | None:
    if request_type is None:
        return None
    days = request_type.respond_days
    return f"We aim to respond within {days} working day{'s' if days != 1 else ''}."


def service_request(case, request_type: RequestType | None, with_details: bool = False) -> dict:
    """A case as the spec's service request; its details only `with_details` (for the partner that sent
    it) and only for a case made through Open311 itself."""
    shows_details = with_details and case.channel == OPEN311_CHANNEL
    location = (case.location or {}) if shows_details else {}
    status = open_or_closed(case.status)
    updated = case.resolved_at if status == "closed" and case.resolved_at else case.updated_at
    return {
        "service_request_id": case.reference,
        "status": status,
        "status_notes": _status_notes(case) if shows_details else None,
        "service_name": request_type.name if request_type else None,
        "service_code": case.request_type,
        "description": (case.details or None) if shows_details else None,
        "agency_responsible": _agency(case.queue),
        "service_notice": service_notice(request_type),
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(updated or case.created_at),
        "expected_datetime": w3c_end_of_day(case.respond_due),
        "address": location.get("address") or None,
        "address_id": None,
        "zipcode": location.get("postcode") or None,
        "lat": location.get("lat"),
        "long": location.get("lng"),
        "media_url": None,
    }


def _status_notes(case) -> str | None:
    """The latest public event's text: never an internal note."""
    notes = [event.text for event in case.events if event.public and event.text]
    return notes[-1] if notes else None


def _agency(queue: str) -> str:
    return queue.replace("-", " ").capitalize()


def created(case, request_type: RequestType) -> list[dict]:
    """The answer to a POST: the case's reference as service_request_id (no token: it is made at once)."""
    return [
        {
            "service_request_id": case.reference,
            "service_notice": service_notice(request_type),
            "account_id": None,
        }
    ]


def token_answer(case, token: str) -> list[dict]:
    return [{"service_request_id": case.reference, "token": token}]


def w3c(moment: datetime) -> str:
    """Stored times are UTC without a zone; the spec wants the zone written."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def w3c_end_of_day(day: date) -> str:
    return w3c(datetime.combine(day, time(23, 59, 59)))


def to_xml(root: str, payload: dict | list) -> bytes:
    element = ET.Element(root)
    _fill(element, root, payload)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def _fill(element: ET.Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), key, item)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, LIST_ITEMS[name]), LIST_ITEMS[name], item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))
