from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import _

from crm_bridge.tracking import OPEN_STATUSES, case_by_reference_and_email, case_by_token
from portal.eforms.forms import TrackForm
from portal.eforms.services import request_type_for

tracking = Blueprint("tracking", __name__, url_prefix="/track")


@tracking.route("", methods=["GET", "POST"])
def find_case():
    form = TrackForm()
    if form.validate_on_submit():
        case = case_by_reference_and_email(form.reference.data, form.email.data)
        if case is not None:
            return redirect(url_for("tracking.show_case", token=case.tracking_token))
        form.reference.errors = [_("We could not find a request with that reference and email address")]
    return render_template("tracking/find.html", form=form, page_title=_("Track your request")), (
        422 if form.errors else 200
    )


@tracking.get("/<token>")
def show_case(token: str):
    case = case_by_token(token)
    if case is None:
        # A mistyped or cut-short link: say so, and offer the other way to find the request.
        form = TrackForm(formdata=None)
        page = render_template(
            "tracking/find.html", form=form, link_not_found=True, page_title=_("Track your request")
        )
        return page, 404
    return render_template(
        "tracking/case.html",
        case=case,
        request_type=request_type_for(case.request_type),
        is_open=case.status in OPEN_STATUSES,
        page_title=_("Your request %(reference)s", reference=case.reference),
    )
