"""The reports' period and drill-down choices: GET forms, so they carry no CSRF token and a report's
address can be bookmarked or shared."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import Optional, ValidationError

from crm_bridge.reports.dashboard import Filters
from crm_bridge.reports.periods import PRESETS, Period, preset
from portal.contacts.forms import CHANNEL_LABELS, SERVICE_GROUP_LABELS
from portal.domain import CHANNELS, LANGUAGES, SERVICE_GROUPS
from portal.forms import GovukDateField, GovukSelectField

PRESET_LABELS = {
    "this-quarter": _l("This quarter so far"),
    "last-quarter": _l("Last quarter"),
    "this-year": _l("This financial year so far"),
    "last-year": _l("Last financial year"),
    "last-12-months": _l("Last 12 whole months"),
    "custom": _l("Dates I choose"),
}
DEFAULT_PRESET = "last-quarter"


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    period = GovukSelectField(
        _l("Period"),
        choices=[(name, PRESET_LABELS[name]) for name in (*PRESETS, "custom")],
        default=DEFAULT_PRESET,
        validators=[Optional()],
        invalid_choice_message=_l("Choose one of the periods"),
    )
    date_from = GovukDateField(
        _l("From"),
        description=_l("For dates you choose. For example, 1 4 2026"),
        invalid_message=_l("Date from must be a real date"),
        validators=[Optional()],
    )
    date_to = GovukDateField(
        _l("To"),
        description=_l("For example, 30 6 2026"),
        invalid_message=_l("Date to must be a real date"),
        validators=[Optional()],
    )

    def validate_date_from(self, field):
        if self.period.data == "custom" and not field.data and not self.date_from.errors:
            raise ValidationError(_l("Enter the date the period starts"))

    def validate_date_to(self, field):
        if self.period.data != "custom" or self.date_to.errors:
            return
        if not field.data:
            raise ValidationError(_l("Enter the date the period ends"))
        if self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Date to must be the same as or after date from"))

    def chosen_period(self, today: date) -> Period:
        """The period asked for; call after validate(). Nothing or something invalid asked: the default."""
        name = self.period.data or DEFAULT_PRESET
        dates_valid = not (self.period.errors or self.date_from.errors or self.date_to.errors)
        if name == "custom" and self.date_from.data and self.date_to.data and dates_valid:
            return Period(self.date_from.data, self.date_to.data)
        return preset(name if name in PRESETS else DEFAULT_PRESET, today)


def _drill_down(label, everything, choices) -> GovukSelectField:
    return GovukSelectField(
        label,
        choices=[SelectChoice("", everything)] + [SelectChoice(value, text) for value, text in choices],
        default="",
        validators=[Optional()],
        invalid_choice_message=_l("Choose one of the options for ‘%(filter)s’", filter=label),
    )


class DashboardForm(PeriodForm):
    """The period and the drill-down filters, in one GET form."""

    service_group = _drill_down(
        _l("Service group"),
        _l("All service groups"),
        [(code, SERVICE_GROUP_LABELS[code]) for code in SERVICE_GROUPS],
    )
    channel = _drill_down(
        _l("Channel"), _l("All channels"), [(code, CHANNEL_LABELS[code]) for code in CHANNELS]
    )
    lang = _drill_down(_l("Language"), _l("All languages"), list(LANGUAGES.items()))

    def filters(self) -> Filters:
        """The filters asked for; one that is not a valid choice is left out (its error says so)."""
        return Filters(
            **{
                name: getattr(self, name).data or None
                for name in FILTER_NAMES
                if not getattr(self, name).errors
            }
        )


FILTER_NAMES = ("service_group", "channel", "lang")
