"""Check-in at the kiosk: a visitor says what they have come about and a name or initials, and gets a
ticket number and an estimated wait. Only on a registered kiosk."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import _, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.contacts.forms import SERVICE_GROUP_LABELS
from portal.forms import GovukRadioField, GovukTextField, strip_and_clean

from . import visits
from .device import current_kiosk
from .views import kiosk
from .visit_models import MAX_NAME

CHECK_IN = "check_in"  # the session key of this visit's check-in (the kiosk's wipe clears the session)
TOPIC_LABELS = {
    **{code: SERVICE_GROUP_LABELS[code] for code in visits.TOPICS if code != visits.OTHER},
    visits.OTHER: _l("Something else"),
}
YES, NO = "yes", "no"


class CheckInForm(FlaskForm):
    topic = GovukRadioField(
        _l("What have you come about?"),
        choices=[SelectChoice(code, label) for code, label in TOPIC_LABELS.items()],
        validators=[InputRequired(message=_l("Select what you have come about"))],
        invalid_choice_message=_l("Select what you have come about"),
    )
    name_or_initials = GovukTextField(
        _l("Your name or initials"),
        description=_l("We show it with your ticket number when we call you. Initials are fine."),
        filters=[strip_and_clean],
        validators=[
            DataRequired(message=_l("Enter your name or initials")),
            Length(max=MAX_NAME, message=_l("Enter %(max)d characters or fewer", max=MAX_NAME)),
        ],
    )
    needs_interpreter = GovukRadioField(
        _l("Do you need an interpreter? (optional)"),
        choices=[SelectChoice(YES, _l("Yes")), SelectChoice(NO, _l("No"))],
        validators=[Optional()],
    )

    def interpreter(self) -> bool | None:
        return {YES: True, NO: False}.get(self.needs_interpreter.data)


def _not_a_kiosk():
    return render_template("kiosk/not_registered.html", page_title=_("This device is not a kiosk")), 403


@kiosk.route("/check-in", methods=["GET", "POST"])
def start_check_in():
    device = current_kiosk()
    if device is None:
        return _not_a_kiosk()
    form = CheckInForm()
    if request.method == "POST":
        already = visits.find_check_in(session.get(CHECK_IN))
        if already is not None and already.status == "waiting":  # a second tap: the same ticket
            return redirect(url_for("kiosk.show_ticket"))
        if form.validate():
            visit = visits.check_in(
                device.id,
                form.topic.data,
                form.name_or_initials.data,
                str(get_locale()),
                form.interpreter(),
                visited=visits.KioskVisit(
                    searches=tuple(session.get("recent_searches", [])),
                    chat_token=session.get("chat_token"),
                    draft_keys=tuple(session.get("drafts", {}).values()),
                    confirmed_answers=tuple(session.get("confirmed_answers", [])),
                ),
            )
            session[CHECK_IN] = visit.id
            return redirect(url_for("kiosk.show_ticket"))
    page = render_template("kiosk/check_in.html", form=form, page_title=_("Check in to see an advisor"))
    return page, 422 if form.errors else 200


@kiosk.get("/check-in/ticket")
def show_ticket():
    device = current_kiosk()
    if device is None:
        return _not_a_kiosk()
    visit = visits.find_check_in(session.get(CHECK_IN))
    if visit is None or visit.kiosk_id != device.id:
        return redirect(url_for("kiosk.start_check_in"))
    return render_template(
        "kiosk/check_in_ticket.html",
        visit=visit,
        estimate=visits.wait_estimate(visit) if visit.status == "waiting" else None,
        topic_label=TOPIC_LABELS.get(visit.topic, visit.topic),
        page_title=_("Your ticket number"),
    )
