"""Finishing a reception visit: the outcome that becomes the visit's face-to-face contact."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import InputRequired

from portal.contacts.forms import AVOIDABLE_LABELS, INTERACTION_TYPE_LABELS, NOT_AVOIDABLE
from portal.forms import GovukRadioField, GovukSelectField


class FinishVisitForm(FlaskForm):
    resolved = GovukRadioField(
        _l("Resolved at the first point of contact?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Select whether the visit was resolved at the first point"))],
        invalid_choice_message=_l("Select whether the visit was resolved at the first point"),
    )
    interaction_type = GovukSelectField(
        _l("Interaction type"),
        choices=[SelectChoice("", _l("Choose an interaction type"))]
        + [SelectChoice(code, label) for code, label in INTERACTION_TYPE_LABELS.items()],
        default="",
        validators=[InputRequired(message=_l("Choose the interaction type"))],
        invalid_choice_message=_l("Choose the interaction type"),
    )
    avoidable = GovukRadioField(
        _l("Was the visit avoidable?"),
        choices=[SelectChoice(code, label) for code, label in AVOIDABLE_LABELS.items()],
        validators=[InputRequired(message=_l("Select whether the visit was avoidable, and why"))],
        invalid_choice_message=_l("Select whether the visit was avoidable, and why"),
    )

    def avoidable_reason(self) -> str | None:
        return None if self.avoidable.data == NOT_AVOIDABLE else self.avoidable.data
