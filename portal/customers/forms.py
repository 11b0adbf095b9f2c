"""Forms of the customer pages."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, Length, ValidationError

from crm_bridge.customers import latest_review_date, review_date_problem
from portal.db import utcnow
from portal.forms import GovukDateField, GovukTextAreaField, GovukTextField, strip_and_clean

ERASE_WORD = "erase"


class CustomerSearchForm(FlaskForm):
    """A GET search: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = GovukTextField(
        _l("Name, email, phone number, postcode or case reference"),
        filters=[strip_and_clean],
        validators=[Length(max=200, message=_l("Search for 200 characters or fewer"))],
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class RestrictionForm(FlaskForm):
    reason = GovukTextAreaField(
        _l("Why contact is restricted"),
        description=_l("The behaviour that led to the decision, under the council's policy."),
        filters=[strip_and_clean],
        validators=[
            InputRequired(_l("Enter why contact is restricted")),
            Length(max=2000, message=_l("Reason must be 2000 characters or fewer")),
        ],
    )
    terms = GovukTextAreaField(
        _l("What the restriction is"),
        description=_l("For example: contact by email only, to one named officer; no phone calls."),
        filters=[strip_and_clean],
        validators=[
            InputRequired(_l("Enter what the restriction is")),
            Length(max=2000, message=_l("Restriction must be 2000 characters or fewer")),
        ],
    )
    review_on = GovukDateField(
        _l("Review date"),
        description=_l("Within the next 12 months. For example, 27 3 2027"),
        invalid_message=_l("Review date must be a real date"),
    )

    def validate_review_on(self, field) -> None:
        if field.errors:  # not a real date: that message is enough
            return
        today = utcnow().date()
        problem = review_date_problem(field.data, today)
        if problem == "review_missing":
            raise ValidationError(_l("Enter a review date"))
        if problem == "review_not_future":
            raise ValidationError(_l("Review date must be in the future"))
        if problem == "review_too_far":
            raise ValidationError(
                _(
                    "Review date must be on or before %(date)s (within 12 months)",
                    date=format_date(latest_review_date(today), "d MMMM y"),
                )
            )


class EraseForm(FlaskForm):
    confirmation = GovukTextField(
        _l("To confirm, type the word erase"),
        filters=[strip_and_clean],
        validators=[InputRequired(_l("Type the word erase to confirm"))],
    )

    def validate_confirmation(self, field) -> None:
        if (field.data or "").lower() != ERASE_WORD:
            raise ValidationError(_l("Type the word erase to confirm"))
