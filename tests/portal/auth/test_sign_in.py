"""Staff sign-in: password, lockout, the second factor, safe redirects, sign-out and session ends."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest

from crm_bridge.audit import AuditEvent
from crm_bridge.staff import accounts
from portal.db import db, utcnow
from tests.conftest import STAFF_PASSWORD
from tests.portal.helpers import assert_well_formed, page, rows, text


def _wrong_code(secret: str) -> str:
    accepted = {pyotp.TOTP(secret).at(time.time() + 30 * step) for step in (-2, -1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in accepted)


def _sign_in(client, email, password=STAFF_PASSWORD, next_url=None):
    url = "/staff/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_sign_in_page_is_well_formed(client):
    response = client.get("/staff/sign-in")

    assert assert_well_formed(response, 200) == "Sign in"
    assert response.headers["Cache-Control"] == "no-store"
    assert page(response).find(id="password")["type"] == "password"


def test_staff_sign_in_and_reach_their_first_page(client, create_staff):
    user = create_staff("advisor")

    response = _sign_in(client, user.email.upper())

    assert response.status_code == 302
    assert response.location == "/staff/"
    assert client.get("/staff/").status_code == 302  # on to the first page their role opens
    event = rows(AuditEvent)[-1]
    assert (event.actor_id, event.action, event.object_id) == (user.id, "sign_in", str(user.id))


def test_wrong_password_keeps_the_email_and_answers_422(client, create_staff):
    user = create_staff("advisor")

    response = _sign_in(client, user.email, "not the password")

    assert assert_well_formed(response, 422) == "Sign in"
    soup = page(response)
    assert soup.find(id="email")["value"] == user.email
    assert not soup.find(id="password").get("value")
    assert "Enter a correct email address and password" in text(soup.find(class_="govuk-error-summary"))
    assert "not the password" not in response.get_data(as_text=True)
    event = rows(AuditEvent)[-1]
    assert (event.action, event.object_id, event.detail) == (
        "sign_in_failed",
        str(user.id),
        {"outcome": "wrong"},
    )
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/").location.startswith("/staff/sign-in")


def test_unknown_email_gets_the_same_answer(client):
    response = _sign_in(client, "nobody@northdale.example")

    assert response.status_code == 422
    assert "Enter a correct email address and password" in text(page(response).main)
    assert rows(AuditEvent)[-1].object_id == "unknown"


def test_empty_form_shows_both_errors(client):
    response = client.post("/staff/sign-in", data={})

    assert response.status_code == 422
    summary = text(page(response).find(class_="govuk-error-summary"))
    assert "Enter your email address" in summary
    assert "Enter your password" in summary


def test_lockout_after_repeated_failures(app, client, create_staff):
    user = create_staff("advisor")
    for _ in range(app.config["STAFF_MAX_FAILED_SIGN_INS"] - 1):
        assert _sign_in(client, user.email, "not the password").status_code == 422

    locked = _sign_in(client, user.email, "not the password")
    right_password = _sign_in(client, user.email)

    for response in (locked, right_password):
        assert response.status_code == 422
        assert "too many attempts" in text(page(response).main)
        assert f"Wait {app.config['STAFF_LOCKOUT_MINUTES']} minutes" in text(page(response).main)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _sign_in(client, user.email).status_code == 302


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/staff/admin/users", "/staff/admin/users"),
        ("https://evil.example/staff/", "/staff/"),
        ("//evil.example/staff/", "/staff/"),
        ("/staff/\\\\evil.example", "/staff/"),
        ("/search?q=x", "/staff/"),
    ],
)
def test_next_redirect_only_to_staff_pages(client, create_staff, next_url, landing):
    user = create_staff("advisor")

    response = _sign_in(client, user.email, next_url=next_url)

    assert response.location == landing


def test_staff_pages_send_anonymous_visitors_to_sign_in_and_back(client, create_staff):
    user = create_staff("manager")

    refused = client.get("/staff/admin/audit")
    signed_in = client.post(refused.location, data={"email": user.email, "password": STAFF_PASSWORD})

    assert refused.status_code == 302
    assert refused.location == "/staff/sign-in?next=%2Fstaff%2Fadmin%2Faudit"
    assert signed_in.location == "/staff/admin/audit"
    assert client.get("/staff/admin/audit").status_code == 403  # a manager may not read it


def test_admin_must_set_up_a_security_code_then_use_it(client, create_staff):
    admin = create_staff("admin")

    first = _sign_in(client, admin.email, next_url="/staff/admin/users")
    assert first.location == "/staff/sign-in/set-up-code"
    assert client.get("/staff/admin/users").status_code == 302  # not signed in yet
    set_up = client.get("/staff/sign-in/set-up-code")
    assert assert_well_formed(set_up, 200) == "Set up your security code"
    secret = text(page(set_up).find(class_="app-secret"))
    assert page(set_up).find("svg")
    wrong = client.post("/staff/sign-in/set-up-code", data={"code": "12345"})
    assert assert_well_formed(wrong, 422) == "Set up your security code"
    assert text(page(wrong).find(class_="app-secret")) == secret  # the same key while they try again
    done = client.post("/staff/sign-in/set-up-code", data={"code": pyotp.TOTP(secret).now()})
    assert done.location == "/staff/admin/users"
    assert client.get("/staff/admin/users").status_code == 200
    db.session.refresh(admin)
    assert admin.totp_secret == secret

    later = client.application.test_client()
    assert _sign_in(later, admin.email).location == "/staff/sign-in/code"
    code_page = later.get("/staff/sign-in/code")
    assert assert_well_formed(code_page, 200) == "Enter your security code"
    assert later.get("/staff/sign-in/set-up-code").location == "/staff/sign-in"  # no new key without the code
    wrong_code = later.post("/staff/sign-in/code", data={"code": _wrong_code(secret)})
    assert wrong_code.status_code == 422
    assert "security code is wrong" in text(page(wrong_code).main)
    assert later.get("/staff/admin/users").status_code == 302
    assert later.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()}).location == "/staff/"
    assert later.get("/staff/admin/users").status_code == 200


def test_code_pages_without_a_password_first_go_back_to_sign_in(client):
    assert client.get("/staff/sign-in/code").location == "/staff/sign-in"
    assert client.get("/staff/sign-in/set-up-code").location == "/staff/sign-in"


def test_any_member_of_staff_may_turn_on_a_security_code(staff_client):
    client, user = staff_client("advisor")

    response = client.get("/staff/account/security-code")
    secret = text(page(response).find(class_="app-secret"))
    done = client.post("/staff/account/security-code", data={"code": pyotp.TOTP(secret).now()})

    assert done.status_code == 302
    assert client.get("/staff/").status_code == 302
    assert not client.get("/staff/").location.startswith("/staff/sign-in")  # still signed in
    db.session.refresh(user)
    assert user.totp_secret == secret


def test_sign_out_needs_a_post_with_the_csrf_token(csrf_app, create_staff):
    user = create_staff("advisor")
    client = csrf_app.test_client()
    token = page(client.get("/staff/sign-in")).find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/staff/sign-in", data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token})
    staff_page = client.get("/staff/account/security-code")
    form = page(staff_page).find("form", action="/staff/sign-out")
    token = form.find("input", attrs={"name": "csrf_token"})["value"]

    assert client.get("/staff/sign-out").status_code == 405
    assert client.post("/staff/sign-out").status_code == 400
    assert client.get("/staff/account/security-code").status_code == 200
    assert client.post("/staff/sign-out", data={"csrf_token": token}).location == "/staff/sign-in"
    assert client.get("/staff/account/security-code").location.startswith("/staff/sign-in")
    assert [event.action for event in rows(AuditEvent)][-1] == "sign_out"


def test_session_of_a_deactivated_user_ends(staff_client):
    client, user = staff_client("advisor")
    assert client.get("/staff/account/security-code").status_code == 200

    user.active = False
    db.session.commit()

    assert client.get("/staff/account/security-code").location.startswith("/staff/sign-in")


def test_new_password_ends_other_sessions(staff_client):
    client, user = staff_client("advisor")

    accounts.set_password(user, "a brand new password")
    db.session.commit()

    assert client.get("/staff/account/security-code").location.startswith("/staff/sign-in")


def test_staff_pages_are_never_cached(staff_client):
    client, _ = staff_client("advisor")

    for url in ("/staff/sign-in", "/staff/account/security-code", "/staff/admin/users", "/staff/"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_signed_in_page_names_the_user_and_offers_sign_out(staff_client):
    client, user = staff_client("kb_editor", name="Kim Editor")

    soup = page(client.get("/staff/account/security-code"))

    assert "Signed in as Kim Editor" in text(soup)
    assert soup.find("form", action="/staff/sign-out")
