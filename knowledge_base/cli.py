"""`flask kb ...`: load the reviewed content files, and exchange articles with spreadsheets."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from .operations import export_records, import_records
from .records import InvalidContent, read_content_dir, read_csv, write_csv

CONTENT_DIR = Path(__file__).resolve().parent / "content"

kb_cli = AppGroup("kb", help="Knowledge-base content: import and export.")


def _import(read, source: str, quiet: bool) -> None:
    try:
        result = import_records(read())
    except InvalidContent as error:
        lines = "\n".join(f"  {problem}" for problem in error.problems)
        raise click.ClickException(f"Nothing was imported from {source}:\n{lines}") from error
    if not quiet:
        click.echo(f"{source}: {result}")


@kb_cli.command("import-content")
@click.option("--path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=CONTENT_DIR)
@click.option("--quiet", is_flag=True, help="Say nothing on success.")
def import_content(path: Path, quiet: bool) -> None:
    """Load knowledge_base/content/<lang>/<slug>.md into the database (idempotent)."""
    _import(lambda: read_content_dir(path), str(path), quiet)


@kb_cli.command("import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="Say nothing on success.")
def import_csv(file: Path, quiet: bool) -> None:
    """Create or update articles from a CSV file; a bad row stops the whole import."""

    def read():
        with file.open(newline="", encoding="utf-8-sig") as stream:
            return read_csv(stream)

    _import(read, str(file), quiet)


@kb_cli.command("export-csv")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_csv(file: Path) -> None:
    """Write every article in every language to a CSV file for spreadsheets."""
    with file.open("w", newline="", encoding="utf-8") as stream:
        count = write_csv(export_records(), stream)
    click.echo(f"{count} rows written to {file}")
