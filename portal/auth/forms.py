from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired

from portal.forms import GovukPasswordField, GovukTextField, strip_and_clean


class SignInForm(FlaskForm):
    email = GovukTextField(
        _l("Email address"),
        filters=[strip_and_clean],
        validators=[InputRequired(message=_l("Enter your email address"))],
    )
    password = GovukPasswordField(
        _l("Password"), validators=[InputRequired(message=_l("Enter your password"))]
    )


class SecondFactorForm(FlaskForm):
    code = GovukTextField(
        _l("Security code"),
        description=_l("The 6-digit code your authenticator app shows now"),
        filters=[strip_and_clean],
        validators=[InputRequired(message=_l("Enter the security code"))],
    )
