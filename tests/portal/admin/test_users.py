"""Admins manage staff accounts: add, change role and groups, deactivate, reset the second factor, unlock."""

from __future__ import annotations

from datetime import timedelta

import pyotp

from crm_bridge.audit import AuditEvent
from crm_bridge.staff.models import StaffUser
from portal.db import db, utcnow
from tests.conftest import sign_in_as
from tests.portal.helpers import assert_well_formed, count, page, rows, text

NEW_USER = {
    "email": "Pat.Jones@Northdale.example",
    "name": "Pat Jones",
    "role": "service_officer",
    "service_groups": ["parking", "planning"],
    "password": "a long temporary one",
}


def _field_error(response, field_id: str) -> str:
    group = page(response).find(id=field_id).find_parent(class_="govuk-form-group")
    return text(group.find(class_="govuk-error-message"))


def test_users_page_lists_every_account(staff_client, create_staff):
    client, admin = staff_client("admin")
    create_staff("service_officer", name="Olive Officer", service_groups=["parking"])
    create_staff("advisor", name="Gone Advisor", active=False)

    response = client.get("/staff/admin/users")

    assert assert_well_formed(response, 200) == "Staff accounts"
    table = text(page(response).find("table"))
    assert "Olive Officer" in table
    assert "parking" in table
    assert "Deactivated" in table
    assert page(response).find("a", href=f"/staff/admin/users/{admin.id}")


def test_other_roles_cannot_manage_users(staff_client):
    client, _ = staff_client("manager")

    assert client.get("/staff/admin/users").status_code == 403
    assert client.post("/staff/admin/users/new", data=NEW_USER).status_code == 403
    assert count(StaffUser) == 1


def test_new_user_page_is_well_formed(staff_client):
    client, _ = staff_client("admin")

    assert assert_well_formed(client.get("/staff/admin/users/new"), 200) == "Add a member of staff"


def test_admin_adds_a_service_officer(staff_client):
    client, admin = staff_client("admin")

    response = client.post("/staff/admin/users/new", data=NEW_USER)

    assert response.status_code == 302
    assert response.location == "/staff/admin/users"
    user = db.session.scalar(db.select(StaffUser).where(StaffUser.email == "pat.jones@northdale.example"))
    assert user.role == "service_officer"
    assert user.service_groups == ["parking", "planning"]
    assert user.password_hash.startswith("$argon2")
    assert "a long temporary one" not in user.password_hash
    event = rows(AuditEvent)[-1]
    assert (event.actor_id, event.action, event.object_type, event.object_id) == (
        admin.id,
        "create",
        "staff_user",
        str(user.id),
    )
    assert event.detail == {"role": "service_officer", "service_groups": ["parking", "planning"]}
    assert "Account created for Pat Jones" in text(page(client.get("/staff/admin/users")).main)


def test_groups_are_dropped_for_roles_that_see_every_queue(staff_client):
    client, _ = staff_client("admin")

    client.post("/staff/admin/users/new", data=NEW_USER | {"role": "advisor"})

    assert rows(StaffUser)[-1].service_groups == []


def test_service_officer_without_groups_is_refused_next_to_the_field(staff_client):
    client, _ = staff_client("admin")

    response = client.post("/staff/admin/users/new", data=NEW_USER | {"service_groups": []})

    assert assert_well_formed(response, 422) == "Add a member of staff"
    soup = page(response)
    assert "Select at least one service group" in text(soup.find(class_="govuk-error-summary"))
    assert "Select at least one service group" in _field_error(response, "service_groups")
    assert soup.find(id="email")["value"] == "Pat.Jones@Northdale.example"
    assert soup.find(id="name")["value"] == "Pat Jones"
    assert soup.find("input", attrs={"name": "role", "value": "service_officer"}).has_attr("checked")
    assert not soup.find(id="password").get("value")
    assert count(StaffUser) == 1
    assert count(AuditEvent) == 0


def test_duplicate_email_short_password_and_bad_email_are_refused(staff_client, create_staff):
    client, _ = staff_client("admin")
    create_staff("advisor", email="pat.jones@northdale.example")

    response = client.post("/staff/admin/users/new", data=NEW_USER | {"password": "short"})

    assert response.status_code == 422
    assert "already exists" in _field_error(response, "email")
    assert "at least 12 characters" in _field_error(response, "password")
    response = client.post("/staff/admin/users/new", data=NEW_USER | {"email": "not an email"})
    assert "correct format" in _field_error(response, "email")
    assert count(StaffUser) == 2


def test_edit_page_shows_the_account(staff_client, create_staff):
    client, _ = staff_client("admin")
    officer = create_staff("service_officer", name="Olive Officer", service_groups=["parking"])

    response = client.get(f"/staff/admin/users/{officer.id}")

    assert assert_well_formed(response, 200) == "Change the account of Olive Officer"
    soup = page(response)
    assert soup.find("input", attrs={"name": "role", "value": "service_officer"}).has_attr("checked")
    assert soup.find("input", attrs={"name": "service_groups", "value": "parking"}).has_attr("checked")
    assert not soup.find("input", attrs={"name": "service_groups", "value": "planning"}).has_attr("checked")
    assert soup.find("input", attrs={"name": "active", "value": "yes"}).has_attr("checked")
    assert client.get("/staff/admin/users/99999").status_code == 404


def test_admin_changes_role_and_groups(staff_client, create_staff):
    client, admin = staff_client("admin")
    officer = create_staff("service_officer", service_groups=["parking"])
    token = officer.session_token

    response = client.post(
        f"/staff/admin/users/{officer.id}",
        data={"role": "manager", "service_groups": ["parking"], "active": "yes"},
    )

    assert response.status_code == 302
    db.session.refresh(officer)
    assert officer.role == "manager"
    assert officer.service_groups == []
    assert officer.session_token != token  # signed in again under the new role's rules
    event = rows(AuditEvent)[-1]
    assert (event.actor_id, event.action, event.object_id) == (admin.id, "update", str(officer.id))
    assert event.detail["fields"] == ["role", "service_groups"]
    assert event.detail["new_role"] == "manager"


def test_changing_to_service_officer_without_groups_is_refused(staff_client, create_staff):
    client, _ = staff_client("admin")
    advisor = create_staff("advisor")

    response = client.post(
        f"/staff/admin/users/{advisor.id}", data={"role": "service_officer", "active": "yes"}
    )

    assert assert_well_formed(response, 422).startswith("Change the account of")
    assert "Select at least one service group" in _field_error(response, "service_groups")
    assert (
        page(response).find("input", attrs={"name": "role", "value": "service_officer"}).has_attr("checked")
    )
    db.session.refresh(advisor)
    assert advisor.role == "advisor"


def test_admin_cannot_demote_or_deactivate_themselves(staff_client):
    client, admin = staff_client("admin")

    demoted = client.post(f"/staff/admin/users/{admin.id}", data={"role": "advisor", "active": "yes"})
    deactivated = client.post(f"/staff/admin/users/{admin.id}", data={"role": "admin", "active": "no"})

    assert demoted.status_code == 422
    assert "cannot remove your own admin role" in _field_error(demoted, "role")
    assert deactivated.status_code == 422
    assert "deactivate your own account" in _field_error(deactivated, "active")
    db.session.refresh(admin)
    assert (admin.role, admin.active) == ("admin", True)
    assert count(AuditEvent) == 0


def test_deactivated_user_is_signed_out(app, staff_client):
    client, _ = staff_client("admin")
    advisor_client, advisor = staff_client("advisor")
    assert advisor_client.get("/staff/").status_code == 302

    changed = client.post(f"/staff/admin/users/{advisor.id}", data={"role": "advisor", "active": "no"})

    assert changed.status_code == 302, changed.get_data(as_text=True)[-3000:]

    response = advisor_client.get("/staff/")
    assert response.status_code == 302
    assert response.location.startswith("/staff/sign-in")
    db.session.refresh(advisor)
    assert advisor.active is False


def test_admin_resets_a_second_factor(staff_client, create_staff):
    client, admin = staff_client("admin")
    other = create_staff("admin", totp_secret=pyotp.random_base32())
    token = other.session_token

    edit_page = page(client.get(f"/staff/admin/users/{other.id}"))
    assert edit_page.find("form", action=f"/staff/admin/users/{other.id}/reset-security-code")
    response = client.post(f"/staff/admin/users/{other.id}/reset-security-code")

    assert response.status_code == 302
    db.session.refresh(other)
    assert other.totp_secret is None
    assert other.session_token != token
    event = rows(AuditEvent)[-1]
    assert (event.actor_id, event.object_id, event.detail) == (
        admin.id,
        str(other.id),
        {"fields": ["second_factor"]},
    )
    assert "set up a new security code" in text(page(client.get(response.location)).main)


def test_admin_unlocks_an_account(staff_client, create_staff):
    client, admin = staff_client("admin")
    locked = create_staff("advisor", locked_until=utcnow() + timedelta(minutes=10), failed_sign_ins=0)
    assert "Locked" in text(page(client.get("/staff/admin/users")).find("table"))
    assert page(client.get(f"/staff/admin/users/{locked.id}")).find(
        "form", action=f"/staff/admin/users/{locked.id}/unlock"
    )

    response = client.post(f"/staff/admin/users/{locked.id}/unlock")

    assert response.status_code == 302
    db.session.refresh(locked)
    assert locked.locked_until is None
    assert rows(AuditEvent)[-1].detail == {"fields": ["locked_until"]}
    assert not page(client.get(f"/staff/admin/users/{locked.id}")).find(
        "form", action=f"/staff/admin/users/{locked.id}/unlock"
    )


def test_staff_navigation_shows_admin_pages_to_admins_only(staff_client):
    admin_client, _ = staff_client("admin")
    advisor_client, _ = staff_client("advisor")

    admin_links = [a["href"] for a in page(admin_client.get("/staff/admin/users")).select("nav a")]
    assert "/staff/admin/users" in admin_links
    assert "/staff/admin/audit" in admin_links
    advisor_page = advisor_client.get("/staff/sign-in")
    assert "/staff/admin/users" not in [a["href"] for a in page(advisor_page).select("nav a")]


def test_users_pages_work_with_csrf_on(csrf_app, create_staff):
    admin = create_staff("admin")
    client = csrf_app.test_client()
    sign_in_as(client, admin)

    refused = client.post("/staff/admin/users/new", data=NEW_USER)
    form = page(client.get("/staff/admin/users/new"))
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    accepted = client.post("/staff/admin/users/new", data=NEW_USER | {"csrf_token": token})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert count(StaffUser) == 2
