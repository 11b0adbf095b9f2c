"""The 'log a contact' form, and the translatable labels of the shared vocabulary (channels, service
groups, interaction types, avoidable reasons) for any staff page that shows them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from crm_bridge.assisted import customer_for_contact
from crm_bridge.catalogue import default_catalogue
from crm_bridge.models import AVOIDABLE_REASONS
from portal.domain import ASSISTED_CHANNELS, INTERACTION_TYPES, LANGUAGES, SERVICE_GROUPS
from portal.eforms.forms import (
    EMAIL_MESSAGE,
    PHONE_MESSAGE,
    _valid_phone,
    _valid_postcode,
    normalise_postcode,
)
from portal.forms import (
    GovukRadioField,
    GovukSelectField,
    GovukTextAreaField,
    GovukTextField,
    strip_and_clean,
)

CHANNEL_LABELS = {
    "web": _l("Website"),
    "chat": _l("Chat assistant"),
    "kiosk": _l("Reception kiosk"),
    "app": _l("Partner app"),
    "phone": _l("Phone"),
    "face_to_face": _l("Face to face"),
    "email": _l("Email"),
    "post": _l("Post"),
}
SERVICE_GROUP_LABELS = {
    "environment": _l("Environmental services, pests, refuse and parks"),
    "parking": _l("Parking, permits and concessionary fares"),
    "housing-options": _l("Housing options and advice"),
    "housing-tenants": _l("Housing tenant enquiries"),
    "planning": _l("Planning and development"),
    "general": _l("General enquiries"),
    "housing-benefit": _l("Housing benefit"),
    "council-tax": _l("Council tax and other financial enquiries"),
    "partners": _l("Other organisations"),
}
INTERACTION_TYPE_LABELS = {
    "providing_information": _l("Providing information"),
    "collecting_revenue": _l("Collecting revenue"),
    "benefits_and_grants": _l("Benefits and grants"),
    "consultation": _l("Consultation"),
    "applying_for_service": _l("Applying for a service or licence"),
    "booking": _l("Booking"),
    "scheduling_appointment": _l("Scheduling an appointment"),
    "making_complaint": _l("Making a complaint"),
}
NOT_AVOIDABLE = "no"
AVOIDABLE_LABELS = {
    NOT_AVOIDABLE: _l("Not avoidable"),
    "chasing_progress": _l("Chasing progress"),
    "not_understood": _l("Not understood"),
    "repeat_contact": _l("Repeat contact"),
    "wrongly_routed": _l("Wrongly routed"),
}
assert set(SERVICE_GROUP_LABELS) == set(SERVICE_GROUPS)  # the vocabulary and the labels agree
assert set(INTERACTION_TYPE_LABELS) == set(INTERACTION_TYPES)
assert set(AVOIDABLE_LABELS) == {NOT_AVOIDABLE, *AVOIDABLE_REASONS}

SAVE, HAND_OFF = "save", "hand_off"
MAX_SUMMARY = 1000


def _choose(label):
    return [SelectChoice("", label)]


class LogContactForm(FlaskForm):
    """One screen. 'Save contact' needs service, interaction type, resolved and avoidable; 'hand off as a
    case' needs the request type (service and interaction type come from it, and a case is not resolved
    at the first point). Avoidable is always asked: failure demand is counted whatever the outcome."""

    channel = GovukRadioField(
        _l("Channel"),
        choices=[SelectChoice(code, CHANNEL_LABELS[code]) for code in ASSISTED_CHANNELS],
        default="phone",
        validators=[InputRequired(message=_l("Select the channel"))],
        invalid_choice_message=_l("Select the channel"),
    )
    service_group = GovukSelectField(
        _l("Service"),
        choices=_choose(_l("Choose a service"))
        + [SelectChoice(code, label) for code, label in SERVICE_GROUP_LABELS.items()],
        default="",
        validate_choice=False,
    )
    interaction_type = GovukSelectField(
        _l("Interaction type"),
        choices=_choose(_l("Choose an interaction type"))
        + [SelectChoice(code, label) for code, label in INTERACTION_TYPE_LABELS.items()],
        default="",
        validate_choice=False,
    )
    resolved = GovukRadioField(
        _l("Resolved at the first point of contact?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validate_choice=False,
    )
    avoidable = GovukRadioField(
        _l("Was the contact avoidable?"),
        choices=[SelectChoice(code, label) for code, label in AVOIDABLE_LABELS.items()],
        validators=[InputRequired(message=_l("Select whether the contact was avoidable, and why"))],
        invalid_choice_message=_l("Select whether the contact was avoidable, and why"),
    )
    lang = GovukSelectField(
        _l("Customer's language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        default="en",
        validators=[InputRequired(message=_l("Select a language"))],
        invalid_choice_message=_l("Select a language"),
    )
    customer_query = GovukTextField(
        _l("Find a customer"),
        description=_l("Email address, telephone number or name"),
        filters=[strip_and_clean],
        validators=[Length(max=200, message=_l("Enter 200 characters or fewer"))],
    )
    customer_id = GovukRadioField(_l("Customer"), choices=[], validate_choice=False)
    customer_name = GovukTextField(
        _l("Name"),
        filters=[strip_and_clean],
        validators=[Length(max=200, message=_l("The name must be 200 characters or fewer"))],
    )
    customer_email = GovukTextField(
        _l("Email address"),
        filters=[strip_and_clean],
        validators=[Optional(), Length(max=254, message=EMAIL_MESSAGE), Email(message=EMAIL_MESSAGE)],
    )
    customer_phone = GovukTextField(
        _l("Telephone number"),
        filters=[strip_and_clean],
        validators=[Optional(), Length(max=40, message=PHONE_MESSAGE), _valid_phone],
    )
    customer_postcode = GovukTextField(
        _l("Postcode"),
        filters=[strip_and_clean, normalise_postcode],
        validators=[
            Optional(),
            Length(max=10, message=_l("Enter a real postcode, like ND1 1AA")),
            _valid_postcode,
        ],
    )
    request_type = GovukSelectField(
        _l("Request type (to hand off as a case)"),
        choices=lambda: (
            _choose(_l("Choose a request type"))
            + [SelectChoice(rt.code, _l(rt.name)) for rt in default_catalogue()]
        ),
        default="",
        validate_choice=False,
    )
    summary = GovukTextAreaField(
        _l("Summary (optional)"),
        filters=[strip_and_clean],
        validators=[
            Length(max=MAX_SUMMARY, message=_l("Enter %(max)d characters or fewer", max=MAX_SUMMARY))
        ],
    )

    def __init__(self, *args, action: str = SAVE, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.chosen_customer = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.action == HAND_OFF:
            checks = ((self.request_type, _l("Choose the request type to hand off as a case")),)
        else:
            checks = (
                (self.service_group, _l("Choose the service")),
                (self.interaction_type, _l("Choose the interaction type")),
                (self.resolved, _l("Select whether the contact was resolved at the first point")),
            )
        if self._needs_email_or_phone():
            self.customer_email.errors.append(_l("Enter the customer's email address or telephone number"))
            valid = False
        for field, message in checks:
            if field.data not in _codes(field) and not field.errors:
                field.errors.append(message)
                valid = False
        return valid

    def validate_customer_id(self, field) -> None:
        if not field.data:
            return
        self.chosen_customer = customer_for_contact(int(field.data)) if field.data.isdigit() else None
        if self.chosen_customer is None:
            raise ValidationError(_l("Choose a customer from the list, or search again"))

    def _needs_email_or_phone(self) -> bool:
        """New details are matched on email or phone, so one of them is needed to record a customer."""
        if self.customer_id.data or self.customer_email.data or self.customer_phone.data:
            return False
        return bool(self.customer_name.data or self.customer_postcode.data) and not self.customer_email.errors

    def given_customer(self) -> dict:
        return {
            "name": self.customer_name.data or "",
            "email": self.customer_email.data or None,
            "phone": self.customer_phone.data or None,
            "postcode": self.customer_postcode.data or None,
        }


def _codes(field) -> set[str]:
    return {str(choice[0]) for choice in field.iter_choices() if choice[0]} if field.data else set()
