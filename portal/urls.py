from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_url(target: str | None, default: str) -> str:
    """Only a path on this site: never another host, so a link cannot bounce residents elsewhere."""
    if not target or any(ch == "\\" or not ch.isprintable() for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
