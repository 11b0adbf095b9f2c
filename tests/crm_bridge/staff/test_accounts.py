"""Staff accounts: Argon2 hashes, lockout, the TOTP second factor and session rotation."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pyotp
import pytest

from crm_bridge.staff import accounts
from crm_bridge.staff.accounts import AccountError, LockoutPolicy, SignIn, authenticate
from portal.db import db, utcnow
from tests.conftest import STAFF_PASSWORD

POLICY = LockoutPolicy(max_failures=3, lockout=timedelta(minutes=15))


def _wrong_code(secret: str) -> str:
    """A six-digit code that matches none of the steps the drift window accepts now."""
    totp = pyotp.TOTP(secret)
    accepted = {totp.at(time.time() + 30 * step) for step in (-2, -1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in accepted)


def test_only_an_argon2_hash_is_stored(create_staff):
    user = create_staff("advisor")

    assert user.password_hash.startswith("$argon2id$")
    assert STAFF_PASSWORD not in user.password_hash
    assert accounts.hash_password(STAFF_PASSWORD) != user.password_hash  # salted


def test_right_password_signs_in_and_email_case_does_not_matter(create_staff):
    user = create_staff("advisor", email="ann@northdale.example")

    result = authenticate("  ANN@Northdale.example ", STAFF_PASSWORD, POLICY)

    assert (result.outcome, result.user) == (SignIn.OK, user)
    assert user.last_sign_in_at is not None


def test_wrong_password_and_unknown_or_inactive_accounts_are_refused(create_staff):
    create_staff("advisor", email="ann@northdale.example")
    create_staff("advisor", email="gone@northdale.example", active=False)

    assert authenticate("ann@northdale.example", "wrong password!", POLICY).outcome == SignIn.WRONG
    assert authenticate("nobody@northdale.example", STAFF_PASSWORD, POLICY).outcome == SignIn.WRONG
    assert authenticate("gone@northdale.example", STAFF_PASSWORD, POLICY).outcome == SignIn.WRONG


def test_lockout_after_repeated_failures_even_with_the_right_password(create_staff):
    user = create_staff("advisor")

    outcomes = [authenticate(user.email, "wrong password!", POLICY).outcome for _ in range(3)]

    assert outcomes == [SignIn.WRONG, SignIn.WRONG, SignIn.LOCKED]
    assert user.locked_until > utcnow() + timedelta(minutes=14)
    assert authenticate(user.email, STAFF_PASSWORD, POLICY).outcome == SignIn.LOCKED


def test_a_success_resets_the_count(create_staff):
    user = create_staff("advisor")
    authenticate(user.email, "wrong password!", POLICY)
    authenticate(user.email, "wrong password!", POLICY)

    assert authenticate(user.email, STAFF_PASSWORD, POLICY).outcome == SignIn.OK
    assert user.failed_sign_ins == 0
    assert authenticate(user.email, "wrong password!", POLICY).outcome == SignIn.WRONG


def test_lock_ends_after_the_period(create_staff):
    user = create_staff("advisor")
    for _ in range(3):
        authenticate(user.email, "wrong password!", POLICY)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert authenticate(user.email, STAFF_PASSWORD, POLICY).outcome == SignIn.OK
    assert user.locked_until is None


def test_passwords_must_be_long_enough(app):
    with pytest.raises(AccountError, match="at least 12 characters") as error:
        accounts.create_user("short@northdale.example", "Short", "advisor", "eleven char")
    assert (error.value.field, error.value.code) == ("password", "password_short")
    assert (
        accounts.create_user("long@northdale.example", "Long", "advisor", "twelve chars").email
        == "long@northdale.example"
    )


def test_admins_must_set_up_a_second_factor_then_use_it(create_staff):
    admin = create_staff("admin")

    assert authenticate(admin.email, STAFF_PASSWORD, POLICY).outcome == SignIn.NEEDS_SECOND_FACTOR_SET_UP
    secret = accounts.new_totp_secret()
    assert not accounts.enable_second_factor(admin, secret, _wrong_code(secret))
    assert admin.totp_secret is None
    assert accounts.enable_second_factor(admin, secret, pyotp.TOTP(secret).now())
    assert admin.totp_secret == secret
    assert authenticate(admin.email, STAFF_PASSWORD, POLICY).outcome == SignIn.NEEDS_SECOND_FACTOR
    assert "otpauth://totp/" in accounts.totp_uri(secret, admin.email)


def test_other_roles_may_sign_in_without_a_second_factor_or_turn_it_on(create_staff):
    advisor = create_staff("advisor", totp_secret=pyotp.random_base32())

    assert authenticate(advisor.email, STAFF_PASSWORD, POLICY).outcome == SignIn.NEEDS_SECOND_FACTOR


def test_totp_codes_allow_one_step_of_clock_drift():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = datetime(2026, 3, 27, 12, 0, 15)

    assert accounts.code_matches(secret, totp.at(now), at=now)
    assert accounts.code_matches(secret, totp.at(now - timedelta(seconds=30)), at=now)
    assert accounts.code_matches(secret, totp.at(now + timedelta(seconds=30)), at=now)
    assert not accounts.code_matches(secret, totp.at(now - timedelta(seconds=90)), at=now)
    code = totp.at(now)
    assert accounts.code_matches(secret, f"{code[:3]} {code[3:]}", at=now)
    assert not accounts.code_matches(secret, "abcdef", at=now)
    assert not accounts.code_matches(secret, "", at=now)


def test_wrong_codes_count_towards_the_lockout(create_staff):
    secret = pyotp.random_base32()
    user = create_staff("admin", totp_secret=secret)
    wrong = _wrong_code(secret)

    results = [accounts.verify_second_factor(user, wrong, POLICY) for _ in range(3)]

    assert results == [False, False, False]
    assert user.locked_until > utcnow()
    assert not accounts.verify_second_factor(user, pyotp.TOTP(secret).now(), POLICY)
    assert authenticate(user.email, STAFF_PASSWORD, POLICY).outcome == SignIn.LOCKED


def test_right_code_signs_in(create_staff):
    secret = pyotp.random_base32()
    user = create_staff("admin", totp_secret=secret)

    assert accounts.verify_second_factor(user, pyotp.TOTP(secret).now(), POLICY)
    assert user.last_sign_in_at is not None


def test_new_password_or_second_factor_rotates_the_session_token(create_staff):
    user = create_staff("advisor")
    first = user.get_id()

    accounts.set_password(user, "another long password")
    second = user.get_id()
    secret = pyotp.random_base32()
    accounts.enable_second_factor(user, secret, pyotp.TOTP(secret).now())
    third = user.get_id()
    accounts.reset_second_factor(None, user)

    assert len({first, second, third, user.get_id()}) == 4
    assert all(token.startswith(f"{user.id}:") for token in (first, second, third))


def test_role_rules(create_staff):
    user = create_staff("advisor")

    with pytest.raises(AccountError, match="service group"):
        accounts.set_role(user, "service_officer", [])
    with pytest.raises(AccountError, match="Unknown service group"):
        accounts.set_role(user, "service_officer", ["moon"])
    with pytest.raises(AccountError, match="Unknown role"):
        accounts.set_role(user, "wizard")
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_user(user.email.upper(), "Again", "advisor", STAFF_PASSWORD)


def test_admins_cannot_remove_their_own_admin_role(create_staff):
    admin = create_staff("admin")
    other = create_staff("admin")

    with pytest.raises(AccountError, match="your own"):
        accounts.change_user(admin, admin, "advisor")
    with pytest.raises(AccountError, match="your own"):
        accounts.change_user(admin, admin, "admin", active=False)
    assert accounts.change_user(admin, other, "advisor") == ["role"]
    with pytest.raises(AccountError, match="last active admin"):
        accounts.change_user(None, admin, "manager")
