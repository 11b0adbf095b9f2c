"""Hostile input through the knowledge-base editor (its Markdown rendered through nh3 on every page that
shows it, the kiosk's link rewriting included), the reports' filters and CSVs (content gaps carry what
residents typed), and the admins' forms (users, kiosks) and audit log. Payloads: tests/payloads.py."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import nh3

from crm_bridge.models import Attachment
from crm_bridge.staff.models import StaffUser
from kiosk.device import DEVICE_COOKIE
from kiosk.models import Kiosk
from knowledge_base.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown
from knowledge_base.models import ArticleTranslation
from knowledge_base.records import MAX_PHRASE, MAX_TITLE, SLUG
from portal.db import db
from tests.payloads import (
    BY_NAME,
    MARKUP_BEARING,
    PAYLOADS,
    SQL,
    TRAVERSAL,
    field_message,
    for_database,
    form_kept,
    html_problems,
    response_problems,
    soup_of,
)

from .helpers import rows

CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Each account made hashes its temporary password (Argon2, slow on purpose): a few payloads, one of each kind.
ACCOUNTS = [
    BY_NAME[name] for name in ("script", "attribute breakout", "jinja config", "or true", "NUL", "Arabic")
]


def csv_problems(response) -> list[str]:
    """A CSV download: no cell a spreadsheet would run as a formula, one clean Content-Disposition."""
    if response.status_code == 404:
        return []
    problems = [] if response.status_code == 200 else [f"status {response.status_code}"]
    disposition = response.headers.get("Content-Disposition", "")
    if "\r" in disposition or "\n" in disposition or not disposition.startswith('attachment; filename="'):
        problems.append(f"Content-Disposition {disposition!r}")
    sheet = csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return problems + [
        f"formula cell {cell[:30]!r}" for row in sheet for cell in row if cell[:1] in CSV_FORMULA
    ]


def sanitised(body: str) -> str:
    """The article body as residents get it, and a check that nh3 leaves it as it is: already clean."""
    html = str(render_markdown(body))
    again = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    assert again == html, body
    return html


# --- the knowledge-base editor -----------------------------------------------------------------------------


def test_editor_markdown_is_kept_as_typed_and_rendered_through_nh3_everywhere(
    app, staff_client, create_article, create_kiosk
):
    payloads = for_database(app)
    create_article(slug="bins", title="Bins", body="An answer.")
    editor, _editor = staff_client("kb_editor")
    resident = app.test_client()
    _kiosk, token = create_kiosk()
    kiosk = app.test_client()
    kiosk.set_cookie(DEVICE_COOKIE, token, domain="localhost")
    failures = {}
    for payload in payloads:
        kept = form_kept(payload.text)
        data = {
            "title": payload.text,
            "body": payload.text,
            "questions": payload.text,
            "keywords": payload.text,
        }
        response = editor.post("/staff/knowledge-base/articles/bins/en", data={**data, "save": "Save"})
        problems = response_problems(response, payload)
        too_long = [
            box for box, limit in (("title", MAX_TITLE), ("questions", MAX_PHRASE)) if len(kept) > limit
        ]
        translation = next(t for t in rows(ArticleTranslation) if t.lang == "en")
        if too_long:
            if response.status_code != 422 or any(not field_message(response, box) for box in too_long):
                problems.append(f"too long: status {response.status_code}")
        elif response.status_code != 302 or (translation.title, translation.body) != (kept, kept):
            problems.append(f"status {response.status_code}, kept {translation.body[:40]!r}")
        else:
            body = sanitised(kept)
            problems += html_problems(body)
            article = resident.get("/articles/bins")
            for page in (article, kiosk.get("/articles/bins")):
                problems += response_problems(page, payload)
                if page.status_code != 200:
                    problems.append(f"article: status {page.status_code}")
            if body not in article.get_data(as_text=True):
                problems.append("the article body is not nh3's output")
        if payload in MARKUP_BEARING:
            preview = editor.post(
                "/staff/knowledge-base/articles/bins/en", data={**data, "preview": "Preview"}
            )
            problems += response_problems(preview, payload)
            problems += response_problems(
                editor.get("/staff/knowledge-base", query_string={"q": payload.text}), payload
            )
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    assert response_problems(editor.get("/staff/knowledge-base/articles/bins/history")) == []


def test_new_articles_refuse_hostile_slugs_and_keep_the_rest(app, staff_client):
    payloads = for_database(app)
    editor, _editor = staff_client("kb_editor")
    failures = {}
    for payload in payloads:
        data = {
            "slug": payload.text,
            "service_group": "environment",
            "owner": payload.text,
            "review_due": ["31", "3", "2027"],
            "related_form": payload.text,
            "title": payload.text,
            "body": payload.text,
        }
        response = editor.post("/staff/knowledge-base/new", data=data)
        problems = response_problems(response, payload)
        slug_refused = field_message(response, "slug") or SLUG.match(form_kept(payload.text))  # 'bin\x00day'
        if response.status_code != 422 or not slug_refused or not field_message(response, "related_form"):
            problems.append(f"status {response.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    assert [t.title for t in rows(ArticleTranslation)] == []


REPORT_PAGES = (
    ("/staff/reports", "/staff/reports/tables/channels.csv"),
    ("/staff/reports/content-gaps", "/staff/reports/content-gaps/unanswered.csv"),
)

# --- reports ------------------------------------------------------------------------------------------------


def test_report_filters_are_refused_by_their_boxes_and_the_csvs_stay_clean(app, staff_client):
    # Choices and dates, read by one form: the markup-bearing payloads, SQL, and a NUL and line breaks.
    payloads = for_database(app, [*MARKUP_BEARING, *SQL, BY_NAME["NUL"], BY_NAME["CRLF header"]])
    manager, _manager = staff_client("manager")
    failures = {}
    for number, payload in enumerate(payloads):
        args = {
            "period": payload.text,
            "date_from": [payload.text] * 3,
            "date_to": [payload.text] * 3,
            "service_group": payload.text,
            "channel": payload.text,
            "lang": payload.text,
        }
        # Each payload on one of the reports' pages, turn about: they read their filters with one form.
        page, sheet = REPORT_PAGES[number % len(REPORT_PAGES)]
        response = manager.get(page, query_string=args)
        problems = response_problems(response, payload)
        if response.status_code != 422 or not field_message(response, "date_from"):
            problems.append(f"{page}: status {response.status_code}")
        links = [a["href"] for a in soup_of(response).select("a[href*='.csv']")]
        if any("\n" in link or "<" in link or " " in link for link in links):
            problems.append(f"CSV link {links[0][:60]!r}")
        if number % 3 == 0:  # its CSV too, for every third payload: the same form reads the same filters
            problems += csv_problems(manager.get(sheet, query_string=args))
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_what_residents_typed_reaches_the_content_gaps_report_inert(
    app, client, staff_client, create_article
):
    create_article(slug="bins", title="Bins", keywords=("bins",))
    for payload in PAYLOADS:
        client.get("/search", query_string={"q": payload.text})
        client.post("/articles/bins/feedback", data={"helpful": "no", "comment": payload.text})
    manager, _manager = staff_client("manager")

    report = manager.get("/staff/reports/content-gaps", query_string={"period": "this-quarter"})
    comments = manager.get(
        "/staff/reports/content-gaps/comments/bins", query_string={"period": "this-quarter"}
    )

    assert response_problems(report, *PAYLOADS) == []
    assert response_problems(comments, *PAYLOADS) == []
    shown = soup_of(comments).find("main").get_text(" ")
    assert "<script>alert(1)</script>" in shown and "' OR '1'='1" in shown
    for table in ("unanswered", "not-helpful", "most-searched"):
        sheet = manager.get(
            f"/staff/reports/content-gaps/{table}.csv", query_string={"period": "this-quarter"}
        )
        assert csv_problems(sheet) == [], table
    unanswered = manager.get(
        "/staff/reports/content-gaps/unanswered.csv", query_string={"period": "this-quarter"}
    )
    written = unanswered.get_data(as_text=True).lower()  # searches are grouped as the engine reads them
    assert "'=hyperlink(" in written and "'+cmd|" in written and "'@sum(" in written
    for payload in [*TRAVERSAL, *MARKUP_BEARING[:4]]:  # an article's address made of hostile text
        response = manager.get("/staff/reports/content-gaps/comments/" + payload.text.replace("/", "%2F"))
        assert response.status_code in (200, 404), payload.name
        assert response_problems(response, payload) == [], payload.name


# --- admins -------------------------------------------------------------------------------------------------


def test_admin_forms_keep_names_as_typed_and_list_them_escaped(app, staff_client):
    payloads = for_database(app)
    admin, _admin = staff_client("admin")
    failures = {}
    kiosk_names = set()
    for number, payload in enumerate(payloads):
        kept = form_kept(payload.text)
        problems = []
        kiosk = admin.post("/staff/admin/kiosks/new", data={"name": payload.text, "location": payload.text})
        problems += response_problems(kiosk, payload)
        registered = [k for k in rows(Kiosk) if k.name == kept]
        if len(kept) > 120 or kept.lower() in kiosk_names:  # too long, or the name is taken already
            problems += (
                [] if kiosk.status_code == 422 and len(registered) <= 1 else [f"kiosk: {kiosk.status_code}"]
            )
        elif (
            kiosk.status_code not in (200, 302)
            or len(registered) != 1
            or registered[0].location != kept[:200]
        ):
            problems.append(f"kiosk: status {kiosk.status_code}")
        kiosk_names.add(kept.lower())
        if payload not in ACCOUNTS:
            failures.update({payload.name: problems} if problems else {})
            continue
        user = {"email": f"user{number}@northdale.example", "name": payload.text, "role": "advisor",
                "password": "a long temporary one"}  # fmt: skip
        made = admin.post("/staff/admin/users/new", data=user)
        problems += response_problems(made, payload)
        saved = [u for u in rows(StaffUser) if u.email == user["email"]]
        if len(kept) > 200:
            problems += [] if made.status_code == 422 and not saved else [f"user: status {made.status_code}"]
        elif made.status_code not in (200, 302) or [u.name for u in saved] != [kept]:
            problems.append(f"user: status {made.status_code}, kept {[u.name for u in saved]}")
        refused = admin.post("/staff/admin/users/new", data={**user, "email": payload.text, "name": "Pat"})
        problems += response_problems(refused, payload)
        if refused.status_code != 422 or not field_message(refused, "email"):
            problems.append(f"email: status {refused.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    for page in ("/staff/admin/users", "/staff/admin/kiosks", "/staff/admin/audit"):
        response = admin.get(page)
        assert response.status_code == 200, page
        assert response_problems(response, *payloads) == [], page
    assert csv_problems(admin.get("/staff/admin/audit/export.csv")) == []


# --- addresses that try to leave their folder -------------------------------------------------------------


def test_staff_photo_and_report_addresses_cannot_leave_their_folders(
    app, staff_client, create_case, tmp_path
):
    base = tmp_path / "files"
    uploads = base / "uploads"
    uploads.mkdir(parents=True)
    app.config["UPLOAD_FOLDER"] = str(uploads)
    (base / "secret.jpg").write_bytes(b"not for staff")
    issued = "a" * 32 + ".jpg"
    (uploads / issued).write_bytes(b"a photo")
    case, other = create_case(), create_case()
    case.attachments.append(Attachment(stored_name=issued, content_type="image/jpeg", size=7))
    case.attachments.append(Attachment(stored_name="../secret.jpg", content_type="image/jpeg", size=13))
    other.attachments.append(Attachment(stored_name="b" * 32 + ".jpg", content_type="image/jpeg", size=7))
    (uploads / ("b" * 32 + ".jpg")).write_bytes(b"their photo")
    db.session.commit()
    mine, tampered = case.attachments
    [theirs] = other.attachments
    client, _advisor = staff_client("advisor")
    url = f"/staff/cases/{case.reference}/photos"

    assert client.get(f"{url}/{mine.id}").data == b"a photo"
    assert client.get(f"{url}/{tampered.id}").status_code == 404  # a stored name we never issued
    assert client.get(f"{url}/{theirs.id}").status_code == 404  # another case's photo
    manager, _manager = staff_client("manager")
    for payload in TRAVERSAL:
        segment = quote(payload.text, safe="")
        assert client.get(f"{url}/{segment}").status_code == 404, payload.name
        for path in (f"/staff/reports/tables/{segment}.csv", f"/staff/reports/content-gaps/{segment}.csv"):
            response = manager.get(path)
            assert response.status_code == 404, path
            assert b"not for staff" not in response.data
