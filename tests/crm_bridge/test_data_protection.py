"""Subject access export, erasure and retention, against the real database and upload folder."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_bridge import data_protection
from crm_bridge.audit import AuditEvent
from crm_bridge.contacts import record_contact
from crm_bridge.handoff import CustomerDetails, Location, StoredPhoto
from crm_bridge.models import Attachment, Case, CaseEvent, Contact, OutboxMessage, SatisfactionRating
from crm_bridge.photos import store_photo
from portal.chat.models import ChatMessage, ChatSession
from portal.db import db, utcnow
from portal.eforms.models import FormDraft

NAME = "Zebedee Quixotic-Farnsworth"
EMAIL = "zebedee.qf@example.org"
PHONE_TYPED = "01632 960777"
PHONE = "+441632960777"
STREET = "77 Marmalade Crescent"
POSTCODE = "ZX9 8QW"
ANSWER_TEXT = "the green sofa belonging to Zebedee"
DETAILS = "Left by the Marmalade gate"
TRANSCRIPT = "my neighbour Ottoline shouts"
SEARCH = "xylophone bin query"
PUBLIC_UPDATE = "Dear Mr Quixotic-Farnsworth, collected"
NOTE = "Zebedee rang twice, rude"
SUMMARY = "Zebedee chased his sofa"
DATE_OF_BIRTH = "1951-04-03"
RATING_COMMENT = "the crew waved at Persephone"
DISTINCTIVE = (
    NAME,
    "Quixotic",
    "Zebedee",
    EMAIL,
    PHONE,
    "1632960777",
    STREET,
    "Marmalade",
    POSTCODE,
    POSTCODE.replace(" ", ""),
    ANSWER_TEXT,
    DETAILS,
    TRANSCRIPT,
    "Ottoline",
    SEARCH,
    "xylophone",
    PUBLIC_UPDATE,
    NOTE,
    SUMMARY,
    DATE_OF_BIRTH,
    RATING_COMMENT,
    "Persephone",
)
STATISTICS = (
    "reference",
    "request_type",
    "service_group",
    "queue",
    "interaction_type",
    "status",
    "channel",
    "lang",
    "created_at",
    "acknowledge_due",
    "respond_due",
    "acknowledged_at",
    "resolved_at",
    "complaint_stage",
    "complaint_category",
    "complaint_outcome",
    "customer_id",
)


def a_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def resident(app, create_case, create_staff):
    """A customer with something distinctive in every place personal data can hide."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    photo = store_photo(a_jpeg(), folder)
    case = create_case(
        request_type="bulky-collection",
        answers={"items": ANSWER_TEXT, "fridge_or_freezer": "no", "council_tax_reduction": "yes"},
        details=DETAILS,
        customer=CustomerDetails(
            name=NAME,
            email=EMAIL,
            phone=PHONE_TYPED,
            address=STREET,
            postcode=POSTCODE,
            preferred_contact="phone",
        ),
        location=Location(postcode=POSTCODE, address=STREET, lat=54.52345, lng=-1.55678),
        transcript=(
            {"role": "resident", "kind": "question", "text": TRANSCRIPT, "at": "2026-01-01T10:00:00"},
        ),
        searches=({"query": SEARCH},),
        photos=(StoredPhoto(photo.stored_name, photo.content_type, photo.size),),
        status="closed",
    )
    complaint = create_case(
        request_type="bus-pass",
        answers={"request": "renewal", "date_of_birth": DATE_OF_BIRTH, "pass_number": "BP-Zebedee"},
        customer=CustomerDetails(name=NAME, email=EMAIL, preferred_contact="phone"),
    )
    complaint.complaint_stage, complaint.complaint_outcome = 1, "upheld"
    officer = create_staff("service_officer", name="Olive Officer")
    case.events.append(CaseEvent(kind="public_update", text=PUBLIC_UPDATE, author="Olive", public=True))
    case.events.append(CaseEvent(kind="internal_note", text=NOTE, author="Olive", author_id=officer.id))
    db.session.add(
        OutboxMessage(
            kind="case_update",
            case_id=case.id,
            idempotency_key="case_update:delivered",
            payload={"case_id": case.id, "reference": case.reference, "email": EMAIL, "name": NAME},
            delivered_at=utcnow(),
            last_error=f"550 mailbox {EMAIL} full",
        )
    )
    contact = record_contact(
        "phone",
        "applying_for_service",
        "en",
        resolved_at_first_point=False,
        service_group="environment",
        customer=case.customer,
        case=case,
        summary=SUMMARY,
        avoidable=True,
        avoidable_reason="chasing_progress",
    )
    db.session.add(
        SatisfactionRating(
            subject=f"case:{case.id}:resolved",
            moment="case_resolved",
            rating=2,
            comment=RATING_COMMENT,
            channel="web",
            contact=contact,
            case=case,
        )
    )
    db.session.add(
        FormDraft(
            key="draft-key-1",
            request_type="bulky-collection",
            channel="web",
            lang="en",
            answers={"items": ANSWER_TEXT},
            details=DETAILS,
            location={"address": STREET, "postcode": POSTCODE},
            customer={"name": NAME, "email": EMAIL},
            photos=[{"stored_name": photo.stored_name, "size": photo.size}],
            case_reference=case.reference,
        )
    )
    db.session.commit()
    return case.customer


def scan_database(values) -> list[str]:
    """Every text and JSON column of every table, searched for every value (case-insensitive)."""
    hits = []
    db.session.expire_all()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
            for row in connection.execute(sa.select(*columns)).mappings():
                for name, value in row.items():
                    if value is None:
                        continue
                    haystack = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                    hits += [f"{table.name}.{name}: {v}" for v in values if v.lower() in haystack.lower()]
    return hits


def statistics_of(customer_id: int) -> list[tuple]:
    db.session.expire_all()
    cases = db.session.scalars(sa.select(Case).where(Case.customer_id == customer_id).order_by(Case.id))
    return [tuple(getattr(case, name) for name in STATISTICS) for case in cases]


def test_the_fixture_really_holds_every_value(resident):
    """Otherwise the erasure test below would pass for the wrong reason."""
    hits = " ".join(scan_database(DISTINCTIVE))
    stored_as_typed = [value for value in DISTINCTIVE if value != POSTCODE.replace(" ", "")]
    missing = [value for value in stored_as_typed if f": {value}" not in hits]
    assert missing == []


def test_erasure_leaves_no_personal_data_behind(app, resident, create_staff):
    admin = create_staff("admin")
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert len(list(folder.iterdir())) == 1
    stats = statistics_of(resident.id)
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent))

    report = data_protection.erase_customer(resident, admin)

    assert scan_database(DISTINCTIVE) == []
    assert list(folder.iterdir()) == []
    assert statistics_of(resident.id) == stats
    assert (report.cases, report.attachments, report.drafts) == (2, 1, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) == events_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    # Undelivered messages are gone; the delivered one stays, stripped of the address.
    messages = list(db.session.scalars(sa.select(OutboxMessage)))
    assert [(m.kind, sorted(m.payload)) for m in messages] == [("case_update", ["case_id", "reference"])]
    case = resident.cases[0]
    assert case.location == {"postcode": "ZX9", "address": "", "lat": 54.52, "lng": -1.56}
    assert case.answers == {"items": "[erased]", "fridge_or_freezer": "no", "council_tax_reduction": "yes"}
    assert {event.text for event in case.events} == {"", "[erased]"}
    assert resident.name == "Erased" and resident.anonymised_at is not None and case.anonymised_at is not None
    [row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "erase"))
    assert (row.actor_id, row.object_type, row.object_id) == (admin.id, "customer", str(resident.id))


def test_export_holds_everything_in_json_and_csv(resident, create_staff):
    admin = create_staff("admin")
    data = data_protection.export_customer(resident, admin)

    assert set(data_protection.EXPORT_SECTIONS) <= set(data)
    parsed = json.loads(data_protection.export_json(data))
    assert parsed["customer"]["name"] == NAME and parsed["customer"]["phone"] == PHONE
    assert parsed["customer"]["preferred_contact_method"] == "phone"
    assert len(parsed["cases"]) == 2
    case = parsed["cases"][0]
    assert case["answers"]["items"] == ANSWER_TEXT and case["details"] == DETAILS
    assert case["location"]["address"] == STREET and case["transcript"][0]["text"] == TRANSCRIPT
    assert case["searches"] == [{"query": SEARCH}]
    assert {(e["kind"], e["text"], e["shown_to_resident"]) for e in case["events"]} >= {
        ("public_update", PUBLIC_UPDATE, True),
        ("internal_note", NOTE, False),
    }
    assert case["attachments"][0]["size"] > 0
    assert SUMMARY in [contact["summary"] for contact in parsed["contacts"]]
    assert len(parsed["contacts"]) == 3
    assert {m["kind"] for m in parsed["outbox_messages"]} == {"acknowledgement", "case_update"}
    assert parsed["form_drafts"][0]["customer"]["name"] == NAME

    table = list(csv.reader(io.StringIO(data_protection.export_csv(data).decode("utf-8-sig"))))
    assert table[0] == ["section", "record", "field", "value"]
    cells = {(section, field, value) for section, _, field, value in table[1:]}
    assert {s for s, _, _ in cells} == {"format", "exported_at", *data_protection.EXPORT_SECTIONS} - {
        "merged_records"
    }
    assert ("customer", "email", EMAIL) in cells
    assert ("cases", "answers.items", ANSWER_TEXT) in cells
    assert ("cases", "events.2.text", NOTE) in cells
    assert ("contacts", "summary", SUMMARY) in cells
    assert ("satisfaction_ratings", "comment", RATING_COMMENT) in cells
    [row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert (row.actor_id, row.object_id, row.detail) == (
        admin.id,
        str(resident.id),
        {"cases": 2, "contacts": 3},
    )


def test_csv_defuses_formulas():
    data = {"customer": {"name": '=HYPERLINK("http://x")', "email": "@x", "address": "plain"}}
    table = list(csv.reader(io.StringIO(data_protection.export_csv(data).decode("utf-8-sig"))))
    assert [row[3] for row in table[1:]] == ['\'=HYPERLINK("http://x")', "'@x", "plain"]


def test_retention_anonymises_old_closed_cases_only(app, create_case, runner):
    now = utcnow()
    old = create_case(
        customer=CustomerDetails(name="Old Timer", email="old@example.org"),
        created_at=now - timedelta(days=7 * 365 + 30),
        status="closed",
        details="Old details",
    )
    old.resolved_at = now - timedelta(days=7 * 365)
    recent = create_case(
        customer=CustomerDetails(name="Recent Person", email="recent@example.org"),
        created_at=now - timedelta(days=60),
        status="closed",
        details="Recent details",
    )
    recent.resolved_at = now - timedelta(days=30)
    open_old = create_case(
        customer=CustomerDetails(name="Still Waiting", email="waiting@example.org"),
        created_at=now - timedelta(days=7 * 365),
        status="in_progress",
        details="Open details",
    )
    for contact in db.session.scalars(sa.select(Contact).where(Contact.customer_id == old.customer_id)):
        contact.started_at = now - timedelta(days=7 * 365 + 30)
    old.customer.created_at = now - timedelta(days=7 * 365 + 30)
    open_old.customer.created_at = now - timedelta(days=7 * 365)
    draft = FormDraft(
        key="stale",
        request_type="missed-bin",
        channel="web",
        lang="en",
        customer={"name": "Stale Draft"},
        updated_at=now - timedelta(days=31),
    )
    fresh = FormDraft(key="fresh", request_type="missed-bin", channel="web", lang="en")
    chat = ChatSession(token="old-chat", channel="web", lang="en", updated_at=now - timedelta(days=31))
    chat.messages.append(ChatMessage(role="resident", kind="question", text="Old chat question"))
    db.session.add_all([draft, fresh, chat])
    db.session.commit()

    dry = runner.invoke(args=["crm", "apply-retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 cases anonymised, 1 customers anonymised, 1 form drafts deleted, 1 chat sessions" in dry.output
    assert scan_database(["Old details"]) != []

    result = runner.invoke(args=["crm", "apply-retention"])
    assert result.exit_code == 0, result.output
    assert "Done: 1 cases anonymised, 1 customers anonymised" in result.output
    assert scan_database(["Old details", "Old Timer", "old@example.org", "Stale Draft", "Old chat"]) == []
    for kept in ("Recent details", "Recent Person", "Open details", "Still Waiting"):
        assert scan_database([kept]) != [], kept
    db.session.expire_all()
    assert old.anonymised_at is not None and old.status == "closed"
    assert recent.anonymised_at is None and open_old.anonymised_at is None
    assert [d.key for d in db.session.scalars(sa.select(FormDraft))] == ["fresh"]
    anonymised = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "anonymise"))
    assert sorted((row.object_type, row.actor_id) for row in anonymised) == [
        ("case", None),
        ("customer", None),
    ]
    assert runner.invoke(args=["crm", "apply-retention"]).output.startswith("Done: 0 cases")
