from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import UnicodeConverter


class TextSegment(UnicodeConverter):
    """The converter of every `<name>` in a route: one path segment, as Werkzeug's default, but never with a
    control character in it. No reference, token, slug or code of ours has one, and a NUL would reach
    PostgreSQL, which refuses it in text (a 500 instead of a 404)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (Werkzeug's name)
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]", 1)


def safe_next_url(target: str | None, default: str) -> str:
    """Only a path on this site: never another host, so a link cannot bounce residents elsewhere."""
    if not target or any(ch == "\\" or not ch.isprintable() for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
