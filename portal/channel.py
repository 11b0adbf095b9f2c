"""Which self-service channel a resident's request comes through: a registered kiosk, else the web."""

from __future__ import annotations

from kiosk.device import current_kiosk


def current_channel(default: str = "web") -> str:
    return "kiosk" if current_kiosk() is not None else default


def current_kiosk_id() -> int | None:
    kiosk = current_kiosk()
    return kiosk.id if kiosk is not None else None
