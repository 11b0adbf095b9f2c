"""Security headers on every response, and which reverse proxy to believe (docs/security.md).

A small module of our own rather than a dependency: flask-talisman, the usual choice, has had no release
since 2023, and what we need is a dozen headers and werkzeug's ProxyFix."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Everything from our own origin and nothing inline: no inline script or style, no eval, no plugins, never
# framed. htmx is configured to match (layout.html's htmx-config): no eval, no script tags from swapped
# content, no injected indicator styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

# No page uses the camera, the microphone or the browser's location (the e-forms ask for an address and
# postcode; a photo comes through a file field, which needs no camera permission).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"

# Resident pages holding what a resident typed or their case: never kept by a browser or a shared cache.
# Staff pages and the kiosk already say no-store (portal.auth.access, kiosk.views).
PRIVATE_BLUEPRINTS = frozenset({"eforms", "tracking", "chat"})


def init_app(app: Flask) -> None:
    trust_proxies(app, int(app.config.get("TRUSTED_PROXY_COUNT") or 0))
    app.after_request(add_security_headers)


def trust_proxies(app: Flask, count: int) -> None:
    """Believe X-Forwarded-For/-Proto/-Host/-Port from `count` proxies in front of us (nginx: 1), and only
    then: without a trusted proxy anyone could claim https or another client address."""
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # Only over https: a browser ignores HSTS on http, and a plain-http development server must stay usable.
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.blueprint in PRIVATE_BLUEPRINTS:
        response.headers["Cache-Control"] = "no-store"  # replaces send_file's "no-cache" on draft photos
    return response
