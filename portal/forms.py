"""WTForms fields subclassed once, so each renders an accessible GOV.UK Design System component."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    FileField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)


class GovukTextField(StringField):
    widget = GovTextInput()


class GovukPasswordField(PasswordField):
    widget = GovPasswordInput()


class GovukTextAreaField(TextAreaField):
    widget = GovTextArea()


class _GovRadios(GovRadioInput):
    """govuk-frontend-wtf passes a hint even when the field has none, and the page shows 'None'."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if not (params.get("hint") or {}).get("text"):
            params.pop("hint", None)
        return params


class GovukRadioField(RadioField):
    widget = _GovRadios()


class GovukSubmitField(SubmitField):
    widget = GovSubmitInput()


class _GovDate(GovDateInput):
    """govuk-frontend-wtf labels the boxes "Day", "Month" and "Year" in English: ours are translated."""

    LABELS = {"Day": _l("Day"), "Month": _l("Month"), "Year": _l("Year")}

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item in params.get("items") or ():
            if item.get("label") in self.LABELS:
                item["label"] = str(self.LABELS[item["label"]])
        return params


class GovukDateField(DateField):
    """Day, month and year boxes, with a message of our own for a date that does not exist."""

    widget = _GovDate()

    def __init__(self, *args, invalid_message: str = _l("Enter a real date"), **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if not valuelist:
            # A POST without the boxes at all (made by hand): shown again with them empty, not a 500.
            self.raw_data = ["", "", ""]
        if valuelist and len(valuelist) != 3:
            # Not the day, month and year boxes this field shows (a request made by hand): shown again empty.
            self.raw_data = ["", "", ""]
            if "".join(valuelist).strip():
                self.data = None
                raise ValueError(str(self.invalid_message))
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.invalid_message)) from error


class GovukFileField(FileField):
    widget = GovFileInput()


# Zero-width non-joiner and joiner: invisible, but part of the spelling of Urdu and Persian words and of
# emoji such as 👩‍🔧; other invisible format characters (direction overrides among them) are dropped.
KEPT_INVISIBLES = "\n\t\u200c\u200d"


def strip_and_clean(value: str | None) -> str | None:
    """Leading and trailing spaces are dropped, and control characters never reach the database.
    Other spaces (a no-break space pasted from a document) become plain spaces, so words stay apart."""
    if value is None:
        return None
    spaced = (" " if unicodedata.category(ch) == "Zs" else ch for ch in value)
    return "".join(ch for ch in spaced if ch in KEPT_INVISIBLES or ch.isprintable()).strip()


class _GovCheckboxes(GovCheckboxesInput):
    """As for radios: no hint shown when the field has none."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if not (params.get("hint") or {}).get("text"):
            params.pop("hint", None)
        return params


class GovukCheckboxesField(SelectMultipleField):
    widget = _GovCheckboxes()


class GovukSelectField(SelectField):
    widget = GovSelect()
