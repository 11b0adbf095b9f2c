"""Staff accounts: creating them, checking a password and a second factor, locking out guessers.

No Flask here: the sign-in views call `authenticate` and `verify_second_factor`, the `flask users`
commands call `create_user`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.db import db, utcnow
from portal.domain import SERVICE_GROUPS

from .models import StaffUser
from .roles import SECOND_FACTOR_REQUIRED, Role

MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "Council workbench"

_hasher = PasswordHasher()
# Verified when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why, `code` says which rule
    (for screens that word it in the reader's language) and `field` which input it is about."""

    def __init__(self, message: str, code: str = "", field: str | None = None):
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


class SignIn(StrEnum):
    OK = "ok"
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    NEEDS_SECOND_FACTOR_SET_UP = "needs_second_factor_set_up"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignIn
    user: StaffUser | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long", "password_short", "password"
        )


def find_user(email: str) -> StaffUser | None:
    email = (email or "").strip().lower()
    return db.session.scalar(sa.select(StaffUser).where(sa.func.lower(StaffUser.email) == email))


def create_user(
    email: str, name: str, role: str, password: str, service_groups: list[str] | tuple[str, ...] = ()
) -> StaffUser:
    """A new account (added to the session; the caller commits)."""
    email = (email or "").strip().lower()
    if "@" not in email:
        raise AccountError(
            "Enter an email address in the correct format, like name@example.com", "email_format", "email"
        )
    if find_user(email) is not None:
        raise AccountError("An account with this email address already exists", "email_taken", "email")
    user = StaffUser(email=email, name=(name or "").strip() or email, session_token=secrets.token_hex(16))
    set_role(user, role, service_groups)
    set_password(user, password)
    db.session.add(user)
    return user


def set_role(user: StaffUser, role: str, service_groups: list[str] | tuple[str, ...] = ()) -> None:
    if role not in {r.value for r in Role}:
        raise AccountError(
            f"Unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}", "role_unknown", "role"
        )
    unknown = [group for group in service_groups if group not in SERVICE_GROUPS]
    if unknown:
        raise AccountError(f"Unknown service group {unknown[0]!r}", "group_unknown", "service_groups")
    if role == Role.SERVICE_OFFICER and not service_groups:
        raise AccountError(
            "A service officer needs at least one service group", "groups_missing", "service_groups"
        )
    user.role = role
    user.service_groups = list(service_groups) if role == Role.SERVICE_OFFICER else []


def set_password(user: StaffUser, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)


def authenticate(email: str, password: str, policy: LockoutPolicy | None = None) -> SignInResult:
    """Checks the password, counting failures: after `max_failures` in a row the account is locked for
    `lockout`, even to the right password. Commits the count."""
    policy = policy or LockoutPolicy()
    user = find_user(email)
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return SignInResult(SignIn.WRONG, user)
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        return SignInResult(SignIn.LOCKED, user)
    if not _verify(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= policy.max_failures:
            user.locked_until = now + policy.lockout
            user.failed_sign_ins = 0
            db.session.commit()
            return SignInResult(SignIn.LOCKED, user)
        db.session.commit()
        return SignInResult(SignIn.WRONG, user)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    if user.totp_secret:
        db.session.commit()
        return SignInResult(SignIn.NEEDS_SECOND_FACTOR, user)
    if user.role in SECOND_FACTOR_REQUIRED:
        db.session.commit()
        return SignInResult(SignIn.NEEDS_SECOND_FACTOR_SET_UP, user)
    record_sign_in(user)
    return SignInResult(SignIn.OK, user)


def record_sign_in(user: StaffUser) -> None:
    user.last_sign_in_at = utcnow()
    db.session.commit()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def code_matches(secret: str, code: str, at: datetime | None = None) -> bool:
    """A six-digit code from the authenticator app, allowing one 30-second step of clock drift."""
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == 6):
        return False
    return pyotp.TOTP(secret).verify(code, for_time=at, valid_window=1)


def verify_second_factor(user: StaffUser, code: str, policy: LockoutPolicy | None = None) -> bool:
    """Wrong codes count towards the same lockout as wrong passwords."""
    policy = policy or LockoutPolicy()
    if user.locked_until and user.locked_until > utcnow():
        return False
    if user.totp_secret and code_matches(user.totp_secret, code):
        user.failed_sign_ins = 0
        record_sign_in(user)
        return True
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= policy.max_failures:
        user.locked_until = utcnow() + policy.lockout
        user.failed_sign_ins = 0
    db.session.commit()
    return False


def enable_second_factor(user: StaffUser, secret: str, code: str) -> bool:
    """Turns the second factor on once the user proves their app shows the right code."""
    if not code_matches(secret, code):
        return False
    user.totp_secret = secret
    user.session_token = secrets.token_hex(16)
    record_sign_in(user)
    return True


# Administration: each change is audited in the same transaction and committed. `actor` is the admin
# making it, or None for the `flask users` commands run on the server (recorded with via="cli").


def _audit(actor: StaffUser | None, action: str, user: StaffUser, **detail) -> None:
    from crm_bridge.audit import audit

    if actor is None:
        detail["via"] = "cli"
    audit(actor, action, "staff_user", user.id, **detail)


def add_user(
    actor: StaffUser | None,
    email: str,
    name: str,
    role: str,
    password: str,
    service_groups: list[str] | tuple[str, ...] = (),
) -> StaffUser:
    """A new account with a temporary password the admin gives its owner."""
    user = create_user(email, name, role, password, service_groups)
    db.session.flush()
    _audit(actor, "create", user, role=user.role, service_groups=list(user.service_groups))
    db.session.commit()
    return user


def _active_admins_other_than(user: StaffUser) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(StaffUser)
        .where(StaffUser.role == Role.ADMIN, StaffUser.active, StaffUser.id != user.id)
    )


def _keep_an_admin(actor: StaffUser | None, user: StaffUser, role: str, active: bool) -> None:
    """Admins cannot take away their own admin role or account, and the last admin cannot be removed."""
    if user.role != Role.ADMIN or (role == Role.ADMIN and active):
        return
    if actor is not None and actor.id == user.id:
        field = "role" if role != Role.ADMIN else "active"
        raise AccountError(
            "You cannot remove your own admin role or deactivate your own account", "own_admin", field
        )
    if _active_admins_other_than(user) == 0:
        raise AccountError("This is the last active admin: make another admin first", "last_admin", "role")


def change_user(
    actor: StaffUser | None,
    user: StaffUser,
    role: str,
    service_groups: list[str] | tuple[str, ...] = (),
    active: bool = True,
) -> list[str]:
    """Role, service groups and whether the account may sign in. Returns the fields that changed."""
    _keep_an_admin(actor, user, role, active)
    before = {"role": user.role, "service_groups": list(user.service_groups or []), "active": user.active}
    set_role(user, role, service_groups)
    user.active = active
    after = {"role": user.role, "service_groups": list(user.service_groups or []), "active": user.active}
    changed = [field for field in before if before[field] != after[field]]
    if "role" in changed:
        # Signed in again under the new role's rules (an admin must then set up a second factor).
        user.session_token = secrets.token_hex(16)
    if changed:
        _audit(actor, "update", user, fields=changed, **{f"new_{field}": after[field] for field in changed})
        db.session.commit()
    return changed


def deactivate_user(actor: StaffUser | None, user: StaffUser) -> None:
    """The account can no longer sign in; any session it has ends at its next request."""
    change_user(actor, user, user.role, user.service_groups or [], active=False)


def reset_second_factor(actor: StaffUser | None, user: StaffUser) -> None:
    """For a lost phone: the account sets up a new authenticator at its next sign-in (admins must)."""
    user.totp_secret = None
    user.session_token = secrets.token_hex(16)
    _audit(actor, "update", user, fields=["second_factor"])
    db.session.commit()


def unlock_user(actor: StaffUser | None, user: StaffUser) -> None:
    user.failed_sign_ins = 0
    user.locked_until = None
    _audit(actor, "update", user, fields=["locked_until"])
    db.session.commit()


def is_locked(user: StaffUser, at: datetime | None = None) -> bool:
    return bool(user.locked_until and user.locked_until > (at or utcnow()))


def list_users() -> list[StaffUser]:
    return list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.name)))
