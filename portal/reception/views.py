"""The reception queue: who is waiting and for how long against the standard, calling the next visitor,
what they already entered at the kiosk, and the visit's outcome recorded as a face-to-face contact."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for
from flask_babel import _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_bridge.assisted import uk_time
from crm_bridge.staff.roles import Permission
from kiosk import visits
from kiosk.checkin import TOPIC_LABELS
from portal.auth.access import audit_read, permission_required
from portal.contacts.forms import AVOIDABLE_LABELS, INTERACTION_TYPE_LABELS
from portal.db import utcnow
from portal.layout import render_page

from . import reception
from .forms import FinishVisitForm

STATUS_LABELS = {
    "waiting": _l("Waiting"),
    "called": _l("Being seen"),
    "seen": _l("Seen"),
    "left": _l("Left before being seen"),
}
REFRESH_SECONDS = 15


def standard_minutes() -> int:
    """The waiting-time standard (10 minutes unless RECEPTION_WAIT_STANDARD_MINUTES says otherwise)."""
    return int(current_app.config.get("RECEPTION_WAIT_STANDARD_MINUTES") or visits.WAIT_STANDARD_MINUTES)


def _labels() -> dict:
    return {
        "topic_labels": TOPIC_LABELS,
        "status_labels": STATUS_LABELS,
        "interaction_type_labels": INTERACTION_TYPE_LABELS,
        "avoidable_labels": AVOIDABLE_LABELS,
        "uk_time": uk_time,
        "standard": standard_minutes(),
    }


@reception.get("")
@permission_required(Permission.RECEPTION)
def show_queue():
    return render_page(
        "reception/queue.html",
        "queue",
        queue=visits.reception_queue(standard_minutes=standard_minutes()),
        refresh_seconds=REFRESH_SECONDS,
        page_title=_("Reception"),
        **_labels(),
    )


@reception.post("/call-next")
@permission_required(Permission.RECEPTION)
def call_next():
    visit = visits.call_next(current_user)
    if visit is None:
        return redirect(url_for("reception.show_queue", _anchor="nobody-waiting"))
    return redirect(url_for("reception.show_visit", check_in_id=visit.id))


def _visit_or_404(check_in_id: int):
    return visits.find_check_in(check_in_id) or abort(404)


@reception.get("/<int:check_in_id>")
@permission_required(Permission.RECEPTION)
def show_visit(check_in_id: int):
    visit = _visit_or_404(check_in_id)
    audit_read("check_in", visit.id)
    return _render_visit(visit, FinishVisitForm(formdata=None))


def _render_visit(visit, form, status: int = 200):
    return render_template(
        "reception/visit.html",
        visit=visit,
        form=form,
        cases=visits.visit_cases(visit),
        waited=visits.minutes_between(visit.checked_in_at, visit.called_at or utcnow()),
        page_title=_("Ticket %(ticket)s", ticket=visit.ticket),
        **_labels(),
    ), status


@reception.post("/<int:check_in_id>/finish")
@permission_required(Permission.RECEPTION)
def finish_visit(check_in_id: int):
    visit = _visit_or_404(check_in_id)
    if visit.status not in ("waiting", "called"):
        return redirect(url_for("reception.show_visit", check_in_id=visit.id))
    form = FinishVisitForm()
    if not form.validate():
        return _render_visit(visit, form, 422)
    visits.finish_visit(
        visit,
        visits.VisitOutcome(
            resolved=form.resolved.data == "yes",
            interaction_type=form.interaction_type.data,
            avoidable_reason=form.avoidable_reason(),
        ),
        current_user,
    )
    return redirect(url_for("reception.show_queue"))


@reception.post("/<int:check_in_id>/left")
@permission_required(Permission.RECEPTION)
def mark_left(check_in_id: int):
    visits.mark_left(_visit_or_404(check_in_id), current_user)
    return redirect(url_for("reception.show_queue"))
