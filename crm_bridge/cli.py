"""`flask crm ...`: the case store's commands. Each feature adds its commands (or a sub-group) here."""

from __future__ import annotations

import click
from flask.cli import AppGroup

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
