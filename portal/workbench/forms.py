"""The forms for working a case. Each has its own prefix, so several share the case page with unique ids
and names; the rules themselves (which move is allowed, when a reason is needed) live in the services
(crm_bridge.workbench), whose refusals are shown next to the field they concern."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from crm_bridge.models import CASE_STATUSES, COMPLAINT_OUTCOMES
from crm_bridge.workbench.case_actions import MAX_TEXT
from portal.forms import (
    GovukRadioField,
    GovukSelectField,
    GovukSubmitField,
    GovukTextAreaField,
    GovukTextField,
    strip_and_clean,
)

STATUS_LABELS = {
    "new": _l("New"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "waiting_for_customer": _l("Waiting for customer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
OUTCOME_LABELS = {
    "upheld": _l("Upheld"),
    "partly_upheld": _l("Partly upheld"),
    "not_upheld": _l("Not upheld"),
}
TOO_LONG = _l("Use %(max)s characters or fewer", max=MAX_TEXT)


def _text(label, hint="", required_message=None) -> GovukTextAreaField:
    validators = [InputRequired(message=required_message)] if required_message else [Optional()]
    return GovukTextAreaField(
        label,
        description=hint,
        filters=[strip_and_clean],
        validators=[*validators, Length(max=MAX_TEXT, message=TOO_LONG)],
    )


class ActionForm(FlaskForm):
    """Each form's fields are named and identified with its own prefix ("status-reason"). A refusal that
    concerns no field of the form is shown on `error_field` (the button, at worst)."""

    form_prefix = ""
    error_field = "submit"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.form_prefix)
        super().__init__(*args, **kwargs)


class ClaimForm(ActionForm):
    form_prefix = "claim"
    submit = GovukSubmitField(_l("Claim this case"))


class AssignForm(ActionForm):
    form_prefix = "assign"
    error_field = "assignee"
    assignee = GovukSelectField(_l("Assign to"), validate_choice=False)
    submit = GovukSubmitField(_l("Assign"))

    def set_choices(self, staff) -> AssignForm:
        self.assignee.choices = [SelectChoice("", _l("Nobody (unassigned)"))] + [
            SelectChoice(str(user.id), user.name) for user in staff
        ]
        values = [choice.value for choice in self.assignee.choices]
        self.assignee.validators = [AnyOf(values, message=_l("Choose who to assign the case to"))]
        return self


class StatusForm(ActionForm):
    form_prefix = "status"
    error_field = "status"
    status = GovukRadioField(
        _l("New status"),
        choices=[SelectChoice(status, STATUS_LABELS[status]) for status in CASE_STATUSES],
        validate_choice=False,  # the service refuses an illegal move with its own words
        validators=[InputRequired(message=_l("Choose the new status"))],
    )
    reason = _text(_l("Reason"), _l("Needed to close, to wait for the customer or to reopen. Staff only."))
    public_message = _text(
        _l("Message to the resident (optional)"), _l("Shown on their tracking page and sent to them.")
    )
    submit = GovukSubmitField(_l("Change status"))

    def set_choices(self, statuses) -> StatusForm:
        self.status.choices = [SelectChoice(status, STATUS_LABELS[status]) for status in statuses]
        return self


class PublicUpdateForm(ActionForm):
    form_prefix = "update"
    error_field = "text"
    text = _text(
        _l("Update for the resident"),
        _l("Shown on their tracking page and sent to them."),
        required_message=_l("Enter the update for the resident"),
    )
    submit = GovukSubmitField(_l("Send update"))


class InternalNoteForm(ActionForm):
    form_prefix = "note"
    error_field = "text"
    text = _text(
        _l("Internal note"), _l("Staff only: never shown or sent to the resident."), _l("Enter the note")
    )
    submit = GovukSubmitField(_l("Add note"))


class EscalateForm(ActionForm):
    form_prefix = "escalate"
    error_field = "reason"
    reason = _text(
        _l("Why the complaint goes to stage 2"),
        _l("Staff only. The resident is told the review's reply date."),
        required_message=_l("Enter the reason for escalating the complaint"),
    )
    submit = GovukSubmitField(_l("Escalate to stage 2"))


class OmbudsmanForm(ActionForm):
    form_prefix = "ombudsman"
    error_field = "note"
    note = _text(_l("Note (optional)"), _l("Staff only."))
    submit = GovukSubmitField(_l("Record referral to the Ombudsman"))


class OutcomeForm(ActionForm):
    form_prefix = "outcome"
    error_field = "outcome"
    outcome = GovukRadioField(
        _l("Outcome"),
        choices=[SelectChoice(outcome, OUTCOME_LABELS[outcome]) for outcome in COMPLAINT_OUTCOMES],
        validate_choice=False,  # the service refuses an unknown outcome
        validators=[InputRequired(message=_l("Choose the outcome of the complaint"))],
    )
    public_message = _text(
        _l("Message to the resident (optional)"), _l("Shown on their tracking page and sent to them.")
    )
    submit = GovukSubmitField(_l("Record outcome"))


class MergeForm(ActionForm):
    form_prefix = "merge"
    error_field = "into"
    into = GovukTextField(
        _l("Merge this case into"),
        description=_l("The reference of the case that carries on, for example NDC-26-000123"),
        filters=[strip_and_clean],
        validators=[
            InputRequired(message=_l("Enter the reference of the case to merge into")),
            Length(max=20),
        ],
    )
    submit = GovukSubmitField(_l("Merge"))
