"""The rating pages: the panel inline on confirmation pages (htmx swaps it to a thank-you), the page an
email's link opens, the thank-you page without JavaScript, and the kiosk's question after Finish."""

from __future__ import annotations

from flask import current_app, redirect, request, session, url_for
from flask_babel import _

from crm_bridge.satisfaction import (
    Outcome,
    RatingTokenError,
    RatingTokenExpired,
    Transaction,
    already_rated,
    case_of,
    first_contact_of,
    read_token,
    record_rating,
    token_for_contact,
    token_for_kiosk_visit,
)
from portal.layout import is_htmx_fragment_request, render_page
from portal.urls import safe_next_url

from . import satisfaction
from .forms import RatingForm

TEMPLATE = "satisfaction/rate.html"
# A kiosk visit's rating waits in the session between Finish and the answer (the visit itself is wiped).
KIOSK_VISIT_KEY = "satisfaction_kiosk_visit"


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _transaction(token: str | None) -> tuple[Transaction | None, str | None]:
    """(the transaction, None), or (None, "invalid" | "expired")."""
    try:
        return read_token(token, _secret()), None
    except RatingTokenExpired:
        return None, "expired"
    except RatingTokenError:
        return None, "invalid"


def _title(state: str) -> str:
    return {
        "form": _("Tell us how we did"),
        "thanks": _("Thank you for your feedback"),
        "already": _("You have already told us how we did"),
        "invalid": _("This link does not work"),
        "expired": _("This link has expired"),
    }[state]


def _render(state: str, status: int = 200, *, form=None, case=None, back=None, kiosk_visit=False):
    """The whole rating page, or its panel alone for htmx (which swaps 2xx and 422 responses): the panel
    inline on a confirmation page is the only part of it htmx asks for."""
    inline = is_htmx_fragment_request()
    if inline and status >= 400:
        status = 422
    html = render_page(
        TEMPLATE,
        "panel",
        rating_state=state,
        rating_title=_title(state),
        rating_inline=inline,
        rating_form=form,
        rating_case=case,
        rating_back=back,
        rating_kiosk_visit=kiosk_visit,
        page_title=_title(state),
    )
    return html, status


def _problem(problem: str, back: str | None = None):
    return _render(problem, 410 if problem == "expired" else 400, back=back)


# --- Template globals: the token a confirmation page puts in its panel ----------------------------------


@satisfaction.app_template_global()
def satisfaction_token(moment: str, contact_id: int | None = None, case=None) -> str | None:
    """For an answer confirmed (its contact) or a form sent (its case's contact); None once rated."""
    if case is not None:
        contact = first_contact_of(case)
        contact_id = contact.id if contact is not None else None
    if contact_id is None:
        return None
    if already_rated(Transaction(moment, contact_id=contact_id)):
        return None
    return token_for_contact(contact_id, moment, _secret())


@satisfaction.app_template_global()
def new_rating_form(token: str) -> RatingForm:
    return RatingForm(formdata=None, token=token)


# --- The pages --------------------------------------------------------------------------------------------


@satisfaction.get("")
def show_rating():
    """Opened from a link (the email telling the resident their case is resolved): the question for it."""
    token = request.args.get("token")
    transaction, problem = _transaction(token)
    if problem:
        return _problem(problem)
    if already_rated(transaction):
        return _render("already")
    return _render("form", form=RatingForm(formdata=None, token=token), case=case_of(transaction), back="")


@satisfaction.post("")
def give_rating():
    form = RatingForm()
    back = safe_next_url(request.form.get("back"), default="") or None
    transaction, problem = _transaction(form.token.data)
    if problem:
        return _problem(problem, back)
    kiosk_visit = transaction.moment == "kiosk_visit"
    if kiosk_visit and session.get(KIOSK_VISIT_KEY) != form.token.data:
        return _finish_kiosk_visit()  # that visit has ended (wiped by the idle timer): nothing to rate
    if not form.validate():
        status = 422 if is_htmx_fragment_request() else 200
        return _render(
            "form", status, form=form, case=case_of(transaction), back=back, kiosk_visit=kiosk_visit
        )
    try:
        outcome = record_rating(form.token.data, int(form.rating.data), form.comment.data or "", _secret())
    except RatingTokenError:  # genuine, but what it names is gone (a contact deleted since)
        return _problem("invalid", back)
    if kiosk_visit:
        return _finish_kiosk_visit()
    state = "already" if outcome is Outcome.ALREADY_RATED else "thanks"
    if is_htmx_fragment_request():
        return _render(state)
    return redirect(
        url_for("satisfaction.show_thanks", back=back, already="yes" if state == "already" else None)
    )


@satisfaction.get("/thank-you")
def show_thanks():
    """Where the form lands without JavaScript, with a way back to the page the resident was on."""
    already = request.args.get("already") == "yes"
    back = safe_next_url(request.args.get("back"), default="") or None
    return _render("already" if already else "thanks", back=back)


# --- The kiosk: after Finish, before the visit's wipe completes -------------------------------------------


def kiosk_rating_pending(visit_session) -> bool:
    return KIOSK_VISIT_KEY in visit_session


def forget_kiosk_rating(visit_session) -> None:
    """Back at the start screen the question is over: the next visitor cannot rate the last one's visit."""
    visit_session.pop(KIOSK_VISIT_KEY, None)


def ask_kiosk_visitor(visit_session, lang: str | None, kiosk_id: int | None) -> str:
    """Called by Finish once the visit is wiped and its session emptied: the new session holds only the
    visit's language and the token of its rating. Returns where to send the visitor."""
    if lang:
        visit_session["lang"] = lang
    visit_session[KIOSK_VISIT_KEY] = token_for_kiosk_visit(kiosk_id, lang or "en", _secret())
    return url_for("satisfaction.rate_kiosk_visit")


@satisfaction.get("/kiosk-visit")
def rate_kiosk_visit():
    token = session.get(KIOSK_VISIT_KEY)
    if not token:  # answered, skipped or timed out already (the next visitor pressing Back)
        return redirect(url_for("kiosk.show_start"))
    return _render("form", form=RatingForm(formdata=None, token=token), back="", kiosk_visit=True)


def _finish_kiosk_visit():
    """Answered or not, the visit ends here: nothing of it is left for the next visitor."""
    session.clear()
    response = redirect(url_for("kiosk.show_start"), code=303)
    response.headers["Clear-Site-Data"] = '"cache"'
    return response
