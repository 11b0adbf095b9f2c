"""E-form pages. One definition serves every request type: question forms are built from the catalogue."""

from __future__ import annotations

import re

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from crm_bridge.catalogue import Question
from portal.forms import (
    GovukDateField,
    GovukFileField,
    GovukRadioField,
    GovukTextAreaField,
    GovukTextField,
    strip_and_clean,
)

MAX_DETAILS = 5000
POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")


def _select_message(question: Question):
    return _l("Select an answer to ‘%(question)s’", question=_l(question.label))


def _required(question: Question):
    if not question.required:
        return Optional()
    if question.type in ("choice", "yes_no"):
        return InputRequired(message=_select_message(question))
    if question.type == "date":
        return _date_required(_l("Enter a date for ‘%(question)s’", question=_l(question.label)))
    # Checked after the filters: an answer of only spaces is no answer.
    return DataRequired(message=_l("Enter an answer to ‘%(question)s’", question=_l(question.label)))


def _date_required(message):
    """Boxes left empty (or only spaces) need a date; a date that does not exist keeps its own message."""

    def check(_form, field) -> None:
        if field.data is None and not field.process_errors:
            raise StopValidation(message)

    return check


def _field(question: Question) -> Field:
    validators = [_required(question)]
    common = {"label": _l(question.label), "description": _l(question.hint) if question.hint else None}
    if question.type in ("choice", "yes_no"):
        return GovukRadioField(
            choices=[SelectChoice(value, _l(label)) for value, label in question.choices],
            validators=validators,
            invalid_choice_message=_select_message(question),  # a value the form never offered
            **common,
        )
    if question.type == "date":
        message = _l("‘%(question)s’ must be a real date, like 27 3 2026", question=_l(question.label))
        return GovukDateField(validators=validators, invalid_message=message, **common)
    too_long = _l("Your answer must be %(max)d characters or fewer", max=question.max_length)
    validators.append(Length(max=question.max_length, message=too_long))
    field_class = GovukTextAreaField if question.type == "textarea" else GovukTextField
    return field_class(filters=[strip_and_clean], validators=validators, **common)


def question_form(questions: tuple[Question, ...], details_label: str | None, **kwargs) -> FlaskForm:
    """A form for one page of questions; the last page also asks for the details in the resident's words."""

    class QuestionForm(FlaskForm):
        pass

    for question in questions:
        setattr(QuestionForm, question.code, _field(question))
    if details_label:
        QuestionForm.details = GovukTextAreaField(
            _l(details_label),
            filters=[strip_and_clean],
            validators=[
                DataRequired(message=_l("Tell us about it in your own words")),
                Length(max=MAX_DETAILS, message=_l("Enter %(max)d characters or fewer", max=MAX_DETAILS)),
            ],
        )
    return QuestionForm(**kwargs)


def normalise_postcode(value: str | None) -> str | None:
    if not value:
        return value
    compact = re.sub(r"\s+", "", value.upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _valid_postcode(_form, field) -> None:
    if field.data and not POSTCODE.match(field.data):
        raise ValidationError(_l("Enter a real postcode, like ND1 1AA"))


class LocationForm(FlaskForm):
    address = GovukTextAreaField(
        _l("Where is it?"),
        description=_l("The street and nearest house number, or a landmark such as a shop or bus stop."),
        filters=[strip_and_clean],
        validators=[Length(max=500, message=_l("Enter 500 characters or fewer"))],
    )
    postcode = GovukTextField(
        _l("Postcode (if you know it)"),
        filters=[strip_and_clean, normalise_postcode],
        validators=[
            Optional(),
            Length(max=10, message=_l("Enter a real postcode, like ND1 1AA")),
            _valid_postcode,
        ],
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = required

    def validate_address(self, field) -> None:
        if self.required and not field.data:
            raise ValidationError(_l("Tell us where it is"))


class PhotoForm(FlaskForm):
    photo = GovukFileField(_l("Upload a photo"), description=_l("JPG, PNG, WEBP or GIF, smaller than 10MB."))


class RemovePhotoForm(FlaskForm):
    name = HiddenField(validators=[InputRequired(), Length(max=40)])


PHONE_MESSAGE = _l("Enter a telephone number, like 01632 960 001 or 07700 900 982")
EMAIL_MESSAGE = _l("Enter an email address in the correct format, like name@example.com")


def _valid_phone(_form, field) -> None:
    if not field.data:
        return
    try:
        number = phonenumbers.parse(field.data, "GB")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(PHONE_MESSAGE) from error
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(PHONE_MESSAGE)


class YourDetailsForm(FlaskForm):
    name = GovukTextField(
        _l("Your name"),
        filters=[strip_and_clean],
        validators=[
            DataRequired(message=_l("Enter your name")),
            Length(max=200, message=_l("Your name must be 200 characters or fewer")),
        ],
    )
    email = GovukTextField(
        _l("Email address"),
        description=_l("We will send your reference and updates here."),
        filters=[strip_and_clean],
        validators=[
            Optional(),
            Length(max=254, message=EMAIL_MESSAGE),
            Email(message=EMAIL_MESSAGE),
        ],
    )
    phone = GovukTextField(
        _l("Telephone number"),
        filters=[strip_and_clean],
        validators=[Optional(), Length(max=40, message=PHONE_MESSAGE), _valid_phone],
    )
    preferred_contact = GovukRadioField(
        _l("How should we contact you?"),
        choices=[
            SelectChoice("email", _l("Email")),
            SelectChoice("phone", _l("Phone")),
            SelectChoice("post", _l("Post")),
        ],
        validators=[InputRequired(message=_l("Select how we should contact you"))],
        invalid_choice_message=_l("Select how we should contact you"),
    )
    address = GovukTextAreaField(
        _l("Your address (if you want replies by post)"),
        filters=[strip_and_clean],
        validators=[Length(max=500, message=_l("Enter 500 characters or fewer"))],
    )
    interpreter = GovukRadioField(
        _l("Do you need an interpreter?"),
        description=_l("If you do, the council will arrange one. You do not have to answer."),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[Optional()],
        invalid_choice_message=_l("Select yes or no, or leave the question unanswered"),
    )

    def validate(self, extra_validators=None) -> bool:
        """The way to be contacted needs its detail: the message goes next to the box left empty."""
        valid = super().validate(extra_validators)
        needed = {"email": self.email, "phone": self.phone, "post": self.address}.get(
            self.preferred_contact.data
        )
        if needed is None or needed.data or needed.errors:
            return valid
        messages = {
            "email": _l("Enter your email address, or choose another way to be contacted"),
            "phone": _l("Enter your telephone number, or choose another way to be contacted"),
            "post": _l("Enter your address, or choose another way to be contacted"),
        }
        needed.errors.append(messages[self.preferred_contact.data])
        return False


class TrackForm(FlaskForm):
    reference = GovukTextField(
        _l("Reference number"),
        description=_l("For example, NDC-26-004217"),
        filters=[strip_and_clean],
        validators=[
            DataRequired(message=_l("Enter your reference number")),
            Length(max=20, message=_l("Enter a reference number like NDC-26-004217")),
        ],
    )
    email = GovukTextField(
        _l("Email address you gave us"),
        filters=[strip_and_clean],
        validators=[
            DataRequired(message=_l("Enter the email address you gave us")),
            Length(max=254, message=EMAIL_MESSAGE),
            Email(message=EMAIL_MESSAGE),
        ],
    )
