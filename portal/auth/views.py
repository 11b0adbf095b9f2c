"""Staff sign-in: password, then the second factor where the account has one (admins must)."""

from __future__ import annotations

from datetime import timedelta

import segno
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import _
from flask_login import current_user, login_user, logout_user

from crm_bridge.audit import audit
from crm_bridge.staff import accounts
from crm_bridge.staff.models import StaffUser
from portal.db import db

from .access import guard_staff_blueprint, open_to_everyone, signed_in_required
from .forms import SecondFactorForm, SignInForm
from .navigation import first_page_for_user

auth = Blueprint("auth", __name__, url_prefix="/staff")
guard_staff_blueprint(auth)

PENDING = "pending_staff_user"  # signed in with a password, waiting for the second factor
PENDING_SECRET = "pending_totp_secret"  # noqa: S105 (a session key, not a secret)  # nosec B105


@auth.route("/sign-in", methods=["GET", "POST"])
@open_to_everyone
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data, lockout_policy())
        _audit_attempt(result)
        session["next"] = _safe_next(request.args.get("next"))
        if result.outcome == accounts.SignIn.OK:
            return _complete_sign_in(result.user)
        if result.outcome in (
            accounts.SignIn.NEEDS_SECOND_FACTOR,
            accounts.SignIn.NEEDS_SECOND_FACTOR_SET_UP,
        ):
            session[PENDING] = result.user.get_id()
            if result.outcome == accounts.SignIn.NEEDS_SECOND_FACTOR:
                return redirect(url_for("auth.enter_code"))
            return redirect(url_for("auth.set_up_code"))
        form.password.errors.append(_sign_in_refusal(result.outcome))
    page_title = _("Sign in")
    return render_template("auth/sign_in.html", form=form, page_title=page_title), 422 if form.errors else 200


@auth.route("/sign-in/code", methods=["GET", "POST"])
@open_to_everyone
def enter_code():
    user = _pending_user()
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.sign_in"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if accounts.verify_second_factor(user, form.code.data, lockout_policy()):
            return _complete_sign_in(user)
        audit(user, "sign_in_failed", "staff_user", user.id, ip_address=request.remote_addr, step="code")
        db.session.commit()
        form.code.errors.append(_("The security code is wrong or has expired: enter the code shown now"))
    page_title = _("Enter your security code")
    return render_template("auth/code.html", form=form, page_title=page_title), 422 if form.errors else 200


@auth.route("/sign-in/set-up-code", methods=["GET", "POST"])
@open_to_everyone
def set_up_code():
    user = _pending_user()
    if user is None or user.totp_secret:
        # An account that has a second factor proves it here: a password alone never replaces it.
        return redirect(url_for("auth.sign_in"))
    return _second_factor_set_up(user, then=lambda: _complete_sign_in(user))


@auth.route("/account/security-code", methods=["GET", "POST"])
@signed_in_required
def set_up_own_code():
    """Any member of staff may turn on the second factor for their own account."""
    user = current_user._get_current_object()
    return _second_factor_set_up(user, then=lambda: _complete_sign_in(user))


@auth.post("/sign-out")
@signed_in_required
def sign_out():
    audit(current_user, "sign_out", "staff_user", current_user.id, ip_address=request.remote_addr)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.sign_in"))


@auth.get("/")
@signed_in_required
def show_staff_home():
    first_page = first_page_for_user()
    if first_page:
        return redirect(first_page)
    return render_template("auth/no_pages.html", page_title=_("You have no pages to open"))


def lockout_policy() -> accounts.LockoutPolicy:
    return accounts.LockoutPolicy(
        max_failures=current_app.config["STAFF_MAX_FAILED_SIGN_INS"],
        lockout=timedelta(minutes=current_app.config["STAFF_LOCKOUT_MINUTES"]),
    )


def _second_factor_set_up(user: StaffUser, then):
    secret = session.get(PENDING_SECRET) or accounts.new_totp_secret()
    session[PENDING_SECRET] = secret
    form = SecondFactorForm()
    if form.validate_on_submit():
        if accounts.enable_second_factor(user, secret, form.code.data):
            session.pop(PENDING_SECRET, None)
            audit(
                user, "update", "staff_user", user.id, ip_address=request.remote_addr, field="second_factor"
            )
            db.session.commit()
            return then()
        form.code.errors.append(_("That code does not match: check the time on your phone and try again"))
    uri = accounts.totp_uri(secret, user.email)
    return render_template(
        "auth/set_up_code.html",
        form=form,
        secret=secret,
        qr_svg=segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app")),
        page_title=_("Set up your security code"),
    ), 422 if form.errors else 200


def _complete_sign_in(user: StaffUser):
    next_url = session.pop("next", None)
    session.clear()  # a new session for the signed-in user: nothing carried over from before
    login_user(user)
    session.permanent = True  # for PERMANENT_SESSION_LIFETIME (STAFF_SESSION_HOURS), then sign in again
    audit(user, "sign_in", "staff_user", user.id, ip_address=request.remote_addr)
    db.session.commit()
    return redirect(next_url or url_for("auth.show_staff_home"))


def _pending_user() -> StaffUser | None:
    from .access import load_user

    return load_user(session.get(PENDING, ""))


def _safe_next(target: str | None) -> str | None:
    """Only a page of our own staff area: never an address elsewhere (an open redirect)."""
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _audit_attempt(result: accounts.SignInResult) -> None:
    if result.outcome in (accounts.SignIn.WRONG, accounts.SignIn.LOCKED):
        user = result.user
        audit(
            user,
            "sign_in_failed",
            "staff_user",
            user.id if user else "unknown",
            ip_address=request.remote_addr,
            outcome=str(result.outcome),
        )
        db.session.commit()


def _sign_in_refusal(outcome: accounts.SignIn) -> str:
    if outcome == accounts.SignIn.LOCKED:
        return _(
            "There have been too many attempts to sign in to this account. Wait %(minutes)s minutes, "
            "then try again",
            minutes=current_app.config["STAFF_LOCKOUT_MINUTES"],
        )
    return _("Enter a correct email address and password")
