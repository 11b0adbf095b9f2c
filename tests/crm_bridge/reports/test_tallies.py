"""The daily contact tally: kept in step by record_contact, rebuilt exactly from the contacts, and the
dashboard's contact figures read from it equal a direct count of the contacts."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from crm_bridge.contacts import record_contact
from crm_bridge.demo_data import DemoOptions, generate
from crm_bridge.models import Contact, ContactTally
from crm_bridge.reports.periods import Period
from crm_bridge.reports.queries import Filters, Window, contact_groups
from crm_bridge.reports.tallies import KEY, rebuild_contact_tallies, tallies_from_contacts
from portal.db import db

SEPTEMBER_TO_NOVEMBER = Period(date(2026, 9, 1), date(2026, 11, 30))
WINDOW = Window.of(SEPTEMBER_TO_NOVEMBER)  # compared with June to August


def stored_tallies() -> Counter:
    columns = [getattr(ContactTally, name) for name in KEY]
    rows = db.session.execute(sa.select(*columns, ContactTally.contacts))
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


def contact(started_at: datetime, channel: str = "web", **fields) -> Contact:
    values = {
        "interaction_type": "providing_information",
        "lang": "en",
        "resolved_at_first_point": False,
        "service_group": "environment",
    } | fields
    return record_contact(channel, started_at=started_at, **values)


@pytest.fixture
def mixed_contacts(app):
    moments = [
        datetime(2026, 7, 14, 23, 30),  # 00:30 BST: 15 July in the UK
        datetime(2026, 7, 15, 10, 0),
        datetime(2026, 8, 31, 22, 59),  # 23:59 BST on 31 August: the previous period
        datetime(2026, 8, 31, 23, 0),  # midnight, 1 September: the current period
        datetime(2026, 10, 24, 23, 30),  # 00:30 BST on 25 October, the day the clocks go back
        datetime(2026, 10, 25, 0, 30),  # 01:30 BST, the first 01:30 that day
        datetime(2026, 10, 25, 1, 30),  # 01:30 GMT, the second
        datetime(2026, 10, 25, 23, 30),  # 23:30 GMT: still 25 October
        datetime(2026, 11, 30, 23, 59),  # the last minute of the period (GMT)
        datetime(2026, 12, 1, 0, 0),  # after it
    ]
    for number, moment in enumerate(moments):
        contact(moment, "web" if number % 2 else "phone", resolved_at_first_point=number % 3 == 0)
    contact(datetime(2026, 9, 10, 9), service_group=None, lang="cy")
    contact(datetime(2026, 9, 10, 9), service_group=None, lang="cy")
    contact(datetime(2026, 6, 5, 12), "phone", avoidable_reason="chasing_progress")
    contact(datetime(2026, 10, 2, 12), "chat", service_group="parking", lang="pl")
    contact(
        datetime(2026, 10, 2, 13),
        "chat",
        service_group="parking",
        lang="pl",
        avoidable_reason="repeat_contact",
    )
    db.session.commit()


def test_each_contact_is_counted_on_its_uk_day(mixed_contacts):
    days = Counter()
    for key, count in stored_tallies().items():
        days[key[0]] += count

    assert days[date(2026, 7, 14)] == 0
    assert days[date(2026, 7, 15)] == 2
    assert days[date(2026, 8, 31)] == 1
    assert days[date(2026, 9, 1)] == 1
    assert days[date(2026, 10, 24)] == 0
    assert days[date(2026, 10, 25)] == 4
    assert days[date(2026, 11, 30)] == 1
    assert days[date(2026, 12, 1)] == 1
    assert sum(days.values()) == db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 15


def test_the_tallies_kept_in_step_equal_the_rebuild(mixed_contacts):
    kept = stored_tallies()

    assert tallies_from_contacts(db.session) == kept
    with db.engine.begin() as connection:  # a plain Connection, as a migration has
        assert rebuild_contact_tallies(connection) == 15
    db.session.expire_all()
    assert stored_tallies() == kept


def test_the_rebuild_repairs_tallies_out_of_step(mixed_contacts, runner):
    kept = stored_tallies()
    db.session.execute(sa.update(ContactTally).values(contacts=ContactTally.contacts + 5))
    db.session.execute(sa.delete(ContactTally).where(ContactTally.channel == "chat"))
    db.session.commit()

    result = runner.invoke(args=["crm", "rebuild-report-tallies"])

    assert result.exit_code == 0, result.output
    assert "15 contacts counted" in result.output
    db.session.expire_all()
    assert stored_tallies() == kept


def direct_groups(window: Window, filters: Filters) -> Counter:
    """The old way: a GROUP BY over the contacts themselves, by UTC bounds of the UK days."""
    counts = Counter()
    for name, period in (("current", window.current), ("previous", window.previous)):
        start, end = period.utc_bounds()
        dimensions = [
            Contact.channel,
            Contact.service_group,
            Contact.interaction_type,
            Contact.lang,
            Contact.resolved_at_first_point,
            Contact.avoidable_reason,
        ]
        query = (
            sa.select(*dimensions, sa.func.count())
            .where(Contact.started_at >= start, Contact.started_at < end)
            .where(*(getattr(Contact, column) == value for column, value in filters.active().items()))
            .group_by(*dimensions)
        )
        for *key, count in db.session.execute(query):
            key[4] = bool(key[4])
            counts[(name, *key)] += count
    return counts


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(service_group="parking"), Filters(channel="web"), Filters(lang="cy")],
    ids=["everything", "service-group", "channel", "language"],
)
def test_the_dashboard_groups_equal_a_count_of_the_contacts(mixed_contacts, filters):
    from_tallies = Counter()
    for group in contact_groups(WINDOW, filters):
        key = (group.channel, group.service_group, group.interaction_type, group.lang, group.resolved)
        from_tallies[("current", *key, group.avoidable_reason)] += group.current
        from_tallies[("previous", *key, group.avoidable_reason)] += group.previous

    assert +from_tallies == direct_groups(WINDOW, filters)
    assert sum(from_tallies.values()) > 0


def test_no_service_group_comes_back_as_none(mixed_contacts):
    groups = [g for g in contact_groups(WINDOW, Filters(lang="cy")) if g.current]

    assert [(g.service_group, g.avoidable_reason, g.current) for g in groups] == [(None, None, 2)]


def test_a_rolled_back_contact_is_not_counted(app):
    contact(datetime(2026, 9, 10, 9))
    db.session.rollback()

    assert stored_tallies() == Counter()


def test_demo_data_rebuilds_the_tallies_after_loading_and_replacing(app):
    options = DemoOptions(contacts=300, months=2, end=date(2026, 10, 31))
    for _ in range(2):  # the second run deletes the first run's contacts
        with db.engine.begin() as connection:
            generate(connection, options, today=date(2026, 11, 20))
        db.session.expire_all()

        assert sum(stored_tallies().values()) == 300
        assert stored_tallies() == tallies_from_contacts(db.session)


def test_concurrent_contacts_lose_no_count(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    per_thread, threads = 25, 4
    start = threading.Barrier(threads)
    errors = []

    def record_many():
        try:
            with app.app_context():
                start.wait()
                for _ in range(per_thread):
                    contact(datetime(2026, 9, 10, 9))
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)

    workers = [threading.Thread(target=record_many) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert list(stored_tallies().values()) == [per_thread * threads]
