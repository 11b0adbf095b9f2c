"""Template glue for the kiosk's content: links that would leave the kiosk as QR codes, the receipt's QR.

Registered on the whole application from the kiosk blueprint (resident templates use them when
`base_layout` is the kiosk's layout)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import _
from markupsafe import Markup

from crm_bridge.adapters.acknowledgement import tracking_url

from .links import kiosk_links
from .qr import qr_svg
from .views import kiosk


def _public_base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


@kiosk.app_template_filter("kiosk_links")
def kiosk_links_filter(html) -> Markup:
    """Article HTML with links off the kiosk as QR codes (see kiosk/links.py)."""
    public = _public_base_url()
    own_hosts = {request.host, urlsplit(public).netloc}
    return kiosk_links(html, own_hosts, public + request.path, _("Scan to open on your phone"))


@kiosk.app_template_global("kiosk_qr")
def kiosk_qr(url: str, title: str) -> Markup:
    return qr_svg(url, title)


@kiosk.app_template_global("public_tracking_url")
def public_tracking_url(token: str) -> str:
    """The tracking page's public address: what a phone scanning the receipt opens (PUBLIC_BASE_URL)."""
    return tracking_url(_public_base_url(), token)
