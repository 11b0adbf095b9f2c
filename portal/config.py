"""Configuration from the environment, with safe defaults for one office on the embedded database."""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'portal.db'}"
    # psycopg 3 is the driver we ship; plain postgres:// URLs (as hosting platforms give) mean it too.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, or one generated once and kept in instance/ (never committed)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        # Written whole under another name, then linked into place: processes starting together (gunicorn
        # workers) all end up with the one key, never a half-written file.
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_hex(32))
        try:
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink()
    return path.read_text().strip()


def mapping(text: str | None) -> dict[str, str]:
    """'missed-bin=MB01, graffiti=GR' -> {"missed-bin": "MB01", "graffiti": "GR"} (empty: {})."""
    pairs = (item.partition("=") for item in (text or "").split(",") if "=" in item)
    return {key.strip(): value.strip() for key, _, value in pairs if key.strip()}


def delivery_settings() -> dict:
    """The outbox's adapters (docs/outbox.md): none by default, so development sends nothing anywhere."""
    env = os.environ.get
    return {
        "NOTIFIER": env("NOTIFIER", "none").lower(),  # smtp | notify | none
        "CRM_ADAPTER": env("CRM_ADAPTER", "none").lower(),  # open311 | none
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "DELIVERY_TIMEOUT": float(env("DELIVERY_TIMEOUT") or 15),
        # A crashed worker's message is tried again after this; at least 4 x DELIVERY_TIMEOUT.
        "OUTBOX_LEASE_SECONDS": float(env("OUTBOX_LEASE_SECONDS") or 600),
        "MAIL_FROM": env("MAIL_FROM", "Northdale District Council <no-reply@northdale.example>"),
        "SMTP_HOST": env("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(env("SMTP_PORT") or 25),
        "SMTP_STARTTLS": env("SMTP_STARTTLS", "false").lower() == "true",
        "SMTP_USERNAME": env("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env("SMTP_PASSWORD") or None,
        "NOTIFY_API_KEY": env("NOTIFY_API_KEY") or None,
        "NOTIFY_TEMPLATE_ID": env("NOTIFY_TEMPLATE_ID") or None,
        "NOTIFY_TEMPLATE_IDS": mapping(env("NOTIFY_TEMPLATE_IDS")),  # per language: "cy=<template id>"
        # Case updates through Notify need a template of their own ("((update))" in it; docs/outbox.md).
        "NOTIFY_UPDATE_TEMPLATE_ID": env("NOTIFY_UPDATE_TEMPLATE_ID") or None,
        "NOTIFY_UPDATE_TEMPLATE_IDS": mapping(env("NOTIFY_UPDATE_TEMPLATE_IDS")),
        "NOTIFY_BASE_URL": env("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        "OPEN311_ENDPOINT": env("OPEN311_ENDPOINT") or None,
        "OPEN311_API_KEY": env("OPEN311_API_KEY") or None,
        "OPEN311_JURISDICTION_ID": env("OPEN311_JURISDICTION_ID") or None,
        "OPEN311_SERVICE_CODES": mapping(env("OPEN311_SERVICE_CODES")),  # "missed-bin=MB01,..."
    }


def from_environment(instance_path: str) -> dict:
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # Errors never carry a statement's values into the logs: they can be residents' details or tokens.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SQLITE_CACHE_MB": int(os.environ.get("SQLITE_CACHE_MB") or 64),
        "SQLITE_BUSY_TIMEOUT_SECONDS": float(os.environ.get("SQLITE_BUSY_TIMEOUT_SECONDS") or 15),
        "COUNCIL_NAME": os.environ.get("COUNCIL_NAME", "Northdale District Council"),
        "CASE_REFERENCE_PREFIX": os.environ.get("CASE_REFERENCE_PREFIX", "NDC"),
        # Residents' photos: outside the static files, served only through permission-checked views.
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(Path(instance_path) / "uploads"),
        "COUNCIL_PHONE": os.environ.get("COUNCIL_PHONE", "01632 960 000"),
        "COUNCIL_EMAIL": os.environ.get("COUNCIL_EMAIL", "customer.services@northdale.example"),
        "COUNCIL_ADDRESS": os.environ.get(
            "COUNCIL_ADDRESS", "Civic Centre, Market Street, Northdale ND1 1AA"
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies(),
        # Proxies in front whose X-Forwarded-* headers are believed (docs/security.md); nginx in front: 1.
        "TRUSTED_PROXY_COUNT": int(os.environ.get("TRUSTED_PROXY_COUNT") or 0),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "SEARCH_CONFIDENCE_THRESHOLD": float(os.environ["SEARCH_CONFIDENCE_THRESHOLD"])
        if os.environ.get("SEARCH_CONFIDENCE_THRESHOLD")
        else None,
        # A 10MB photo (crm_bridge.photos.MAX_BYTES) and the rest of its form; more is refused unread.
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        # Logs (docs/deployment.md): json, or text (the default only in Flask's debug mode).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT") or None,
        "LOG_LEVEL": os.environ.get("LOG_LEVEL") or "INFO",
        "REDIS_URL": os.environ.get("REDIS_URL") or None,  # /readyz checks it when set
        **staff_settings(),
        **delivery_settings(),
        **kiosk_settings(),
        **rate_limit_settings(),
        "REPORT_TARGETS": report_targets(),
    }


def secure_cookies() -> bool:
    """Cookies only over https: SESSION_COOKIE_SECURE if set, else whether PUBLIC_BASE_URL is https."""
    setting = os.environ.get("SESSION_COOKIE_SECURE")
    if setting:
        return setting.lower() == "true"
    return os.environ.get("PUBLIC_BASE_URL", "").lower().startswith("https://")


def staff_settings() -> dict:
    """Staff sign-in and data protection (docs/workbench.md)."""
    env = os.environ.get
    return {
        "STAFF_MAX_FAILED_SIGN_INS": int(env("STAFF_MAX_FAILED_SIGN_INS") or 5),
        "STAFF_LOCKOUT_MINUTES": int(env("STAFF_LOCKOUT_MINUTES") or 15),
        # Residents' sessions end with the browser; a staff session lasts a working day at most.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env("STAFF_SESSION_HOURS") or 10)),
        # Closed cases older than this are anonymised by `flask crm apply-retention` (6 years by default).
        "CASE_RETENTION_DAYS": int(env("CASE_RETENTION_DAYS") or 6 * 365),
        "DUPLICATE_WINDOW_DAYS": int(env("DUPLICATE_WINDOW_DAYS") or 14),
        "DUPLICATE_DISTANCE_METRES": int(env("DUPLICATE_DISTANCE_METRES") or 100),
    }


def kiosk_settings() -> dict:
    """The reception kiosk's privacy timers (docs/kiosk-privacy.md)."""
    env = os.environ.get
    return {
        # No touch for this long: "Do you need more time?"; no answer within the prompt's time: the visit
        # is wiped and the start screen returns.
        "KIOSK_IDLE_SECONDS": int(env("KIOSK_IDLE_SECONDS") or 60),
        "KIOSK_PROMPT_SECONDS": int(env("KIOSK_PROMPT_SECONDS") or 30),
    }


# Rate limits (docs/rate-limits.md): "<count>/<period>", several joined by ";". Each can be set as
# RATELIMIT_<NAME>, e.g. RATELIMIT_TRACKING="5/minute;30/hour". A reception kiosk is one device that serves
# a queue of visitors, so the residents' limits have kiosk versions ("..._kiosk") that are higher. Mobile
# networks put many phones behind one address (carrier-grade NAT), so a resident's limit is set for a crowd.
DEFAULT_RATE_LIMITS = {
    "search": "300/minute;6000/hour",  # the results page, search as you type and GET /api/search together
    "search_kiosk": "240/minute;10000/hour",
    "chat": "20/minute;200/hour",  # questions to the assistant
    "chat_kiosk": "40/minute;1000/hour",
    "feedback": "20/minute;200/hour",  # ratings, "was this helpful?", replies to the assistant
    "feedback_kiosk": "60/minute;2000/hour",
    "eform_step": "30/minute;300/hour",  # starting a form and saving its pages (photos too)
    "eform_step_kiosk": "60/minute;1500/hour",
    "eform_submit": "10/minute;100/hour",  # sending a form (complaints are forms too)
    "eform_submit_kiosk": "10/minute;60/hour",
    "tracking": "30/minute;300/hour",  # POST /track and GET /track/<token> together
    "tracking_kiosk": "20/minute;200/hour",
    "sign_in": "5/minute;20/hour",  # staff sign-in: one address trying one username
    "sign_in_account": "20/hour",  # one username, from any number of addresses
    "sign_in_address": "30/minute;300/hour",  # one address, any usernames (an office shares one)
    "second_factor": "5/minute;20/hour",  # the security code step, per account
    "open311_write": "60/minute;1000/hour",  # POST requests, per API key (else per address)
    "open311_read": "120/minute;3000/hour",  # the GETs, per API key (else per address)
}
# Open311 request types about public places whose requests anyone may look up (docs/open311.md).
DEFAULT_OPEN311_PUBLIC_SERVICE_CODES = "graffiti,fly-tipping,street-cleaning,dog-fouling,public-toilets"


def rate_limit_settings() -> dict:
    """Flask-Limiter's settings (RATELIMIT_*) and our limits. More than one process (gunicorn workers,
    several servers) must share one count: set REDIS_URL; memory:// counts in each process alone."""
    env = os.environ.get
    public = env("OPEN311_PUBLIC_SERVICE_CODES", DEFAULT_OPEN311_PUBLIC_SERVICE_CODES)
    switch = env("RATELIMIT_ENABLED", "true").strip().lower()
    return {
        "RATELIMIT_ENABLED": switch not in ("false", "0", "no", "off"),  # a typo never turns them off
        "RATELIMIT_STORAGE_URI": env("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX", "portal"),
        "RATELIMIT_STRATEGY": env("RATELIMIT_STRATEGY", "fixed-window"),
        "RATE_LIMITS": {
            name: env(f"RATELIMIT_{name.upper()}") or default for name, default in DEFAULT_RATE_LIMITS.items()
        },
        "OPEN311_PUBLIC_SERVICE_CODES": frozenset(code.strip() for code in public.split(",") if code.strip()),
    }


# The published standards' targets in per cent; each can be set, e.g. TARGET_SELF_SERVICE_SHARE=12.5.
DEFAULT_TARGETS = {
    "self_service_share": 9.88,  # one council's 4.88% plus 5 points (DOMAIN.md)
    "first_contact_resolution": 80.0,
    "acknowledged_on_time": 95.0,  # e-forms and emails in 1 working day, letters in 5
    "responded_on_time": 90.0,  # full response in 10 working days
    "complaints_responded_on_time": 90.0,  # in 15 working days
    "visitors_seen_on_time": 95.0,  # within 10 minutes
    "satisfied": 80.0,  # rated good or very good
}


def report_targets() -> dict[str, float]:
    """The managers' dashboard targets (docs/metrics.md), from TARGET_<NAME> percentages."""
    env = os.environ.get
    return {
        name: float(env(f"TARGET_{name.upper()}") or default) / 100
        for name, default in DEFAULT_TARGETS.items()
    }
