"""Outbox adapters, chosen by configuration so the domain code never knows which one runs.

NOTIFIER (smtp | notify | none) delivers `acknowledgement` and `case_update` messages (Notify: case updates
only with NOTIFY_UPDATE_TEMPLATE_ID); CRM_ADAPTER (open311 | none) delivers `crm_push` messages. A kind
with no adapter stays queued (see crm_bridge.outbox)."""

from __future__ import annotations

from collections.abc import Mapping

from .base import Adapter, AdapterConfigError, DeliveryError
from .notify import NotifyNotifier, NotifySettings
from .open311_client import Open311Push, Open311Settings
from .smtp import SmtpNotifier, SmtpSettings

NOTIFIERS = ("smtp", "notify", "none")
CRM_ADAPTERS = ("open311", "none")

__all__ = [
    "CRM_ADAPTERS",
    "NOTIFIERS",
    "Adapter",
    "AdapterConfigError",
    "DeliveryError",
    "adapters_from_config",
]


def adapters_from_config(config: Mapping) -> dict[str, Adapter]:
    """The adapter for each outbox message kind, from the application's configuration (app.config)."""
    notifier = (config.get("NOTIFIER") or "none").lower()
    crm = (config.get("CRM_ADAPTER") or "none").lower()
    if notifier not in NOTIFIERS:
        raise AdapterConfigError(f"NOTIFIER must be one of {', '.join(NOTIFIERS)}, not {notifier!r}")
    if crm not in CRM_ADAPTERS:
        raise AdapterConfigError(f"CRM_ADAPTER must be one of {', '.join(CRM_ADAPTERS)}, not {crm!r}")
    adapters: dict[str, Adapter] = {}
    if notifier == "smtp":
        adapters["acknowledgement"] = adapters["case_update"] = SmtpNotifier(SmtpSettings.from_config(config))
    elif notifier == "notify":
        notify = NotifyNotifier(NotifySettings.from_config(config))
        adapters["acknowledgement"] = notify
        if notify.settings.update_template_id:  # else case updates wait, saying no adapter handles them
            adapters["case_update"] = notify
    if crm == "open311":
        adapters["crm_push"] = Open311Push(Open311Settings.from_config(config))
    return adapters
