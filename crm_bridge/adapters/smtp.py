"""Acknowledgements and case updates by email through an SMTP server (optionally STARTTLS and login).

SMTP has no idempotency: the Message-ID is derived from the outbox message's idempotency key, so a
message sent twice (a worker that crashed after sending, before recording it) is the same message to
the receiving systems and mail programs, which collapse duplicates by Message-ID."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from ..models import OutboxMessage
from . import case_update
from .acknowledgement import acknowledgement_for, email_text
from .base import AdapterConfigError, DeliveryError


@dataclass(frozen=True)
class SmtpSettings:
    sender: str
    public_base_url: str
    council_name: str = ""
    secret_key: str | None = None  # signs the rating link in a resolution's email
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 15.0

    @classmethod
    def from_config(cls, config: Mapping) -> SmtpSettings:
        if not parseaddr(config.get("MAIL_FROM") or "")[1]:
            raise AdapterConfigError("NOTIFIER=smtp needs MAIL_FROM, the address acknowledgements come from")
        return cls(
            sender=config["MAIL_FROM"],
            public_base_url=config["PUBLIC_BASE_URL"],
            council_name=config.get("COUNCIL_NAME", ""),
            secret_key=config.get("SECRET_KEY") or None,
            host=config.get("SMTP_HOST") or "localhost",
            port=int(config.get("SMTP_PORT") or 25),
            starttls=bool(config.get("SMTP_STARTTLS")),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            timeout=float(config.get("DELIVERY_TIMEOUT") or 15),
        )


def message_id(idempotency_key: str, sender: str) -> str:
    """The same key always gives the same Message-ID, at the sender's domain."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}.outbox@{domain}>"


class SmtpNotifier:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def deliver(self, message: OutboxMessage) -> None:
        if message.kind == "case_update":  # a public update on the case (crm_bridge.adapters.case_update)
            settings = self.settings
            ack = case_update.case_update_for(message, settings.public_base_url, settings.secret_key)
            subject, body = case_update.email_text(ack, self.settings.council_name)
        else:
            ack = acknowledgement_for(message, self.settings.public_base_url)
            subject, body = email_text(ack, self.settings.council_name)
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = ack.email
        email["Subject"] = subject
        email["Message-ID"] = message_id(message.idempotency_key, self.settings.sender)
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(body)
        email["Content-Language"] = ack.lang  # after set_content, which clears Content-* headers
        self.send(email)

    def send(self, email: EmailMessage) -> None:
        settings = self.settings
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {settings.host}:{settings.port}: {error}") from error
