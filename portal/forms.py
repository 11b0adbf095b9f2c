"""WTForms fields subclassed once, so each renders an accessible GOV.UK Design System component."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField


class GovukTextField(StringField):
    widget = GovTextInput()


class GovukTextAreaField(TextAreaField):
    widget = GovTextArea()


class GovukRadioField(RadioField):
    widget = GovRadioInput()


class GovukSubmitField(SubmitField):
    widget = GovSubmitInput()


def strip_and_clean(value: str | None) -> str | None:
    """Leading and trailing spaces are dropped, and control characters never reach the database."""
    if value is None:
        return None
    return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()
