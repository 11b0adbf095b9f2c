"""The outbox's delivery backlog for those who run the service: what is waiting or failing, by kind and
message by message, and "retry now" for failing messages once the receiver is back (docs/outbox.md)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import _, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Optional, Regexp

from crm_bridge import delivery_backlog
from crm_bridge.configured import outbox_lease
from crm_bridge.staff.roles import Permission
from portal.auth.access import permission_required
from portal.db import utcnow
from portal.layout import pagination
from portal.workbench.views import uk_time

from . import admin

KIND_LABELS = {
    "acknowledgement": _l("Acknowledgements to residents"),
    "case_update": _l("Case updates to residents"),
    "crm_push": _l("Cases sent to the external CRM"),
}


class RetryDeliveriesForm(FlaskForm):
    """Hidden fields: the button of a kind's row sends the kind, a message's row its id."""

    kind = HiddenField(validators=[Optional(), Regexp(r"^[a-z0-9_]{1,40}$")])
    message_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,18}$")])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if bool(self.kind.data) == bool(self.message_id.data):
            self.kind.errors = [_("Choose the messages to retry")]
            return False
        return True


@admin.get("/deliveries")
@permission_required(Permission.MANAGE_DELIVERIES)
def show_deliveries():
    now = utcnow()
    backlog = delivery_backlog.backlog(request.args.get("page", 1, type=int), now, _lease())
    return render_template(
        "admin/deliveries.html",
        backlog=backlog,
        now=now,
        pagination=_pagination(backlog.page),
        form=RetryDeliveriesForm(),
        kind_label=lambda kind: KIND_LABELS.get(kind, kind),
        may_open_case=_may_open_case,
        uk_time=uk_time,
        page_title=_("Deliveries"),
    )


@admin.post("/deliveries/retry")
@permission_required(Permission.MANAGE_DELIVERIES)
def retry_deliveries():
    form = RetryDeliveriesForm()
    if not form.validate_on_submit():
        flash(_("Choose the messages to retry"), "deliveries-problem")
        return redirect(url_for("admin.show_deliveries"))
    count = delivery_backlog.retry_now(
        current_user._get_current_object(),
        kind=form.kind.data or None,
        message_ids=[int(form.message_id.data)] if form.message_id.data else None,
        lease=_lease(),
        ip_address=request.remote_addr,
    )
    if count:
        flash(
            ngettext(
                "%(num)d message will be tried again on the outbox worker's next round",
                "%(num)d messages will be tried again on the outbox worker's next round",
                count,
            ),
            "deliveries",
        )
    else:
        flash(_("Nothing to retry: those messages are due now or within minutes"), "deliveries-problem")
    return redirect(url_for("admin.show_deliveries", page=request.args.get("page", type=int)))


def _lease() -> timedelta:
    """The worker's lease (OUTBOX_LEASE_SECONDS): retry now leaves messages due within it alone."""
    return outbox_lease(current_app.config)


def _may_open_case(service_group: str | None) -> bool:
    return (
        service_group is not None
        and current_user.can(Permission.VIEW_CASES)
        and current_user.may_see_service_group(service_group)
    )


def _pagination(page: delivery_backlog.BacklogPage) -> dict | None:
    def href(number: int) -> str:
        return url_for("admin.show_deliveries", page=number)

    return pagination(page.page, page.pages, href, _("Pages of messages not yet delivered"))
