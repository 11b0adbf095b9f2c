"""The one interface every outbox adapter meets: `deliver(message)` returns on success and raises
`DeliveryError` (with a short reason) on failure. The worker never knows which adapter runs."""

from __future__ import annotations

from typing import Protocol

from ..models import OutboxMessage


class DeliveryError(Exception):
    """The receiver could not take the message now; the worker records the reason and retries later."""


class AdapterConfigError(ValueError):
    """The configuration names an adapter it does not give the settings for."""


class Adapter(Protocol):
    def deliver(self, message: OutboxMessage) -> None: ...
