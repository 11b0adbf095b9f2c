"""The hand-off and delivery as configuration sets them up: used by every channel after `hand_off`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from .adapters import AdapterConfigError, adapters_from_config
from .handoff import DEFAULT_REFERENCE_PREFIX, HandOffSettings
from .outbox import LEASE, deliver_for_case

# A delivery may wait DELIVERY_TIMEOUT on several socket operations (connect, send, a second request):
# a lease shorter than this could let a second worker take a message still in the first one's hands.
LEASE_TIMEOUTS = 4

# Only what the resident waits for is tried inside their request. A CRM push waits for the worker: an
# external CRM that hangs would otherwise hold a web thread for DELIVERY_TIMEOUT on every submission.
IN_REQUEST_KINDS = frozenset({"acknowledgement", "case_update"})

log = logging.getLogger(__name__)


def handoff_settings(config: Mapping) -> HandOffSettings:
    return HandOffSettings(
        reference_prefix=config.get("CASE_REFERENCE_PREFIX") or DEFAULT_REFERENCE_PREFIX,
        push_to_crm=(config.get("CRM_ADAPTER") or "none") != "none",
    )


def outbox_lease(config: Mapping) -> timedelta:
    """OUTBOX_LEASE_SECONDS (default 600): how long a claimed message is kept from other workers, so how
    long a message a crashed worker had in hand waits before it is tried again."""
    seconds = float(config.get("OUTBOX_LEASE_SECONDS") or LEASE.total_seconds())
    timeout = float(config.get("DELIVERY_TIMEOUT") or 15)
    if seconds < LEASE_TIMEOUTS * timeout:
        raise AdapterConfigError(
            f"OUTBOX_LEASE_SECONDS must be at least {LEASE_TIMEOUTS} x DELIVERY_TIMEOUT "
            f"({LEASE_TIMEOUTS * timeout:g} seconds), not {seconds:g}"
        )
    return timedelta(seconds=seconds)


def deliver_now(case_id: int, config: Mapping) -> None:
    """Right after a hand-off commits, try its messages for the resident at once (the acknowledgement
    reaches them in seconds); the rest, and anything that fails, stays queued for the worker and never
    fails the request."""
    try:
        adapters, lease = adapters_from_config(config), outbox_lease(config)
    except Exception:
        log.exception("the delivery adapters are misconfigured; case %s waits for the worker", case_id)
        return
    deliver_for_case(case_id, adapters, lease=lease, kinds=IN_REQUEST_KINDS)
