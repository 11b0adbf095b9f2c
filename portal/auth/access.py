"""Who may open a staff page: every staff view carries `permission_required` (or, for the few pages any
signed-in member of staff needs, `signed_in_required`; for the sign-in pages, `open_to_everyone`).

Staff blueprints are also guarded as a whole by `guard_staff_blueprint`: a view added without one of
these markers is refused, so forgetting the decorator fails closed. tests/portal/auth walks the route
table with every role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, g, request
from flask_login import LoginManager, current_user

from crm_bridge.audit import audit
from crm_bridge.staff.models import StaffUser
from crm_bridge.staff.roles import Permission
from portal.db import db


class StaffLoginManager(LoginManager):
    """Flask-Login keeps the signed-in user in `g`, which lives as long as the application context. A
    request normally gets a context of its own, but one pushed around several requests (tests, scripts)
    would let one request's user answer for the next: each request loads its own."""

    def init_app(self, app: Flask, add_context_processor: bool = True) -> None:
        super().init_app(app, add_context_processor)
        app.before_request(_forget_previous_user)


def _forget_previous_user() -> None:
    g.pop("_login_user", None)


login_manager = StaffLoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = None
login_manager.session_protection = "basic"

ACCESS_MARKER = "staff_access"


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The session holds "id:session_token"; a changed password or second factor ends older sessions."""
    number, _, token = (user_id or "").partition(":")
    if not number.isdigit():
        return None
    user = db.session.get(StaffUser, int(number))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def permission_required(permission: Permission) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, ACCESS_MARKER, permission)
        return guarded

    return decorate


def signed_in_required(view: Callable) -> Callable:
    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    setattr(guarded, ACCESS_MARKER, "signed_in")
    return guarded


def open_to_everyone(view: Callable) -> Callable:
    """The sign-in pages: reachable without an account, on purpose."""
    setattr(view, ACCESS_MARKER, "open")
    return view


def access_of(view: Callable) -> Permission | str | None:
    return getattr(view, ACCESS_MARKER, None)


def guard_staff_blueprint(blueprint: Blueprint) -> None:
    """Refuses any view of the blueprint that carries no access marker, and lets no staff page be cached."""

    @blueprint.before_request
    def _refuse_unmarked_views():
        view = current_app.view_functions.get(request.endpoint)
        if view is None or access_of(view) is None:
            abort(403)

    @blueprint.after_request
    def _no_store(response):
        response.headers["Cache-Control"] = "no-store"
        return response


def audit_read(object_type: str, object_id: int | str, **detail) -> None:
    """Staff opened a record holding personal data: written and committed at once."""
    audit(current_user, "view", object_type, object_id, ip_address=request.remote_addr, **detail)
    db.session.commit()


def audit_reads(object_type: str, object_ids, via: str) -> None:
    """Records shown in a list (names, emails, addresses) are reads of personal data too: a row each."""
    for object_id in object_ids:
        audit(current_user, "view", object_type, object_id, ip_address=request.remote_addr, via=via)
    db.session.commit()


def require_case_scope(service_group: str) -> None:
    """A service officer opens only cases of their own service groups: others do not exist for them."""
    if not current_user.may_see_service_group(service_group):
        abort(404)


def staff_choices(permission: Permission = Permission.WORK_CASES) -> list[StaffUser]:
    users = db.session.scalars(sa.select(StaffUser).where(StaffUser.active).order_by(StaffUser.name))
    return [user for user in users if user.can(permission)]
