"""Hostile input through the residents' other ways in: tracking (reference and email), the satisfaction
comment, the reception kiosk (check-in, a form, search), and the addresses a redirect is built from
(`next=`, `back=`), static files and X-Request-ID. The payloads are tests/payloads.py's."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import sqlalchemy as sa

from crm_bridge import satisfaction
from crm_bridge.contacts import record_self_service_answer
from crm_bridge.handoff import CustomerDetails
from crm_bridge.models import Case, SatisfactionRating
from kiosk.device import DEVICE_COOKIE
from kiosk.visit_models import CheckIn
from portal.db import db
from portal.eforms.models import FormDraft
from tests.payloads import (
    REDIRECTS,
    TRAVERSAL,
    field_message,
    for_database,
    form_kept,
    html_problems,
    response_problems,
    shown_values,
    soup_of,
)

from .helpers import count, rows


def redirect_problems(response) -> list[str]:
    """A redirect must stay on this site, on one Location header, and set no cookie it was not meant to."""
    location = response.headers.get("Location", "")
    parts = urlsplit(location)
    problems = [] if response.status_code in (301, 302, 303, 308) else [f"status {response.status_code}"]
    if any(ch in location for ch in "\r\n\\") or not parts.path.startswith("/") or location.startswith("//"):
        problems.append(f"Location {location!r}")
    if (parts.scheme, parts.netloc) not in (("", ""), ("http", "localhost")):  # SERVER_NAME is localhost
        problems.append(f"Location leaves the site: {location!r}")
    cookies = response.headers.getlist("Set-Cookie")
    problems += [f"cookie {cookie!r}" for cookie in cookies if cookie.lower().startswith("x=")]
    return problems


# --- tracking -----------------------------------------------------------------------------------------------


def test_tracking_refuses_hostile_references_and_emails_without_saying_more(app, client, create_case):
    payloads = for_database(app)
    case = create_case(customer=CustomerDetails(name="Ann", email="ann@example.org"))
    failures = {}
    for payload in payloads:
        problems = []
        for data in (
            {"reference": payload.text, "email": "ann@example.org"},
            {"reference": case.reference, "email": payload.text},
        ):
            response = client.post("/track", data=data)
            problems += response_problems(response, payload)
            if response.status_code != 422:
                problems.append(f"{list(data.values())[0][:20]!r}: status {response.status_code}")
        link = client.get("/track/" + quote(payload.text, safe=""))
        problems += response_problems(link, payload)
        if link.status_code != 404:
            problems.append(f"link: status {link.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_tracking_with_an_address_in_any_script_is_no_500(client, create_case):
    """Regression: compare_digest refused str holding non-ASCII (a 500 for ånn@…); now compared as bytes."""
    ascii_case = create_case(customer=CustomerDetails(name="Ann", email="ann@example.org"))
    other_case = create_case(customer=CustomerDetails(name="Ånn", email="ånn@exämple.org"))

    wrong = client.post("/track", data={"reference": ascii_case.reference, "email": "ånn@example.org"})
    right = client.post("/track", data={"reference": other_case.reference, "email": "ÅNN@EXÄMPLE.ORG"})

    assert wrong.status_code == 422
    assert "could not find a request" in field_message(wrong, "reference")
    assert right.status_code == 302
    assert right.location == f"/track/{other_case.tracking_token}"


# --- the satisfaction comment -----------------------------------------------------------------------------


def test_satisfaction_comments_are_kept_as_typed_or_refused(app, client):
    payloads = for_database(app)
    failures = {}
    for payload in payloads:
        contact = record_self_service_answer("web", "en", "bin-day", "environment")
        db.session.commit()
        token = satisfaction.token_for_contact(contact.id, "answer", app.config["SECRET_KEY"])
        before = count(SatisfactionRating)
        data = {"satisfaction-token": token, "satisfaction-rating": "4", "satisfaction-comment": payload.text}
        response = client.post("/rate-our-service", data={**data, "back": payload.text})
        problems = response_problems(response, payload)
        kept = form_kept(payload.text)
        if len(kept) > satisfaction.MAX_COMMENT:
            message = field_message(response, "satisfaction-comment") or ""
            if response.status_code != 200 or "1,200 characters" not in message:
                problems.append(f"too long: status {response.status_code}, {message!r}")
            if (
                count(SatisfactionRating) != before
                or shown_values(response).get("satisfaction-comment") != kept
            ):
                problems.append("stored, or what was typed not shown again")
        elif response.status_code != 302 or rows(SatisfactionRating)[-1].comment != kept:
            problems.append(f"status {response.status_code}, kept {rows(SatisfactionRating)[-1].comment!r}")
        else:
            problems += redirect_problems(response)
            problems += response_problems(client.get(response.location), payload)
        if problems:
            failures[payload.name] = problems
    assert failures == {}


def test_a_rating_token_that_is_hostile_text_is_refused(app, client):
    payloads = for_database(app)
    failures = {}
    for payload in payloads:
        shown = client.get("/rate-our-service", query_string={"token": payload.text})
        sent = client.post(
            "/rate-our-service", data={"satisfaction-token": payload.text, "satisfaction-rating": "5"}
        )
        problems = response_problems(shown, payload) + response_problems(sent, payload)
        if (shown.status_code, sent.status_code) != (400, 400):
            problems.append(f"statuses {shown.status_code}, {sent.status_code}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    assert count(SatisfactionRating) == 0


# --- the kiosk ----------------------------------------------------------------------------------------------


def kiosk_visitor(app, token: str):
    visitor = app.test_client()
    visitor.set_cookie(DEVICE_COOKIE, token, domain="localhost")
    return visitor


def test_kiosk_check_in_keeps_the_name_as_typed_and_reception_shows_it_escaped(
    app, create_kiosk, staff_client
):
    payloads = for_database(app)
    _kiosk, token = create_kiosk()
    reception, _advisor = staff_client("advisor")
    failures = {}
    for payload in payloads:
        visitor = kiosk_visitor(app, token)
        before = count(CheckIn)
        response = visitor.post(
            "/kiosk/check-in", data={"topic": "parking", "name_or_initials": payload.text}
        )
        problems = response_problems(response, payload)
        kept = form_kept(payload.text)
        if len(kept) > 60:
            if response.status_code != 422 or not field_message(response, "name_or_initials"):
                problems.append(f"too long: status {response.status_code}")
            if shown_values(response).get("name_or_initials") != kept:
                problems.append(f"shown again as {shown_values(response).get('name_or_initials')!r}")
        elif response.status_code != 302 or count(CheckIn) != before + 1:
            problems.append(f"status {response.status_code}")
        else:
            visit = rows(CheckIn)[-1]
            problems += [] if visit.name_or_initials == kept else [f"kept {visit.name_or_initials!r}"]
            problems += response_problems(visitor.get("/kiosk/check-in/ticket"), payload)
            if payload.family in ("markup", "template"):
                problems += response_problems(reception.get(f"/staff/reception/{visit.id}"), payload)
        if problems:
            failures[payload.name] = problems
    assert failures == {}
    queue = reception.get("/staff/reception")  # every name that was taken, on one page
    assert queue.status_code == 200
    assert html_problems(queue.get_data(as_text=True), payloads) == []
    shown = soup_of(queue).get_text(" ")
    assert [v.name_or_initials for v in rows(CheckIn) if v.name_or_initials not in shown] == []


def test_on_a_kiosk_a_form_shows_what_was_typed_exactly(app, create_kiosk):
    """The kiosk rewrites every form field to autocomplete="off". Regression: it took words typed into a
    value ('bins autocomplete=on') for an attribute, ate the value's closing quote: 'bins required='."""
    payloads = for_database(app)
    _kiosk, token = create_kiosk()
    visitor = kiosk_visitor(app, token)
    assert visitor.post("/report/general-enquiry").status_code == 302
    failures = {}
    for payload in payloads:
        kept = form_kept(payload.text)
        problems = []
        details = {"phone": "01632 960 001", "preferred_contact": "phone", "email": ""}
        # A text box and a text area (the questions page's box is the same kind: shown in other tests).
        pages = {"your-details": {"name": payload.text[:200], "address": payload.text[:500], **details}}
        for step, data in pages.items():
            response = visitor.post(f"/report/general-enquiry/{step}", data=data)
            problems += response_problems(response, payload)
            again = (
                response if response.status_code == 422 else visitor.get(f"/report/general-enquiry/{step}")
            )
            problems += response_problems(again, payload)
            shown = shown_values(again)
            for box, typed in data.items():
                if box not in ("service_group", "preferred_contact") and shown.get(box) != form_kept(typed):
                    problems.append(f"{step} {box} shown as {shown.get(box)!r}")
        search = visitor.get("/search", query_string={"q": payload.text}, follow_redirects=True)
        problems += response_problems(search, payload)
        if 0 < len(kept) <= 500 and soup_of(search).find(id="q").get("value") != kept:
            problems.append(f"search box holds {soup_of(search).find(id='q').get('value')!r}")
        if problems:
            failures[payload.name] = problems
    assert failures == {}


# --- redirects, static files, request ids ----------------------------------------------------------------


def test_next_and_back_addresses_never_leave_the_site(app, client, create_kiosk):
    _kiosk, token = create_kiosk()
    visitor = kiosk_visitor(app, token)
    failures = {}
    for name, target in REDIRECTS.items():
        problems = redirect_problems(client.get("/language/cy", query_string={"next": target}))
        switched = client.get("/language/" + quote(target, safe=""), query_string={"next": "/"})
        problems += [] if switched.status_code == 404 else redirect_problems(switched)
        thanks = client.get("/rate-our-service/thank-you", query_string={"back": target})
        problems += response_problems(thanks, target)
        back = soup_of(thanks).find(id="satisfaction-back")
        if back is not None and (not back["href"].startswith("/") or back["href"].startswith("//")):
            problems.append(f"back link {back['href']!r}")
        problems += redirect_problems(visitor.post("/kiosk/high-contrast", data={"next": target}))
        if problems:
            failures[name] = problems
    assert failures == {}
    assert client.get("/language/cy", query_string={"next": "/search?q=bins"}).location == "/search?q=bins"


def test_static_files_cannot_be_reached_outside_their_folders(client):
    names = [p.text for p in TRAVERSAL] + ["../app.py", "..%2fapp.py", "%2e%2e/app.py", "build/../../app.py"]
    for name in names:
        for prefix in ("/static/", "/kiosk/static/"):
            response = client.get(prefix + name)
            body = response.get_data(as_text=True)
            assert response.status_code in (404, 400, 308), (prefix, name, response.status_code)
            assert "create_app" not in body and "root:" not in body


def test_a_hostile_request_id_is_replaced_not_echoed(client):
    for value in (
        "a\r\nSet-Cookie: x=y",
        "<script>alert(1)</script>",
        "x" * 500,
        "../../etc/passwd",
        "ok-id-1234",
    ):
        response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": value})
        echoed = response.headers.get("X-Request-ID")
        if echoed is None:
            return  # no request ids in this version: nothing to check
        assert "\r" not in echoed and "\n" not in echoed and "<" not in echoed and len(echoed) <= 64
        assert (echoed == value) == (value == "ok-id-1234")
        assert not any(cookie.startswith("x=") for cookie in response.headers.getlist("Set-Cookie"))


def test_the_database_is_whole_after_every_way_in(app, client, create_case):
    """The SQL payloads above ran through every form: the tables they name are all still there."""
    payloads = for_database(app)
    create_case()
    for payload in payloads:
        if payload.family == "sql":
            client.post("/track", data={"reference": payload.text, "email": payload.text})
            client.get("/search", query_string={"q": payload.text})
    inspector = sa.inspect(db.engine)
    for table in ("crm_case", "staff_user", "crm_customer", "portal_form_draft", "kb_article"):
        assert inspector.has_table(table), table
    assert count(Case) == 1
    assert count(FormDraft) == 0


def test_a_control_character_in_an_address_is_not_found(client, create_case):
    """Regression: a NUL in a path segment (/track/<token>) reached PostgreSQL, which refuses NUL in text:
    a 500. No address of ours has a control character in it: such a segment matches no route."""
    case = create_case()
    for path in (
        "/track/" + case.tracking_token[:10] + "%00",
        "/track/%00",
        "/track/ab%01cd",
        "/report/missed-bin%00",
        "/articles/bin%00day",
        "/kiosk/enrol/ab%00cd",
        "/language/cy%00",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert html_problems(response.get_data(as_text=True)) == []
    assert client.get(f"/track/{case.tracking_token}").status_code == 200
