from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.forms import GovukTextField, strip_and_clean

MAX_QUERY = 500


class SearchForm(FlaskForm):
    """Searches read data only, so they are GET forms without a CSRF token (nothing to forge)."""

    class Meta:
        csrf = False

    q = GovukTextField(
        _l("Search for help and advice"),
        filters=[strip_and_clean],
        validators=[Length(max=MAX_QUERY, message=_l("Enter %(max)d characters or fewer", max=MAX_QUERY))],
    )


class ApiSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        filters=[strip_and_clean],
        validators=[DataRequired(message=_l("Enter a search query")), Length(max=MAX_QUERY)],
    )
    lang = StringField(filters=[strip_and_clean], validators=[Optional(), Regexp(r"^[a-z]{2,3}$")])
    limit = IntegerField(default=10, validators=[Optional(), NumberRange(min=1, max=50)])
