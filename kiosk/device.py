"""Is this request from a registered kiosk? The device token lives in a cookie of its own, apart from
the visitor's session, so wiping a visitor's session never unregisters the device."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request

from .models import Kiosk
from .registry import kiosk_for_token

DEVICE_COOKIE = "kiosk_device"
DEVICE_COOKIE_LIFETIME = timedelta(days=400)  # browsers cap cookie lifetimes at about 400 days
CACHE_KEY = "kiosk.device"


def current_kiosk() -> Kiosk | None:
    """The registered kiosk making this request, or None (looked up once per request: kept on the request,
    not on `g`, which outlives a request when an application context is already pushed, as in tests)."""
    if CACHE_KEY not in request.environ:
        request.environ[CACHE_KEY] = kiosk_for_token(request.cookies.get(DEVICE_COOKIE))
    return request.environ[CACHE_KEY]


def remember_device(response, token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=int(DEVICE_COOKIE_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Strict",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
