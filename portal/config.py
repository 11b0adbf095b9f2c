"""Configuration from the environment, with safe defaults for one office on the embedded database."""

from __future__ import annotations

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
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SQLITE_CACHE_MB": int(os.environ.get("SQLITE_CACHE_MB") or 64),
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
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "false").lower() == "true",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "SEARCH_CONFIDENCE_THRESHOLD": float(os.environ["SEARCH_CONFIDENCE_THRESHOLD"])
        if os.environ.get("SEARCH_CONFIDENCE_THRESHOLD")
        else None,
        # A 10MB photo (crm_bridge.photos.MAX_BYTES) and the rest of its form; more is refused unread.
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        **staff_settings(),
        **delivery_settings(),
        **kiosk_settings(),
        "REPORT_TARGETS": report_targets(),
    }


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
