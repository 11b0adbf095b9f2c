"""`flask users ...`: staff accounts from the command line (the first admin is made here).

Passwords are never arguments (they would stay in the shell history and the process list): they are
prompted for twice, or read from standard input with --password-stdin. Changes are audited with
via="cli"."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from crm_bridge.staff import accounts
from crm_bridge.staff.models import StaffUser
from crm_bridge.staff.roles import Role
from portal.db import db
from portal.domain import SERVICE_GROUPS

users_cli = AppGroup("users", help="Staff accounts.")

ROLE_CHOICE = click.Choice([role.value for role in Role])
GROUP_CHOICE = click.Choice(list(SERVICE_GROUPS))


def _user(email: str) -> StaffUser:
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"No account has the email address {email}")
    return user


def _run(change, *args) -> None:
    try:
        change(*args)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=ROLE_CHOICE)
@click.option(
    "--service-group", "service_groups", multiple=True, type=GROUP_CHOICE, help="Repeat for each group."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def create_user(email: str, name: str, role: str, service_groups: tuple[str, ...], password_stdin: bool):
    """Create a staff account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _run(accounts.add_user, None, email, name, role, password, list(service_groups))
    user = accounts.find_user(email)
    click.echo(f"Created {user.email} ({user.role})")
    if user.role == Role.ADMIN:
        click.echo("They must set up a security code (an authenticator app) when they first sign in.")


@users_cli.command("list")
def list_users():
    """Every account: email, role, groups, and whether it is active, locked, or has a security code."""
    for user in accounts.list_users():
        flags = [
            "active" if user.active else "deactivated",
            *(["locked"] if accounts.is_locked(user) else []),
            "code on" if user.totp_secret else "code off",
        ]
        groups = ",".join(user.service_groups or []) or "-"
        click.echo(f"{user.email}\t{user.name}\t{user.role}\t{groups}\t{' '.join(flags)}")


@users_cli.command("set-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=ROLE_CHOICE)
@click.option("--service-group", "service_groups", multiple=True, type=GROUP_CHOICE)
def set_role(email: str, role: str, service_groups: tuple[str, ...]):
    """Change an account's role (and a service officer's groups)."""
    user = _user(email)
    _run(accounts.change_user, None, user, role, list(service_groups), user.active)
    click.echo(f"{user.email} is now {user.role}")


@users_cli.command("deactivate")
@click.option("--email", required=True)
def deactivate(email: str):
    """Stop an account signing in; its sessions end."""
    user = _user(email)
    _run(accounts.deactivate_user, None, user)
    click.echo(f"Deactivated {user.email}")


@users_cli.command("reset-second-factor")
@click.option("--email", required=True)
def reset_second_factor(email: str):
    """Forget the account's authenticator app: it sets up a new one at its next sign-in."""
    user = _user(email)
    _run(accounts.reset_second_factor, None, user)
    click.echo(f"Security code reset for {user.email}")


@users_cli.command("unlock")
@click.option("--email", required=True)
def unlock(email: str):
    """Unlock an account locked after too many failed sign-ins."""
    user = _user(email)
    _run(accounts.unlock_user, None, user)
    click.echo(f"Unlocked {user.email}")
