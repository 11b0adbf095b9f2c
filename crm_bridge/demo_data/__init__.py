"""Demo data for a district council: contacts, cases, events, ratings, check-ins and searches for a period,
so the managers' dashboard shows something true-looking and can be timed at scale (docs/demo-data.md).

Seeded (random.Random), so the same options give the same data. Rows are built as plain tuples with the
ids assigned here, then written in batches: executemany on SQLite, COPY on PostgreSQL. Demo rows carry a
marker so they are never confused with real ones: case references DEMO-YY-NNNNNN, contact summaries
"DEMO ...", rating subjects "demo:...", check-ins named "DEMO", customers demo.*@example.org."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from kiosk.visit_models import CheckIn
from knowledge_base.models import AnswerFeedback, Article, SearchLog
from knowledge_base.records import read_content_dir

from ..catalogue import default_catalogue
from ..models import Case, CaseEvent, Contact, Customer, SatisfactionRating
from ..reports.tallies import rebuild_contact_tallies
from .council import EMAIL_PATTERN, REFERENCE_PREFIX, SUBJECT_PREFIX, SUMMARY_PREFIX, VISITOR_NAME
from .generator import ArticleChoice, Generator
from .writer import BulkWriter

REBUILD_INDEXES_FROM = 200_000  # contacts: drop the plain indexes and make them again after writing
CONTENT_DIR = Path(__file__).resolve().parents[2] / "knowledge_base" / "content"


# --- options and outcome -----------------------------------------------------------------------------------


class RealDataError(RuntimeError):
    """The database holds contacts or cases that demo-data did not make: refuse unless forced."""


@dataclass(frozen=True)
class DemoOptions:
    contacts: int
    months: int = 12
    end: date | None = None  # last day of the period, UK date; today by default
    seed: int = 2026

    def period(self, today: date) -> tuple[date, date]:
        end = self.end or today
        first = _months_before(end + timedelta(days=1), self.months)
        return first, end


@dataclass
class DemoSummary:
    start: date
    end: date
    counts: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        made = ", ".join(f"{count:,} {name}" for name, count in self.counts.items())
        return f"Demo data for {self.start} to {self.end}: {made}."


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def real_data_counts(connection: sa.Connection) -> tuple[int, int]:
    """Contacts and cases that an earlier demo-data run did not make."""
    contacts = connection.scalar(
        sa.select(sa.func.count()).select_from(Contact).where(~Contact.summary.startswith(SUMMARY_PREFIX))
    )
    cases = connection.scalar(
        sa.select(sa.func.count())
        .select_from(Case)
        .where(sa.or_(Case.reference.is_(None), ~Case.reference.startswith(f"{REFERENCE_PREFIX}-")))
    )
    return contacts, cases


def generate(
    connection: sa.Connection, options: DemoOptions, *, today: date, force: bool = False
) -> DemoSummary:
    """Replace earlier demo data with new demo data for the period, in the caller's transaction."""
    if options.contacts < 1 or options.months < 1:
        raise ValueError("contacts and months must be at least 1")
    real_contacts, real_cases = real_data_counts(connection)
    if (real_contacts or real_cases) and not force:
        raise RealDataError(
            f"the database holds {real_contacts} contacts and {real_cases} cases that are not demo data; "
            "demo data is for demonstration and benchmark databases (use --force to add it anyway)"
        )
    start, end = options.period(today)
    summary = DemoSummary(start, end)
    summary.removed = remove_demo_data(connection, also_unmarked=not (real_contacts or real_cases))
    # Never on a live database (--force): dropping an index would lock its table for the whole load.
    big_load = options.contacts >= REBUILD_INDEXES_FROM and not (real_contacts or real_cases)
    writer = BulkWriter(connection, rebuild_indexes=big_load)
    generator = Generator(options, start, end, default_catalogue(), _articles(connection), writer)
    generator.reuse_customers(_demo_customer_ids(connection))
    generator.check_in_numbers.update(_check_in_numbers(connection, start, end))
    generator.run()
    writer.finish()
    rebuild_contact_tallies(connection)  # the dashboard's tallies, after the bulk load and the removal
    summary.counts = writer.counts
    return summary


def remove_demo_data(connection: sa.Connection, *, also_unmarked: bool) -> dict[str, int]:
    """Delete what earlier runs made, found by its markers (children first). Search logs and answer
    feedback carry no marker: they are removed only when `also_unmarked` (no real contacts or cases, so
    the database is a demo one). Demo customers are kept and reused by the next run."""
    demo_cases = sa.select(Case.id).where(Case.reference.startswith(f"{REFERENCE_PREFIX}-"))
    demo_contacts = sa.select(Contact.id).where(Contact.summary.startswith(SUMMARY_PREFIX))
    statements = {
        "ratings": sa.delete(SatisfactionRating).where(SatisfactionRating.subject.startswith(SUBJECT_PREFIX)),
        "check-ins": sa.delete(CheckIn).where(CheckIn.name_or_initials == VISITOR_NAME),
        "contacts": sa.delete(Contact).where(Contact.id.in_(demo_contacts)),
        "case events": sa.delete(CaseEvent).where(CaseEvent.case_id.in_(demo_cases)),
        "cases": sa.delete(Case).where(Case.id.in_(demo_cases)),
    }
    if also_unmarked:
        statements |= {"search logs": sa.delete(SearchLog), "answer feedback": sa.delete(AnswerFeedback)}
    return {name: connection.execute(statement).rowcount for name, statement in statements.items()}


def _demo_customer_ids(connection: sa.Connection) -> list[int]:
    return list(
        connection.scalars(
            sa.select(Customer.id).where(Customer.email.like(EMAIL_PATTERN)).order_by(Customer.id)
        )
    )


def _check_in_numbers(connection: sa.Connection, start: date, end: date) -> dict[date, int]:
    """The last ticket number already given each day (real visits, with --force): demo tickets follow."""
    query = (
        sa.select(CheckIn.day, sa.func.max(CheckIn.number))
        .where(CheckIn.day.between(start, end))
        .group_by(CheckIn.day)
    )
    return dict(connection.execute(query).all())


def _articles(connection: sa.Connection) -> ArticleChoice:
    """Real article slugs: the database's if content is loaded, else the sample content's."""
    records = [record for record in read_content_dir(CONTENT_DIR) if record.lang == "en"]
    queries = {r.slug: [q.lower() for q in (*r.questions, *r.keywords, r.title)] for r in records}
    rows = connection.execute(sa.select(Article.slug, Article.service_group, Article.id)).all()
    source = [(slug, group) for slug, group, _ in rows] or [(r.slug, r.service_group) for r in records]
    slugs: dict[str, list[str]] = defaultdict(list)
    for slug, group in sorted(source):
        slugs[group].append(slug)
    return ArticleChoice(dict(slugs), {slug: id_ for slug, _, id_ in rows}, queries)
