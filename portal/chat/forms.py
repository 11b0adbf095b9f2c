from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from portal.forms import GovukTextField, strip_and_clean
from portal.search.forms import MAX_QUERY


class QuestionForm(FlaskForm):
    question = GovukTextField(
        _l("Your question"),
        filters=[strip_and_clean],
        validators=[
            # Checked after the filters: a question of only spaces or control characters is no question.
            DataRequired(message=_l("Enter your question")),
            Length(max=MAX_QUERY, message=_l("Enter %(max)d characters or fewer", max=MAX_QUERY)),
        ],
    )


class ReplyForm(FlaskForm):
    """The resident's answer to 'Did this answer your question?'."""

    message_id = IntegerField(validators=[InputRequired()])
    answered = HiddenField(validators=[AnyOf(["yes", "no"])])
    slug = HiddenField(filters=[strip_and_clean], validators=[Optional(), Length(max=120)])
