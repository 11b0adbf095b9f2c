from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.forms import GovukRadioField, GovukTextAreaField, strip_and_clean

MAX_COMMENT = 1000


class FeedbackForm(FlaskForm):
    helpful = GovukRadioField(
        _l("Did this page answer your question?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Select yes if this page answered your question"))],
    )
    comment = GovukTextAreaField(
        _l("How could we improve this page? (optional)"),
        description=_l("Do not include personal details such as your name, address or account number."),
        filters=[strip_and_clean],
        validators=[
            Length(
                max=MAX_COMMENT, message=_l("Comment must be %(max)d characters or fewer", max=MAX_COMMENT)
            )
        ],
    )
