"""`flask crm ...`: the case store's commands. Each feature adds its commands (or a sub-group) here."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from . import outbox
from .adapters import AdapterConfigError, DeliveryError, adapters_from_config
from .adapters.open311_client import Open311Settings, pull_updates
from .configured import outbox_lease
from .open311 import keys

crm_cli = AppGroup("crm", help="The case store: partner API keys and more.")


@crm_cli.group("api-keys")
def api_keys() -> None:
    """Open311 API keys for partner apps (FixMyStreet and the like)."""


@api_keys.command("create")
@click.argument("name")
def create_api_key(name: str) -> None:
    """Make a key named NAME; it is shown once and only its hash is kept."""
    try:
        key = keys.create_key(name)
    except keys.ApiKeyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"API key for {name} (shown once: give it to the partner now, it cannot be shown again):")
    click.echo(key)


@api_keys.command("list")
def list_api_keys() -> None:
    """Every key's name, when it was made and whether it is revoked (never the key itself)."""
    found = keys.list_keys()
    if not found:
        click.echo("No API keys.")
    for api_key in found:
        state = f"revoked {api_key.revoked_at:%Y-%m-%d %H:%M}" if api_key.revoked_at else "active"
        click.echo(f"{api_key.name}\tcreated {api_key.created_at:%Y-%m-%d %H:%M}\t{state}")


@api_keys.command("revoke")
@click.argument("name")
def revoke_api_key(name: str) -> None:
    """Stop the key named NAME from working, at once."""
    try:
        keys.revoke_key(name)
    except keys.ApiKeyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"API key {name} revoked.")


worker_log = logging.getLogger("crm_bridge.worker")  # JSON lines on standard output (portal.request_logging)


@crm_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped: run this as the worker process.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="Messages a round.")
def deliver(loop: bool, interval: float, limit: int) -> None:
    """Deliver due outbox messages (acknowledgements, pushes to the CRM) through the configured adapters."""
    try:
        adapters, lease = adapters_from_config(current_app.config), outbox_lease(current_app.config)
    except AdapterConfigError as error:
        raise click.ClickException(str(error)) from error
    if not loop:
        click.echo(str(outbox.deliver_due(adapters, limit=limit, lease=lease)))
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # finish the message in hand, then stop
        signal.signal(signum, lambda *_: stop.set())
    names = ", ".join(adapters) or "no adapters"
    worker_log.info("outbox worker started (%s); Ctrl+C stops it", names, extra={"adapters": list(adapters)})
    outbox.run_worker(adapters, interval, limit, stop, on_round=_log_round, lease=lease)
    worker_log.info("outbox worker stopped")


def _log_round(report: outbox.DeliveryReport) -> None:
    if report.delivered or report.failed:
        counts = {"delivered": len(report.delivered), "failed": len(report.failed)}
        worker_log.info("outbox round: %s", report, extra={**counts, "unroutable": report.unroutable})


@crm_cli.command("pull-updates")
@click.option("--since", type=click.DateTime(), help="UTC; by default just before the last update taken.")
def pull_updates_command(since: datetime | None) -> None:
    """Add the external CRM's updates on our cases (Open311 servicerequestupdates.json) as public events."""
    if current_app.config.get("CRM_ADAPTER") != "open311":
        raise click.ClickException("CRM_ADAPTER is not open311: there is no CRM to pull updates from")
    try:
        added = pull_updates(Open311Settings.from_config(current_app.config), since=since)
    except (AdapterConfigError, DeliveryError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{added} update{'s' if added != 1 else ''} added")


@crm_cli.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised or deleted; change nothing.")
def apply_retention_command(dry_run: bool) -> None:
    """Anonymise closed cases older than CASE_RETENTION_DAYS (and customers left with nothing else);
    delete abandoned form drafts and chat sessions (see docs/data-protection.md)."""
    from .data_protection import apply_retention

    report = apply_retention(current_app.config["CASE_RETENTION_DAYS"], dry_run=dry_run)
    click.echo(f"{'Would do (dry run)' if dry_run else 'Done'}: {report}")
    # Other packages' personal data with its own period (kiosk check-ins), registered by the app factory.
    for name, hook in current_app.extensions.get("retention_hooks", {}).items():
        click.echo(f"{name}: {hook(dry_run=dry_run)}")


@crm_cli.command("demo-data")
@click.option("--contacts", type=click.IntRange(min=1), required=True, help="How many contacts to make.")
@click.option("--months", type=click.IntRange(min=1, max=60), default=12, show_default=True)
@click.option(
    "--end", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day of the period (default today)."
)
@click.option("--seed", type=int, default=2026, show_default=True, help="The same seed makes the same data.")
@click.option(
    "--force", is_flag=True, help="Add demo data even though the database holds real contacts or cases."
)
def demo_data_command(contacts: int, months: int, end: datetime | None, seed: int, force: bool) -> None:
    """Replace earlier demo data with CONTACTS contacts over MONTHS months and what followed them: cases,
    events, ratings, check-ins and searches (docs/demo-data.md). Refuses a database with real data."""
    import time

    from portal.db import db

    from .demo_data import DemoOptions, RealDataError, generate
    from .workbench.sla import uk_date

    options = DemoOptions(contacts=contacts, months=months, end=end.date() if end else None, seed=seed)
    started = time.perf_counter()
    try:
        with db.engine.begin() as connection:
            summary = generate(connection, options, today=uk_date(datetime.now(UTC)), force=force)
    except RealDataError as error:
        raise click.ClickException(f"Refused: {error}") from error
    click.echo(f"{summary} ({time.perf_counter() - started:.1f} s)")


@crm_cli.command("rebuild-report-tallies")
def rebuild_report_tallies_command() -> None:
    """Recount the dashboard's daily contact tallies from the contacts, exactly (docs/reports.md): the
    repair if they were ever out of step, e.g. after contacts were loaded or deleted by hand."""
    from portal.db import db

    from .reports.tallies import rebuild_contact_tallies

    with db.engine.begin() as connection:
        counted = rebuild_contact_tallies(connection)
    click.echo(f"Contact tallies rebuilt: {counted:,} contacts counted.")
