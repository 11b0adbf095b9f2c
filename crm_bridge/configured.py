"""The hand-off and delivery as configuration sets them up: used by every channel after `hand_off`."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from .adapters import adapters_from_config
from .handoff import DEFAULT_REFERENCE_PREFIX, HandOffSettings
from .outbox import deliver_for_case

log = logging.getLogger(__name__)


def handoff_settings(config: Mapping) -> HandOffSettings:
    return HandOffSettings(
        reference_prefix=config.get("CASE_REFERENCE_PREFIX") or DEFAULT_REFERENCE_PREFIX,
        push_to_crm=(config.get("CRM_ADAPTER") or "none") != "none",
    )


def deliver_now(case_id: int, config: Mapping) -> None:
    """Right after a hand-off commits, try its outbox messages at once (the acknowledgement reaches the
    resident in seconds); anything that fails stays queued for the worker and never fails the request."""
    try:
        adapters = adapters_from_config(config)
    except Exception:
        log.exception("the delivery adapters are misconfigured; case %s waits for the worker", case_id)
        return
    deliver_for_case(case_id, adapters)
