"""The daily contact tally (ContactTally, table crm_contact_tally): contacts counted per UK day and per
dimension the dashboard groups by, so the dashboard reads a few thousand tally rows instead of every
contact (docs/reports.md, "Performance").

Kept in step at write time: `record_contact`, the one place contacts are made, calls `count_contact` in
the same transaction; the upsert adds one atomically, so concurrent contacts never lose a count. Demo data
is bulk-loaded and rebuilds the tallies afterwards. `rebuild_contact_tallies` recomputes every tally
exactly from crm_contact (the migration that made the table, `flask crm rebuild-report-tallies`)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import Contact, ContactTally
from ..workbench.sla import uk_date

NONE = ""  # no service group, no avoidable reason
DIMENSIONS = (
    "channel",
    "service_group",
    "interaction_type",
    "lang",
    "resolved_at_first_point",
    "avoidable_reason",
)
KEY = ("day", *DIMENSIONS)
INSERT_BATCH = 10_000  # rows an executemany (a multi-row VALUES was 5-10 times slower to compile)

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _dialect(bind: Session | sa.Connection) -> str:
    dialect = bind.dialect if isinstance(bind, sa.Connection) else bind.get_bind().dialect
    name = dialect.name
    if name not in _INSERTS:
        raise RuntimeError(f"contact tallies support SQLite and PostgreSQL, not {name}")
    return name


def _key(day, channel, service_group, interaction_type, lang, resolved, avoidable_reason) -> tuple:
    return (
        day,
        channel,
        service_group or NONE,
        interaction_type,
        lang,
        bool(resolved),
        avoidable_reason or NONE,
    )


def count_contact(session: Session, contact: Contact) -> None:
    """Add one to the contact's tally row, in the session's transaction (record_contact calls this)."""
    dimensions = (getattr(contact, name) for name in DIMENSIONS)
    values = dict(zip(KEY, _key(uk_date(contact.started_at), *dimensions), strict=True))
    insert = _INSERTS[_dialect(session)](ContactTally).values(**values, contacts=1)
    upsert = insert.on_conflict_do_update(
        index_elements=list(KEY), set_={"contacts": ContactTally.contacts + 1}
    )
    session.execute(upsert, execution_options={"autoflush": False})  # the contact is flushed as before


def _utc_day_and_last_hour(dialect: str) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """The UTC date of started_at, and whether it is in the last UTC hour of that date (23:00-23:59)."""
    if dialect == "sqlite":
        hour = sa.func.strftime("%H", Contact.started_at)
        return sa.func.date(Contact.started_at), hour == sa.literal_column("'23'")
    hour = sa.extract("hour", Contact.started_at)
    return sa.cast(Contact.started_at, sa.Date), hour == sa.literal_column("23")


def _uk_day(utc_day: date | str, last_hour: bool) -> date:
    """The UK day of a contact from its UTC date and hour. The UK is UTC+0 (GMT) or UTC+1 (BST), so only a
    time in the last UTC hour of a date can fall on the next UK day (in summer); every other hour of the
    date is on the same UK day. Checked here, so a change of the rule fails loudly rather than miscounts."""
    day = utc_day if isinstance(utc_day, date) else date.fromisoformat(utc_day)
    midnight = datetime.combine(day, time(0))
    if uk_date(midnight) != day or uk_date(midnight.replace(hour=22, minute=59, second=59)) != day:
        raise RuntimeError(f"the UK's offset from UTC on {day} is not 0 or +1 hour")
    return uk_date(midnight.replace(hour=23)) if last_hour else day


def tallies_from_contacts(bind: Session | sa.Connection) -> Counter:
    """Every tally, counted from crm_contact in SQL by UTC date (and whether in its last hour), each then
    mapped to its UK day here (`_uk_day`): a few rows a day and dimension, not one a contact."""
    utc_day, last_hour = _utc_day_and_last_hour(_dialect(bind))
    columns = [getattr(Contact, name) for name in DIMENSIONS]
    grouping = (utc_day, last_hour, *columns)
    query = sa.select(*grouping, sa.func.count()).group_by(*grouping)
    tallies: Counter = Counter()
    days: dict = {}
    for day, in_last_hour, *dimensions, count in bind.execute(query):
        if (day, in_last_hour) not in days:
            days[day, in_last_hour] = _uk_day(day, bool(in_last_hour))
        tallies[_key(days[day, in_last_hour], *dimensions)] += count
    return tallies


def rebuild_contact_tallies(bind: Session | sa.Connection) -> int:
    """Replace every tally with counts from crm_contact, in the caller's transaction; works on a plain
    Connection (a migration's op.get_bind()). Returns the number of contacts counted."""
    tallies = tallies_from_contacts(bind)
    bind.execute(sa.delete(ContactTally.__table__))
    rows = [dict(zip(KEY, key, strict=True), contacts=count) for key, count in sorted(tallies.items())]
    for start in range(0, len(rows), INSERT_BATCH):
        bind.execute(sa.insert(ContactTally.__table__), rows[start : start + INSERT_BATCH])
    return sum(tallies.values())
