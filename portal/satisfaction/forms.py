from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice
from wtforms.validators import InputRequired, Length

from crm_bridge.satisfaction import MAX_COMMENT
from portal.forms import GovukRadioField, GovukTextAreaField, strip_and_clean

# Best first, as GOV.UK's satisfaction question lists them; the values are the stored ratings (5 very good).
RATING_CHOICES = [
    SelectChoice("5", _l("Very good")),
    SelectChoice("4", _l("Good")),
    SelectChoice("3", _l("Neither good nor poor")),
    SelectChoice("2", _l("Poor")),
    SelectChoice("1", _l("Very poor")),
]
PREFIX = "satisfaction"  # field ids stay unique on pages with forms of their own (an article's feedback)


class RatingForm(FlaskForm):
    """The one question. The transaction rated travels only as the signed token."""

    token = HiddenField()
    rating = GovukRadioField(
        _l("Overall, how did you feel about the service you received today?"),
        choices=RATING_CHOICES,
        validators=[InputRequired(message=_l("Select how you feel about the service"))],
    )
    comment = GovukTextAreaField(
        _l("How could we improve this service? (optional)"),
        description=_l("Do not include personal details such as names, addresses or reference numbers."),
        filters=[strip_and_clean],
        validators=[Length(max=MAX_COMMENT, message=_l("Your comment must be 1,200 characters or fewer"))],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
