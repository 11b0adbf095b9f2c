"""Rate limits (docs/rate-limits.md): one table of what is limited, keyed on whom, and the answers a
resident, an htmx request or an API client gets when a limit is reached.

Flask-Limiter keeps its storage and its switches (enabled, key prefix) on the Limiter object, not on the
application, so each application gets a Limiter of its own, made by `rate_limits.init_app(app)` once the
blueprints are registered: the limits wrap the registered views. Tests make many applications in one
process, and they must not share counts or switches."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, jsonify, render_template, request, session
from flask_babel import _, ngettext
from flask_limiter import Limiter
from jinja2_fragments.flask import render_block
from limits import parse_many

from kiosk.device import current_kiosk

from .config import DEFAULT_RATE_LIMITS
from .layout import is_htmx_fragment_request

EXTENSION = "rate_limits"
TEMPLATE = "errors/429.html"
# htmx targets whose 429 answer replaces the target itself (the results as residents type); any other
# target gets the message put at its top, keeping what the resident was using.
REPLACED_TARGETS = {"search-results": "search_results"}


# --- Whose count a request adds to ------------------------------------------------------------------


def _address() -> str:
    """The client's address (ProxyFix, behind TRUSTED_PROXY_COUNT proxies, makes it the real one)."""
    return f"address:{request.remote_addr or 'unknown'}"


def _digest(text: str) -> str:
    """Usernames and API keys are kept out of the counter store's keys in the clear."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def resident_key() -> str:
    """A registered kiosk is one device for a queue of visitors: counted as itself, not by its address."""
    kiosk = current_kiosk()
    return f"kiosk:{kiosk.id}" if kiosk is not None else _address()


def address_key() -> str:
    return _address()


def _username() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def sign_in_key() -> str:
    """One address trying one username: a shared office address does not lock out its colleagues."""
    return f"{_address()}:user:{_digest(_username())}"


def account_key() -> str:
    """One username, from whichever addresses: guessing one account's password from many machines."""
    return f"user:{_digest(_username())}"


def second_factor_key() -> str:
    """The account waiting for its security code (kept in the session by the password step)."""
    from .auth.views import PENDING

    pending = str(session.get(PENDING) or "")
    user_id = pending.partition(":")[0]  # "<id>:<session token>": the token stays out of the store
    return f"staff:{user_id}" if user_id else _address()


def partner_key() -> str:
    """An Open311 partner by its live API key (POST: in the form; GET: header or query), else the address.
    A made-up key counts against the address: inventing keys gives no fresh counts."""
    from crm_bridge.open311.keys import check_key
    from crm_bridge.open311.views import api_key_sent

    api_key = check_key(api_key_sent())
    return f"partner:{_digest(api_key.name)}" if api_key is not None else _address()


# --- The table --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A limit: its setting in RATE_LIMITS (env RATELIMIT_<NAME>), the "METHOD endpoint"s it covers, whose
    count it is, whether those endpoints share one count, and whether a kiosk has a limit of its own
    (RATE_LIMITS[name + "_kiosk"])."""

    name: str
    endpoints: tuple[str, ...]
    key: Callable[[], str] = resident_key
    shared: bool = False
    kiosk: bool = True


OPEN311_READS = tuple(
    f"GET open311.{view}"
    for view in ("discovery", "services", "service_definition", "list_requests", "show_request", "token")
)
RULES = (
    Rule("search", ("GET search.show_results", "GET api.search_articles"), shared=True),
    Rule("chat", ("POST chat.ask_question",)),
    Rule(
        "feedback",
        ("POST satisfaction.give_rating", "POST articles.give_article_feedback", "POST chat.reply_to_answer"),
    ),
    Rule(
        "eform_step",
        ("POST eforms.start_form", "POST eforms.edit_step", "POST eforms.remove_photo"),
        shared=True,
    ),
    Rule("eform_submit", ("POST eforms.submit_form",)),
    Rule("tracking", ("POST tracking.find_case", "GET tracking.show_case"), shared=True),
    Rule("sign_in", ("POST auth.sign_in",), key=sign_in_key, kiosk=False),
    Rule("sign_in_account", ("POST auth.sign_in",), key=account_key, kiosk=False),
    Rule("sign_in_address", ("POST auth.sign_in",), key=address_key, kiosk=False),
    Rule(
        "second_factor",
        ("POST auth.enter_code", "POST auth.set_up_code"),
        key=second_factor_key,
        shared=True,
        kiosk=False,
    ),
    Rule("open311_write", ("POST open311.create_request",), key=partner_key, kiosk=False),
    Rule("open311_read", OPEN311_READS, key=partner_key, shared=True, kiosk=False),
)


def limit_setting(config, name: str) -> str:
    return (config.get("RATE_LIMITS") or {}).get(name) or DEFAULT_RATE_LIMITS[name]


def _limit_of(rule: Rule) -> Callable[[], str]:
    def limit() -> str:
        on_kiosk = rule.kiosk and current_kiosk() is not None
        return limit_setting(current_app.config, f"{rule.name}_kiosk" if on_kiosk else rule.name)

    return limit


class RateLimits:
    """The extension: `init_app` gives the application its Limiter and wraps the views in RULES."""

    def init_app(self, app: Flask) -> None:
        if not app.config.get("RATELIMIT_ENABLED", True):
            return
        check_settings(app.config)
        # Redis out of reach: counting goes on in this process's memory rather than failing requests.
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", _storage_options(app.config))
        limiter = Limiter(key_func=address_key)
        limiter.init_app(app)
        app.extensions[EXTENSION] = limiter
        for rule in RULES:
            _apply(limiter, app, rule)


def check_settings(config) -> None:
    """A mistyped limit would otherwise be skipped without a word (Flask-Limiter logs and carries on)."""
    for name in DEFAULT_RATE_LIMITS:
        value = limit_setting(config, name)
        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(
                f"RATELIMIT_{name.upper()}={value!r} is not a rate limit like '10/minute;50/hour'"
            ) from error


def _storage_options(config) -> dict:
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("redis"):
        return {"socket_connect_timeout": 1, "socket_timeout": 1}  # a dead Redis must not hang requests
    return {}


def _apply(limiter: Limiter, app: Flask, rule: Rule) -> None:
    for spec in rule.endpoints:
        method, endpoint = spec.split()
        # HEAD runs the GET view (a tracking token's 200 or 404 shows in the status alone): counted too.
        methods = [method, "HEAD"] if method == "GET" else [method]
        options = {"key_func": rule.key, "methods": methods}
        if rule.shared:
            limit = limiter.shared_limit(_limit_of(rule), scope=rule.name, **options)
        else:
            limit = limiter.limit(_limit_of(rule), scope=rule.name, **options)
        app.view_functions[endpoint] = limit(app.view_functions[endpoint])


rate_limits = RateLimits()


# --- The answers ------------------------------------------------------------------------------------


def retry_after_seconds() -> int:
    """Seconds until the limit that was reached lets this client in again (60 if that cannot be told)."""
    limiter = current_app.extensions.get(EXTENSION)
    reached = limiter.current_limit if limiter is not None else None
    if reached is None:
        return 60
    try:
        return max(1, math.ceil(reached.reset_at - time.time()))
    except Exception:  # the counter store went away between the count and this answer
        return 60


def wait_in_words(seconds: int) -> str:
    """Rounded up, never down (but for the second of slack Flask-Limiter adds to a window's reset)."""
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil((seconds - 1) / 60)
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    return ngettext("%(num)d hour", "%(num)d hours", math.ceil((seconds - 1) / 3600))


def too_many_requests(_error=None):
    """The answer to a request over its limit: JSON for the API, a fragment htmx swaps in (htmx swaps 422
    and never a 4xx), else the friendly page, all with Retry-After."""
    seconds = retry_after_seconds()
    wait = wait_in_words(seconds)
    headers = {"Retry-After": str(seconds)}
    if request.path.startswith("/api/"):
        message = _("Too many requests: wait %(wait)s, then try again", wait=wait)
        return jsonify(error=message, retry_after=seconds), 429, headers
    context = {
        "page_title": _("You have made too many requests"),
        "message": _(
            "There is a limit on how often this service can be used. Wait %(wait)s, then try again.",
            wait=wait,
        ),
        "search_message": _(
            "You have searched a lot in a short time. Wait %(wait)s, then search again.", wait=wait
        ),
        "not_saved": request.method == "POST",
    }
    if is_htmx_fragment_request():
        block = REPLACED_TARGETS.get(request.headers.get("HX-Target", ""))
        if block is None:
            headers["HX-Reswap"] = "afterbegin"
        return render_block(TEMPLATE, block or "alert", **context), 422, headers
    return render_template(TEMPLATE, **context), 429, headers
