"""`flask users ...`: accounts from the command line, passwords never on it."""

from __future__ import annotations

from datetime import timedelta

from crm_bridge.audit import AuditEvent
from crm_bridge.staff.accounts import authenticate, find_user
from crm_bridge.staff.models import StaffUser
from portal.db import db, utcnow
from tests.portal.helpers import count, rows

PASSWORD = "a very long password"


def _create(runner, *extra, email="sam@northdale.example", role="advisor", input=f"{PASSWORD}\n{PASSWORD}\n"):
    args = ["users", "create", "--email", email, "--name", "Sam Smith", "--role", role, *extra]
    return runner.invoke(args=args, input=input)


def test_create_prompts_twice_for_the_password(runner):
    result = _create(runner)

    assert result.exit_code == 0, result.output
    assert "Created sam@northdale.example (advisor)" in result.output
    assert PASSWORD not in result.output
    user = find_user("sam@northdale.example")
    assert user.password_hash.startswith("$argon2")
    assert authenticate("sam@northdale.example", PASSWORD).user == user
    event = rows(AuditEvent)[-1]
    assert (event.actor_id, event.action, event.detail["via"]) == (None, "create", "cli")


def test_create_asks_again_when_the_passwords_do_not_match(runner):
    result = _create(runner, input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n")

    assert "do not match" in result.output
    assert result.exit_code == 0
    assert authenticate("sam@northdale.example", PASSWORD).user is not None


def test_create_reads_the_password_from_stdin(runner):
    result = _create(
        runner, "--service-group", "parking", "--service-group", "planning", "--password-stdin",
        role="service_officer", input=f"{PASSWORD}\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    user = find_user("sam@northdale.example")
    assert user.service_groups == ["parking", "planning"]


def test_create_admin_mentions_the_security_code(runner):
    result = _create(runner, role="admin")

    assert "security code" in result.output


def test_clear_errors_and_a_non_zero_exit(runner, create_staff):
    create_staff("advisor", email="taken@northdale.example")

    short = _create(runner, "--password-stdin", input="short\n")
    taken = _create(runner, "--password-stdin", email="taken@northdale.example", input=f"{PASSWORD}\n")
    no_groups = _create(runner, "--password-stdin", role="service_officer", input=f"{PASSWORD}\n")
    bad_role = _create(runner, "--password-stdin", role="wizard", input=f"{PASSWORD}\n")

    assert short.exit_code != 0 and "at least 12 characters" in short.output
    assert taken.exit_code != 0 and "already exists" in taken.output
    assert no_groups.exit_code != 0 and "at least one service group" in no_groups.output
    assert bad_role.exit_code != 0 and "wizard" in bad_role.output
    assert count(StaffUser) == 1


def test_there_is_no_password_option(runner):
    result = runner.invoke(args=["users", "create", "--help"])

    assert "--password-stdin" in result.output
    assert "--password " not in result.output


def test_list_set_role_deactivate_unlock_and_reset(runner, create_staff):
    officer = create_staff("service_officer", email="olive@northdale.example", service_groups=["parking"])
    create_staff("admin", email="root@northdale.example")
    officer.locked_until = utcnow() + timedelta(minutes=5)
    officer.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.commit()

    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0
    line = next(line for line in listing.output.splitlines() if line.startswith("olive@"))
    assert "service_officer\tparking\tactive locked code on" in line

    assert runner.invoke(args=["users", "unlock", "--email", "olive@northdale.example"]).exit_code == 0
    assert (
        runner.invoke(args=["users", "reset-second-factor", "--email", "Olive@northdale.example"]).exit_code
        == 0
    )
    result = runner.invoke(
        args=["users", "set-role", "--email", "olive@northdale.example", "--role", "manager"]
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["users", "deactivate", "--email", "olive@northdale.example"]).exit_code == 0

    db.session.refresh(officer)
    assert (officer.locked_until, officer.totp_secret, officer.role, officer.active) == (
        None,
        None,
        "manager",
        False,
    )
    assert [event.detail.get("fields") for event in rows(AuditEvent)] == [
        ["locked_until"],
        ["second_factor"],
        ["role", "service_groups"],
        ["active"],
    ]


def test_the_last_admin_cannot_be_removed(runner, create_staff):
    create_staff("admin", email="root@northdale.example")

    demote = runner.invoke(
        args=["users", "set-role", "--email", "root@northdale.example", "--role", "advisor"]
    )
    deactivate = runner.invoke(args=["users", "deactivate", "--email", "root@northdale.example"])
    missing = runner.invoke(args=["users", "unlock", "--email", "nobody@northdale.example"])

    assert demote.exit_code != 0 and "last active admin" in demote.output
    assert deactivate.exit_code != 0 and "last active admin" in deactivate.output
    assert missing.exit_code != 0 and "No account" in missing.output
    assert rows(StaffUser)[0].role == "admin"
