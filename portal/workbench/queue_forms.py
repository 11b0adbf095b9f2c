"""The queue's filter form: submitted by GET (it changes nothing), so it carries no CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import Length

from crm_bridge.catalogue import default_catalogue
from crm_bridge.models import CASE_STATUSES
from crm_bridge.workbench.queues import ALL_STATUSES, CaseFilters
from portal.domain import CHANNELS, LANGUAGES, SERVICE_GROUPS
from portal.forms import GovukSelectField, GovukTextField, strip_and_clean

CHANNEL_LABELS = {
    "web": _l("Web"),
    "chat": _l("Chat"),
    "kiosk": _l("Kiosk"),
    "app": _l("App (Open311)"),
    "phone": _l("Phone"),
    "face_to_face": _l("Face to face"),
    "email": _l("Email"),
    "post": _l("Post"),
}
STATUS_LABELS = {
    "new": _l("New"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "waiting_for_customer": _l("Waiting for the customer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}


def _select(label, choices: list[tuple[str, object]]) -> GovukSelectField:
    return GovukSelectField(
        label,
        choices=[SelectChoice(value, text) for value, text in choices],
        default="",
        invalid_choice_message=_l("Choose one of the options for ‘%(filter)s’", filter=label),
    )


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = GovukTextField(
        _l("Search"),
        description=_l("Reference, customer's name, email address or postcode"),
        filters=[strip_and_clean],
        validators=[Length(max=100, message=_l("Search for 100 characters or fewer"))],
    )
    status = _select(
        _l("Status"),
        [("", _l("Open cases")), (ALL_STATUSES, _l("All cases"))]
        + [(status, STATUS_LABELS[status]) for status in CASE_STATUSES],
    )
    due = _select(
        _l("Due"),
        [
            ("", _l("Any time")),
            ("today", _l("Due today")),
            ("soon", _l("Due in the next 2 working days")),
            ("breached", _l("Breached (overdue)")),
        ],
    )
    assigned = _select(
        _l("Assigned"),
        [("", _l("Anyone or no one")), ("me", _l("Assigned to me")), ("unassigned", _l("Unassigned"))],
    )
    service_group = _select(
        _l("Service group"),
        [("", _l("All service groups"))] + [(k, _l(v)) for k, v in SERVICE_GROUPS.items()],
    )
    request_type = _select(
        _l("Request type"),
        [("", _l("All request types"))] + [(rt.code, _l(rt.name)) for rt in default_catalogue()],
    )
    channel = _select(_l("Channel"), [("", _l("All channels"))] + [(c, CHANNEL_LABELS[c]) for c in CHANNELS])
    lang = _select(_l("Language"), [("", _l("All languages"))] + list(LANGUAGES.items()))
    interpreter = _select(
        _l("Interpreter"), [("", _l("Needed or not")), ("yes", _l("Interpreter may be needed"))]
    )

    def filters(self) -> CaseFilters:
        return CaseFilters(
            status=self.status.data or "",
            due=self.due.data or "",
            channel=self.channel.data or "",
            lang=self.lang.data or "",
            assigned=self.assigned.data or "",
            service_group=self.service_group.data or "",
            request_type=self.request_type.data or "",
            interpreter=self.interpreter.data == "yes",
            q=self.q.data or "",
        )

    @property
    def active(self) -> bool:
        """Whether any filter or search is set (the default view is every open case)."""
        return self.filters() != CaseFilters()
