"""Acknowledgements and case updates through GOV.UK Notify (the maintained notifications-python-client).

The email's wording lives in a Notify template (one per language where the council has them, else the
default); we send its personalisation: ((reference)), ((request_type)), ((acknowledge_due)),
((due_date)) and ((tracking_link)), dates written in the resident's language. The outbox message's
idempotency key is sent as Notify's `reference`, so a send can be traced and matched to its message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from ..models import OutboxMessage
from . import case_update
from .acknowledgement import Acknowledgement, acknowledgement_for, localised_dates
from .base import AdapterConfigError, DeliveryError

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
API_KEY_LENGTH = 74  # name-<service id: 36>-<secret: 36>


@dataclass(frozen=True)
class NotifySettings:
    api_key: str
    template_id: str
    public_base_url: str
    template_ids: Mapping[str, str] = field(default_factory=dict)  # per language, e.g. {"cy": "..."}
    # Case updates: a template with ((reference)), ((update)) and ((tracking_link)), and for a resolution
    # ((rating_link)) shown with ((show_rating??...)); none: not sent by Notify.
    update_template_id: str | None = None
    update_template_ids: Mapping[str, str] = field(default_factory=dict)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 15.0
    secret_key: str | None = None  # signs the rating link in a resolution's update

    @classmethod
    def from_config(cls, config: Mapping) -> NotifySettings:
        api_key = config.get("NOTIFY_API_KEY") or ""
        if len(api_key) < API_KEY_LENGTH:
            raise AdapterConfigError("NOTIFIER=notify needs NOTIFY_API_KEY (a GOV.UK Notify API key)")
        if not config.get("NOTIFY_TEMPLATE_ID"):
            raise AdapterConfigError("NOTIFIER=notify needs NOTIFY_TEMPLATE_ID, the acknowledgement template")
        return cls(
            api_key=api_key,
            template_id=config["NOTIFY_TEMPLATE_ID"],
            public_base_url=config["PUBLIC_BASE_URL"],
            template_ids=dict(config.get("NOTIFY_TEMPLATE_IDS") or {}),
            update_template_id=config.get("NOTIFY_UPDATE_TEMPLATE_ID") or None,
            update_template_ids=dict(config.get("NOTIFY_UPDATE_TEMPLATE_IDS") or {}),
            base_url=config.get("NOTIFY_BASE_URL") or DEFAULT_BASE_URL,
            timeout=float(config.get("DELIVERY_TIMEOUT") or 15),
            secret_key=config.get("SECRET_KEY") or None,
        )


def personalisation(ack: Acknowledgement) -> dict[str, str]:
    dates = localised_dates(ack)
    return {
        "reference": ack.reference,
        "request_type": dates["request_type"],
        "acknowledge_due": dates["acknowledge_due"],
        "due_date": dates["respond_due"],
        "tracking_link": ack.tracking_url,
    }


class NotifyNotifier:
    def __init__(self, settings: NotifySettings):
        self.settings = settings

    def deliver(self, message: OutboxMessage) -> None:
        settings = self.settings
        if message.kind == "case_update":  # a public update on the case (crm_bridge.adapters.case_update)
            update = case_update.case_update_for(message, settings.public_base_url, settings.secret_key)
            if not settings.update_template_id:
                raise DeliveryError("GOV.UK Notify: NOTIFY_UPDATE_TEMPLATE_ID is not set")
            email_address, values = update.email, case_update.personalisation(update)
            template_id = settings.update_template_ids.get(update.lang, settings.update_template_id)
        else:
            ack = acknowledgement_for(message, settings.public_base_url)
            email_address, values = ack.email, personalisation(ack)
            template_id = settings.template_ids.get(ack.lang, settings.template_id)
        # A client per delivery: the library's client is not thread-safe.
        client = NotificationsAPIClient(
            settings.api_key, base_url=settings.base_url, timeout=settings.timeout
        )
        try:
            client.send_email_notification(
                email_address=email_address,
                template_id=template_id,
                personalisation=values,
                reference=message.idempotency_key,
            )
        except APIError as error:
            cause = f" ({error.__cause__})" if error.response is None and error.__cause__ else ""
            raise DeliveryError(f"GOV.UK Notify {error.status_code}: {error.message}{cause}") from error
