"""Every payload of tests/payloads.py in every kind of e-form box (test_payloads_eforms.py shares them out
among every page of every form): free text kept exactly or refused with a message by the box; checked boxes
(postcode, email, phone, choices, dates) refuse what they cannot take; the text a search brings to a form;
photos whose file names are hostile, and photo addresses that try to leave the upload folder."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from crm_bridge.photos import photo_path
from portal.db import db
from portal.eforms.models import FormDraft
from tests.payloads import (
    MARKUP_BEARING,
    TRAVERSAL,
    field_message,
    for_database,
    form_kept,
    html_problems,
    response_problems,
    shown_values,
    soup_of,
)

from .eforms.journeys import ANN
from .helpers import rows, text

# (form, page, the page's other answers, {box: its limit}) for each kind of free-text box.
BOXES = [
    ("noise-nuisance", "questions", {"noise_type": "music"}, {"when_happens": 200, "details": 5000}),
    ("noise-nuisance", "location", {"postcode": "ND1 1AA"}, {"address": 500}),
    ("complaint", "questions", {"category": "other", "service_group": "parking"}, {"outcome_wanted": 2000}),
    ("complaint", "your-details", {**ANN, "interpreter": "no"}, {"name": 200, "address": 500}),
]
COMPLAINT_DETAILS = {"details": "The warden was rude."}


def test_a_nul_in_the_text_a_search_brings_to_a_form_is_dropped(client):
    """Regression: the start page's `q` went into the draft uncleaned, and PostgreSQL refuses a NUL (500)."""
    response = client.post("/report/complaint", data={"q": "bins\x00 not\x1b collected\u202e "})

    assert response.status_code == 302
    assert rows(FormDraft)[-1].details == "bins not collected"


def draft_of(code: str) -> FormDraft:
    db.session.expire_all()
    return db.session.scalar(sa.select(FormDraft).where(FormDraft.request_type == code))


def kept_in(draft: FormDraft, step: str, box: str):
    if step == "location":
        return draft.location.get(box)
    if step == "your-details":
        return (draft.customer or {}).get(box)
    return draft.details if box == "details" else draft.answers.get(box)


def test_each_payload_in_each_kind_of_box_is_kept_as_typed_or_refused_by_the_box(app, client):
    payloads = for_database(app)
    for code in ("noise-nuisance", "complaint"):
        assert client.post(f"/report/{code}").status_code == 302
    failures = {}
    for payload in payloads:
        kept = form_kept(payload.text)
        problems = []
        for code, step, others, limits in BOXES:
            extra = COMPLAINT_DETAILS if (code, step) == ("complaint", "questions") else {}
            data = others | extra | dict.fromkeys(limits, payload.text)
            before = {box: kept_in(draft_of(code), step, box) for box in limits}
            response = client.post(f"/report/{code}/{step}", data=data)
            problems += response_problems(response, payload)
            too_long = [box for box, limit in limits.items() if len(kept) > limit]
            if too_long:
                shown = shown_values(response) if response.status_code == 422 else {}
                problems += (
                    [f"{code}/{step}: status {response.status_code}"] if response.status_code != 422 else []
                )
                for box in too_long if response.status_code == 422 else ():
                    if str(limits[box]) not in (field_message(response, box) or "").replace(",", ""):
                        problems.append(f"{code}/{step} {box}: no message")
                    if shown.get(box) != kept:
                        problems.append(f"{code}/{step} {box}: what was typed not shown again")
                after = {box: kept_in(draft_of(code), step, box) for box in limits}
                problems += [f"{code}/{step}: saved though refused"] if after != before else []
                continue
            if response.status_code != 302:
                problems.append(f"{code}/{step}: refused: {text(soup_of(response).main)[:200]}")
                continue
            draft = draft_of(code)
            problems += [
                f"{code}/{step} {b}: kept {kept_in(draft, step, b)!r}"
                for b in limits
                if kept_in(draft, step, b) != kept
            ]
            again = client.get(f"/report/{code}/{step}")
            problems += response_problems(again, payload)
            shown = shown_values(again)
            problems += [
                f"{code}/{step} {b}: shown as {shown.get(b)!r}" for b in limits if shown.get(b) != kept
            ]
        for code in ("noise-nuisance", "complaint") if payload in MARKUP_BEARING else ():
            problems += response_problems(client.get(f"/report/{code}/check-answers"), payload)
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_checked_boxes_refuse_what_they_cannot_take(app, client):
    """Postcode, email, phone, choices, yes/no and dates: a payload is refused with a message by its box
    (or, where it is a real value, such as an email address with a quote in it, kept exactly)."""
    payloads = for_database(app)
    assert client.post("/report/missed-bin").status_code == 302
    failures = {}
    for payload in payloads:
        problems = []
        pages = {
            "questions": {
                "bin": payload.text,
                "collection_date": [payload.text] * 3,
                "out_by_time": payload.text,
            },
            "location": {"address": "12 Station Road", "postcode": payload.text},
            "your-details": {
                **ANN,
                "email": payload.text,
                "phone": payload.text,
                "preferred_contact": payload.text,
            },
        }
        must_refuse = {
            "questions": ["bin", "collection_date", "out_by_time"],
            "your-details": ["preferred_contact"],
        }
        for step, data in pages.items():
            response = client.post(f"/report/missed-bin/{step}", data=data)
            problems += response_problems(response, payload)
            if response.status_code != 422:
                problems.append(f"{step}: status {response.status_code}")
                continue
            for box in must_refuse.get(step, []):
                if not field_message(response, box):
                    problems.append(f"{step} {box}: no message")
            for box in ("postcode", "email", "phone"):
                if box in data and box not in (
                    e["href"][1:] for e in soup_of(response).select(".govuk-error-summary__list a")
                ):
                    problems.append(f"{step} {box}: {payload.name!r} taken")
        draft = draft_of("missed-bin")
        if draft.answers or draft.location or draft.customer:
            problems.append("something was saved")
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_real_but_unusual_contact_details_are_kept_exactly(client):
    assert client.post("/report/general-enquiry").status_code == 302
    for email in ("o'reilly+bins@example.com", "ånn@exämple.com", "x@xn--80ak6aa92e.com"):
        data = {**ANN, "email": email, "interpreter": "no"}
        response = client.post("/report/general-enquiry/your-details", data=data)
        assert response.status_code == 302, email
        assert draft_of("general-enquiry").customer["email"] == email
        assert html_problems(client.get("/report/general-enquiry/your-details").get_data(as_text=True)) == []


def test_text_a_search_brings_to_a_form_is_shown_escaped_and_kept_clean(app, client):
    payloads = for_database(app)
    failures = {}
    for payload in payloads:
        start_page = client.get("/report/complaint", query_string={"q": payload.text})
        response = client.post("/report/complaint", data={"q": payload.text})
        problems = response_problems(start_page, payload)
        if response.status_code != 302:
            problems.append(f"start: status {response.status_code}")
        else:
            first = client.get(response.location)
            problems += response_problems(first, payload)
            draft = rows(FormDraft)[-1]
            if draft.details != form_kept(payload.text)[:500]:
                problems.append(f"details kept as {draft.details[:80]!r}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def test_photo_file_names_and_addresses_cannot_leave_the_upload_folder(app, client, tmp_path):
    payloads = for_database(app)
    base = tmp_path / "files"
    uploads = base / "uploads"
    app.config["UPLOAD_FOLDER"] = str(uploads)
    secret, original = base / "secret.jpg", jpeg()
    uploads.mkdir(parents=True)
    secret.write_bytes(original)
    assert client.post("/report/fly-tipping").status_code == 302
    names = [p.text for p in payloads] + ["../secret.jpg", "..%2fsecret.jpg", "photo.jpg\r\nX-Injected: yes"]
    failures, accepted = {}, 0
    for number, name in enumerate(names):
        draft = draft_of("fly-tipping")
        if len(draft.photos) == 3:
            for photo in draft.photos:
                client.post("/report/fly-tipping/photos/remove", data={"name": photo["stored_name"]})
        before = len(draft_of("fly-tipping").photos)
        upload = client.post(
            "/report/fly-tipping/photos",
            data={"action": "upload", "photo": (io.BytesIO(jpeg()), name)},
            content_type="multipart/form-data",
        )
        problems = response_problems(upload, name) + response_problems(
            client.get("/report/fly-tipping/photos"), name
        )
        photos = draft_of("fly-tipping").photos
        if upload.status_code == 302:
            accepted += 1
            stored = photos[-1]["stored_name"] if len(photos) > before else ""
            if not (len(stored) == 36 and stored.endswith(".jpg") and (uploads / stored).is_file()):
                problems.append(f"stored as {stored!r}")
        elif upload.status_code != 422 or "Select a photo" not in (field_message(upload, "photo") or ""):
            # A name the multipart encoding cannot carry (a quote, a line break) arrives as no file at all.
            problems.append(f"upload: status {upload.status_code}")
        if files_under(base) != files_under(uploads) | {secret}:
            problems.append("a file was written outside the upload folder")
        if problems:
            failures[f"{number}: {name[:40]!r}"] = problems
    assert failures == {}
    for name in [p.text for p in TRAVERSAL] + [
        "../secret.jpg",
        "..%2Fsecret.jpg",
        "%2e%2e%2fsecret.jpg",
        "secret.jpg",
    ]:
        response = client.get("/report/fly-tipping/photos/" + name.replace("/", "%2F"))
        assert response.status_code == 404, name
        assert client.post("/report/fly-tipping/photos/remove", data={"name": name}).status_code == 302
        assert photo_path(uploads, name) is None
    assert secret.read_bytes() == original
    assert accepted >= 10  # most names arrive as sent, and those pictures were kept under names of ours


def test_a_photo_of_another_draft_or_outside_the_folder_is_never_served(app, client, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    assert client.post("/report/fly-tipping").status_code == 302
    upload = client.post(
        "/report/fly-tipping/photos",
        data={"action": "upload", "photo": (io.BytesIO(jpeg()), "mine.jpg")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    [photo] = draft_of("fly-tipping").photos
    assert client.get(f"/report/fly-tipping/photos/{photo['stored_name']}").status_code == 200
    stranger = app.test_client()
    assert stranger.post("/report/fly-tipping").status_code == 302
    assert stranger.get(f"/report/fly-tipping/photos/{photo['stored_name']}").status_code == 404
    for name in ("..", "../" + photo["stored_name"], photo["stored_name"] + "/..", "/etc/passwd"):
        assert client.get("/report/fly-tipping/photos/" + name.replace("/", "%2F")).status_code == 404
