"""WTForms fields subclassed once, so each renders an accessible GOV.UK Design System component."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateField, FileField, RadioField, StringField, SubmitField, TextAreaField


class GovukTextField(StringField):
    widget = GovTextInput()


class GovukTextAreaField(TextAreaField):
    widget = GovTextArea()


class GovukRadioField(RadioField):
    widget = GovRadioInput()


class GovukSubmitField(SubmitField):
    widget = GovSubmitInput()


class GovukDateField(DateField):
    """Day, month and year boxes, with a message of our own for a date that does not exist."""

    widget = GovDateInput()

    def __init__(self, *args, invalid_message: str = "Enter a real date", **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.invalid_message)) from error


class GovukFileField(FileField):
    widget = GovFileInput()


def strip_and_clean(value: str | None) -> str | None:
    """Leading and trailing spaces are dropped, and control characters never reach the database."""
    if value is None:
        return None
    return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()
