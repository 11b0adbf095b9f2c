"""Queues and the case page (read side)."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_datetime
from flask import abort, render_template, request, send_file, url_for
from flask_babel import _, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_bridge.delivery_backlog import backlog_alert
from crm_bridge.staff.roles import Permission
from crm_bridge.workbench import case_view, queues
from crm_bridge.workbench.sla import case_clock, uk_today
from crm_bridge.working_days import UK_TIME
from portal.auth.access import audit_read, audit_reads, permission_required, require_case_scope
from portal.eforms.services import upload_folder
from portal.layout import is_htmx_fragment_request, pagination, render_page

from . import workbench
from .action_forms import forms_for
from .queue_forms import CHANNEL_LABELS, QueueFilterForm

EVENT_KIND_LABELS = {
    "created": _l("Received"),
    "status": _l("Status changed"),
    "public_update": _l("Update"),
    "internal_note": _l("Note"),
    "assignment": _l("Assigned"),
    "external_update": _l("Update from the external CRM"),
    "complaint": _l("Complaint"),
    "merge": _l("Merged"),
}
COMPLAINT_OUTCOME_LABELS = {
    "upheld": _l("Upheld"),
    "partly_upheld": _l("Partly upheld"),
    "not_upheld": _l("Not upheld"),
}


def uk_time(moment: datetime | None, pattern: str = "d MMMM y, HH:mm") -> str:
    """A stored moment (naive means UTC) as UK wall-clock time, in the page's language."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return format_datetime(aware, pattern, tzinfo=UK_TIME, locale=str(get_locale()))


@workbench.get("")
@permission_required(Permission.VIEW_CASES)
def list_cases():
    form = QueueFilterForm(formdata=request.args)
    valid = form.validate()
    scope, today = current_user.case_scope(), uk_today()
    results = None
    if valid:
        results = queues.find_cases(
            form.filters(), scope, current_user.id, today, request.args.get("page", 1, type=int)
        )
        audit_reads("case", [case.id for case in results.cases], via="queue")
    html = render_page(
        "workbench/list.html",
        "results",
        form=form,
        results=results,
        counts=None if is_htmx_fragment_request() else queues.queue_counts(scope, today),
        delivery_alert=None if is_htmx_fragment_request() else backlog_alert(),
        today=today,
        clock_of=case_clock,
        channel_labels=CHANNEL_LABELS,
        pagination=_pagination(results),
        page_title=_("Cases"),
    )
    return html, 200 if valid else 422


def _pagination(results) -> dict | None:
    """The pages of the queue, keeping the filters in the links."""
    if results is None:
        return None
    args = request.args.to_dict()

    def href(number: int) -> str:
        return url_for("workbench.list_cases", **{**args, "page": number})

    return pagination(results.page, results.pages, href, _("Pages of cases"))


def render_case_page(case, status: int = 200, **extra_context):
    """The case page; case actions re-render it through here with a form carrying its errors."""
    page = case_view.case_page(case, current_user.case_scope(), uk_today())
    context = forms_for(case, current_user)
    context.update(extra_context)
    return (
        render_template(
            "workbench/case.html",
            case=case,
            view=page,
            page_title=_("Case %(reference)s", reference=case.reference),
            uk_time=uk_time,
            channel_labels=CHANNEL_LABELS,
            event_kinds=EVENT_KIND_LABELS,
            complaint_outcomes=COMPLAINT_OUTCOME_LABELS,
            **context,
        ),
        status,
    )


def _case_in_scope(reference: str):
    case = case_view.find_case(reference) or abort(404)
    require_case_scope(case.service_group)
    return case


@workbench.get("/<reference>")
@permission_required(Permission.VIEW_CASES)
def show_case(reference: str):
    case = _case_in_scope(reference)
    audit_read("case", case.id)
    return render_case_page(case)


@workbench.get("/<reference>/photos/<int:attachment_id>")
@permission_required(Permission.VIEW_CASES)
def show_attachment(reference: str, attachment_id: int):
    case = _case_in_scope(reference)
    found = case_view.attachment_file(case, attachment_id, upload_folder()) or abort(404)
    attachment, path = found
    audit_read("case", case.id, attachment_id=attachment.id)
    response = send_file(path, mimetype=attachment.content_type, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
