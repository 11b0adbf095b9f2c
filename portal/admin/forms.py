"""Forms for staff accounts and for filtering the audit log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from crm_bridge.audit import AUDIT_ACTIONS
from crm_bridge.staff.accounts import MIN_PASSWORD_LENGTH, find_user
from crm_bridge.staff.roles import Role
from portal.domain import SERVICE_GROUPS
from portal.forms import (
    GovukCheckboxesField,
    GovukDateField,
    GovukPasswordField,
    GovukRadioField,
    GovukSelectField,
    GovukTextField,
    strip_and_clean,
)

ROLE_LABELS = {
    Role.ADVISOR: _l("Advisor (customer services: every queue, logs contacts and hands them off)"),
    Role.SERVICE_OFFICER: _l("Service officer (only the queues of their service groups)"),
    Role.MANAGER: _l("Manager (reports, reads everything, reassigns cases)"),
    Role.KB_EDITOR: _l("Knowledge-base editor"),
    Role.ADMIN: _l("Admin (accounts, audit log, data protection; needs a security code)"),
}
SHORT_ROLE_LABELS = {
    Role.ADVISOR: _l("Advisor"),
    Role.SERVICE_OFFICER: _l("Service officer"),
    Role.MANAGER: _l("Manager"),
    Role.KB_EDITOR: _l("Knowledge-base editor"),
    Role.ADMIN: _l("Admin"),
}
ACTION_LABELS = {
    "view": _l("Viewed"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "merge": _l("Merged"),
    "export": _l("Exported"),
    "erase": _l("Erased"),
    "anonymise": _l("Anonymised"),
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed sign-in"),
    "sign_out": _l("Signed out"),
}


class _RoleAndGroups:
    """Role radios and service group checkboxes: a service officer needs at least one group."""

    def validate_service_groups(self, field):
        if self.role.data == Role.SERVICE_OFFICER and not field.data:
            raise ValidationError(_l("Select at least one service group for a service officer"))


def _role_field():
    return GovukRadioField(
        _l("Role"),
        choices=[(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[InputRequired(message=_l("Select a role"))],
    )


def _groups_field():
    return GovukCheckboxesField(
        _l("Service groups"),
        description=_l("The queues a service officer works. Other roles see every queue or none."),
        choices=list(SERVICE_GROUPS.items()),
        validators=[Optional()],
    )


class NewUserForm(_RoleAndGroups, FlaskForm):
    email = GovukTextField(
        _l("Email address"),
        filters=[strip_and_clean],
        validators=[
            InputRequired(message=_l("Enter their email address")),
            Email(message=_l("Enter an email address in the correct format, like name@example.com")),
            Length(max=254, message=_l("Email address must be 254 characters or fewer")),
        ],
    )
    name = GovukTextField(
        _l("Full name"),
        filters=[strip_and_clean],
        validators=[
            InputRequired(message=_l("Enter their full name")),
            Length(max=200, message=_l("Full name must be 200 characters or fewer")),
        ],
    )
    role = _role_field()
    service_groups = _groups_field()
    password = GovukPasswordField(
        _l("Temporary password"),
        description=_l(
            "At least %(length)s characters. Give it to them in person or by phone, never by email.",
            length=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            InputRequired(message=_l("Enter a temporary password")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("Password must be at least %(length)s characters", length=MIN_PASSWORD_LENGTH),
            ),
        ],
    )

    def validate_email(self, field):
        if field.data and find_user(field.data) is not None:
            raise ValidationError(_l("An account with this email address already exists"))


class EditUserForm(_RoleAndGroups, FlaskForm):
    role = _role_field()
    service_groups = _groups_field()
    active = GovukRadioField(
        _l("Can they sign in?"),
        choices=[("yes", _l("Yes, the account is active")), ("no", _l("No, deactivate the account"))],
        validators=[InputRequired(message=_l("Select whether the account is active"))],
    )


class AuditFilterForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    actor = GovukSelectField(_l("Member of staff"), validators=[Optional()])
    action = GovukSelectField(
        _l("Action"),
        choices=[("", _l("Any action"))]
        + [(action, ACTION_LABELS.get(action, action)) for action in AUDIT_ACTIONS],
        validators=[Optional()],
    )
    object_type = GovukTextField(
        _l("Record type"),
        description=_l("For example case, customer or staff_user"),
        filters=[strip_and_clean],
        validators=[Optional(), Length(max=30, message=_l("Record type must be 30 characters or fewer"))],
    )
    object_id = GovukTextField(
        _l("Record number"),
        filters=[strip_and_clean],
        validators=[Optional(), Length(max=60, message=_l("Record number must be 60 characters or fewer"))],
    )
    date_from = GovukDateField(
        _l("From"),
        description=_l("For example, 27 3 2026"),
        invalid_message=_l("Date from must be a real date"),
        validators=[Optional()],
    )
    date_to = GovukDateField(
        _l("To"),
        description=_l("For example, 31 3 2026"),
        invalid_message=_l("Date to must be a real date"),
        validators=[Optional()],
    )

    def set_actor_choices(self, users) -> None:
        self.actor.choices = [("", _l("Anyone"))] + [(str(user.id), user.name) for user in users]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Date to must be the same as or after date from"))
