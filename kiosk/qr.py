"""QR codes for the kiosk: an address the visitor opens on their own phone, never on the kiosk itself."""

from __future__ import annotations

import segno
from markupsafe import Markup

SCALE = 5  # a module 5 px wide: readable from a phone at arm's length on screen and on a receipt


def qr_svg(url: str, title: str) -> Markup:
    """An inline SVG QR code of `url`, named `title` for screen readers (segno escapes the title)."""
    svg = segno.make(url, error="m", micro=False).svg_inline(
        scale=SCALE, title=title, svgclass="app-qr-code", lineclass=None
    )
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # noqa: S704 - segno's own output  # nosec B704
