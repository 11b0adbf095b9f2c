"""Admins manage staff accounts and read the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_bridge.audit import audit_csv, audit_query, export_audit_log
from crm_bridge.staff import accounts
from crm_bridge.staff.models import StaffUser
from crm_bridge.staff.roles import Permission
from portal.auth.access import permission_required
from portal.db import db

from . import admin
from .forms import ACTION_LABELS, SHORT_ROLE_LABELS, AuditFilterForm, EditUserForm, NewUserForm

AUDIT_PAGE_SIZE = 50
# AccountError codes worded for the screen.
ACCOUNT_ERRORS = {
    "own_admin": _l("You cannot remove your own admin role or deactivate your own account"),
    "last_admin": _l("This is the last active admin: make another member of staff an admin first"),
    "email_taken": _l("An account with this email address already exists"),
    "groups_missing": _l("Select at least one service group for a service officer"),
}


@admin.get("/users")
@permission_required(Permission.MANAGE_USERS)
def list_users():
    return render_template(
        "admin/users.html",
        users=accounts.list_users(),
        is_locked=accounts.is_locked,
        role_labels=SHORT_ROLE_LABELS,
        page_title=_("Staff accounts"),
    )


@admin.route("/users/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.add_user(
                _actor(),
                form.email.data,
                form.name.data,
                form.role.data,
                form.password.data,
                form.service_groups.data or [],
            )
        except accounts.AccountError as error:
            db.session.rollback()
            _show_account_error(form, error)
        else:
            flash(_("Account created for %(name)s", name=user.name), "admin")
            return redirect(url_for("admin.list_users"))
    return render_template(
        "admin/new_user.html", form=form, page_title=_("Add a member of staff")
    ), 422 if form.errors else 200


@admin.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = EditUserForm(
        data=None
        if request.method == "POST"
        else {
            "role": user.role,
            "service_groups": user.service_groups,
            "active": "yes" if user.active else "no",
        }
    )
    if form.validate_on_submit():
        try:
            changed = accounts.change_user(
                _actor(), user, form.role.data, form.service_groups.data or [], form.active.data == "yes"
            )
        except accounts.AccountError as error:
            db.session.rollback()
            user = _user_or_404(user_id)
            _show_account_error(form, error)
        else:
            if changed:
                flash(_("Account of %(name)s changed", name=user.name), "admin")
            return redirect(url_for("admin.list_users"))
    return render_template(
        "admin/edit_user.html",
        form=form,
        user=user,
        locked=accounts.is_locked(user),
        role_labels=SHORT_ROLE_LABELS,
        page_title=_("Change the account of %(name)s", name=user.name),
    ), 422 if form.errors else 200


@admin.post("/users/<int:user_id>/reset-security-code")
@permission_required(Permission.MANAGE_USERS)
def reset_second_factor(user_id: int):
    user = _user_or_404(user_id)
    accounts.reset_second_factor(_actor(), user)
    flash(_("%(name)s will set up a new security code when they next sign in", name=user.name), "admin")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@admin.post("/users/<int:user_id>/unlock")
@permission_required(Permission.MANAGE_USERS)
def unlock_user(user_id: int):
    user = _user_or_404(user_id)
    accounts.unlock_user(_actor(), user)
    flash(_("%(name)s can sign in again", name=user.name), "admin")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@admin.get("/audit")
@permission_required(Permission.VIEW_AUDIT)
def show_audit_log():
    form, filters = _audit_filters()
    if form.errors:
        pagination = None
    else:
        page = request.args.get("page", 1, type=int)
        pagination = db.paginate(audit_query(**filters), page=page, per_page=AUDIT_PAGE_SIZE, error_out=False)
    args = {key: request.args.getlist(key) for key in request.args if key != "page"}
    return render_template(
        "admin/audit_log.html",
        form=form,
        pagination=pagination,
        filter_args=args,
        action_labels=ACTION_LABELS,
        page_title=_("Audit log"),
    ), 422 if form.errors else 200


@admin.get("/audit/export.csv", endpoint="export_audit_log")
@permission_required(Permission.VIEW_AUDIT)
def export_audit_log_csv():
    form, filters = _audit_filters()
    if form.errors:
        return redirect(url_for("admin.show_audit_log", **request.args.to_dict(flat=False)))
    events = export_audit_log(_actor(), **filters)
    return Response(
        audit_csv(events),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


def _audit_filters() -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.args)
    form.set_actor_choices(db.session.scalars(db.select(StaffUser).order_by(StaffUser.name)))
    if request.args and not form.validate():
        return form, {}
    data = form.data
    until = data["date_to"] + timedelta(days=1) if data["date_to"] else None
    return form, {
        "actor_id": int(data["actor"]) if (data["actor"] or "").isdigit() else None,
        "action": data["action"] or None,
        "object_type": data["object_type"] or None,
        "object_id": data["object_id"] or None,
        "since": datetime.combine(data["date_from"], time()) if data["date_from"] else None,
        "until": datetime.combine(until, time()) if until else None,
    }


def _actor() -> StaffUser:
    return current_user._get_current_object()


def _user_or_404(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


def _show_account_error(form, error: accounts.AccountError) -> None:
    field = getattr(form, error.field or "", None) or form.role
    message = ACCOUNT_ERRORS.get(error.code, str(error))
    field.errors = [*field.errors, message]
