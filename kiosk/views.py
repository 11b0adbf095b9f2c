"""The kiosk's own pages (enrolment, the start screen, high contrast, finishing a visit) and the rules every
page follows on a registered kiosk: nothing cached, no autofill, and no address that brings back what an
earlier visitor typed (see docs/kiosk-privacy.md)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import _
from sqlalchemy.exc import SQLAlchemyError

from portal.db import db
from portal.domain import LANGUAGES, RIGHT_TO_LEFT
from portal.eforms.services import upload_folder
from portal.satisfaction import ask_kiosk_visitor, forget_kiosk_rating, kiosk_rating_pending
from portal.urls import safe_next_url

from .device import current_kiosk, remember_device
from .registry import enrol_device
from .session import draft_keys_of, visit_in_progress, wipe_visit

kiosk = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates", static_folder="static")

VISIT_KEY = "kiosk_visit"  # a random id for this visit, in the session: a new one after every wipe
VISIT_ARG = "visit"
CONTRAST_KEY = "kiosk_contrast"


@dataclass(frozen=True)
class VisitBound:
    """An address that carries what a visitor typed or owns. `args`: bound only when one of these query
    arguments is present; none: the address itself is bound, and a stale one goes to `fallback`."""

    args: tuple[str, ...] = ()
    fallback: str | None = None


# Addresses that must not work for the next visitor (the back button): on a kiosk their links carry this
# visit's id, and an address with another visit's id is answered without what it carried. Other kiosk
# features add theirs with bind_to_visit().
VISIT_BOUND: dict[str, VisitBound] = {
    "search.show_results": VisitBound(args=("q",)),
    "eforms.show_start": VisitBound(args=("q",)),
    "tracking.show_case": VisitBound(fallback="tracking.find_case"),
}


def bind_to_visit(endpoint: str, *args: str, fallback: str | None = None) -> None:
    VISIT_BOUND[endpoint] = VisitBound(args=tuple(args), fallback=fallback)


def on_a_kiosk() -> bool:
    try:
        return current_kiosk() is not None
    except SQLAlchemyError:
        db.session.rollback()
        return False


# --- Rules for every page on a kiosk -------------------------------------------------------------------


@kiosk.before_app_request
def _keep_addresses_to_this_visit():
    if request.endpoint in (None, "static", "kiosk.static") or not on_a_kiosk():
        return None
    visit = session.setdefault(VISIT_KEY, secrets.token_urlsafe(12))
    bound = VISIT_BOUND.get(request.endpoint)
    if bound is None or request.method not in ("GET", "HEAD"):
        return None
    if bound.args and not any(request.args.get(name) for name in bound.args):
        return None
    given = request.args.get(VISIT_ARG)
    if given == visit:
        return None
    view_args = request.view_args or {}
    if given is None and bound.args:
        # This visitor's own search sent without JavaScript: the address gets this visit's id.
        args = request.args.to_dict(flat=False)
        return redirect(url_for(request.endpoint, **view_args, **args, **{VISIT_ARG: visit}))
    if bound.args:  # an earlier visitor's address (the back button): the page without what they typed
        return redirect(url_for(request.endpoint, **view_args))
    return redirect(url_for(bound.fallback or "kiosk.show_start"))


@kiosk.app_url_defaults
def _bind_links_to_visit(endpoint: str, values: dict) -> None:
    bound = VISIT_BOUND.get(endpoint)
    if bound is None or VISIT_ARG in values or not has_request_context():
        return
    if bound.args and not any(values.get(name) for name in bound.args):
        return
    visit = session.get(VISIT_KEY)
    if visit and on_a_kiosk():
        values[VISIT_ARG] = visit


FIELD_TAG = re.compile(r"<(form|input|textarea|select)\b([^>]*)>", re.IGNORECASE)
# One attribute with its value: a quoted value is read whole, so words a visitor typed into a value
# (value="bins autocomplete=on") are never taken for an attribute of their own.
ATTRIBUTE = re.compile(r"""(\s+)([^\s"'=<>/]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")


def _autocomplete_off(match: re.Match) -> str:
    tag, attributes = match.group(1), match.group(2)
    closing = "/" if attributes.endswith("/") else ""
    attributes = attributes[:-1] if closing else attributes
    attributes = ATTRIBUTE.sub(_without_autocomplete, attributes)
    return f'<{tag}{attributes} autocomplete="off"{closing}>'


def _without_autocomplete(attribute: re.Match) -> str:
    return "" if attribute.group(2).lower() == "autocomplete" else attribute.group(0)


@kiosk.after_app_request
def _leave_no_traces(response):
    """On a kiosk nothing is cached (back button included) and the browser offers no one's earlier
    answers: every form and field says autocomplete="off" (idle.js does the same in the page)."""
    if request.endpoint in ("static", "kiosk.static") or not on_a_kiosk():
        return response
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    if response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed:
        html = response.get_data(as_text=True)
        response.set_data(FIELD_TAG.sub(_autocomplete_off, html))
    return response


@kiosk.after_request
def _never_cache(response):
    """Nothing one visitor saw may come back from a cache for the next (back button included)."""
    response.headers["Cache-Control"] = "no-store"
    return response


@kiosk.app_template_global()
def kiosk_shell() -> dict:
    """What the kiosk layout needs: idle settings, high contrast, this visit's id, optional features."""
    return {
        "idle_seconds": int(current_app.config.get("KIOSK_IDLE_SECONDS", 60)),
        "prompt_seconds": int(current_app.config.get("KIOSK_PROMPT_SECONDS", 30)),
        "high_contrast": bool(session.get(CONTRAST_KEY)),
        "visit": session.get(VISIT_KEY, ""),
        "in_progress": visit_in_progress(session.keys()),
        "check_in": "kiosk.start_check_in" in current_app.view_functions,
    }


# --- The kiosk's own pages ------------------------------------------------------------------------------


def _not_a_kiosk():
    return render_template("kiosk/not_registered.html", page_title=_("This device is not a kiosk")), 403


@kiosk.get("/enrol/<code>")
def enrol(code: str):
    enrolled = enrol_device(code)
    if enrolled is None:
        abort(404)
    response = redirect(url_for("kiosk.show_start"))
    remember_device(response, enrolled[1])
    return response


@kiosk.get("")
def show_start():
    if current_kiosk() is None:
        return _not_a_kiosk()
    forget_kiosk_rating(session)
    languages = [
        {"code": code, "name": name, "dir": "rtl" if code in RIGHT_TO_LEFT else "ltr"}
        for code, name in LANGUAGES.items()
    ]
    return render_template(
        "kiosk/start.html", languages=languages, page_title=_("How can we help you today?")
    )


@kiosk.post("/high-contrast")
def toggle_contrast():
    """High contrast for this visit only: it lives in the session, so finishing the visit resets it."""
    if current_kiosk() is None:
        return _not_a_kiosk()
    session[CONTRAST_KEY] = not session.get(CONTRAST_KEY, False)
    return redirect(safe_next_url(request.form.get("next"), default=url_for("kiosk.show_start")))


@kiosk.post("/finish")
def finish():
    """End the visit at once: the conversation, unsent forms and their photos are deleted, the session is
    emptied (a new CSRF token too), the device stays registered (its cookie is not the session's).
    The Finish button (rate=yes) then asks the satisfaction question, in the visit's language; the idle
    timer and "Finish without answering" go straight to the start screen."""
    ask = request.form.get("rate") == "yes" and not kiosk_rating_pending(session)
    lang = session.get("lang")
    wipe_visit(session.get("chat_token"), draft_keys_of(session.get("drafts")), upload_folder())
    session.clear()
    kiosk_device = current_kiosk()
    after = ask_kiosk_visitor(session, lang, kiosk_device.id if kiosk_device else None) if ask else None
    response = redirect(after or url_for("kiosk.show_start"), code=303)
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


# Kiosk features kept in modules of their own add their views and template helpers to this blueprint.
from . import checkin, template_helpers  # noqa: E402,F401
