"""`flask users ...`: staff accounts from the command line."""

import click
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Staff accounts.")

__all__ = ["click", "users_cli"]
