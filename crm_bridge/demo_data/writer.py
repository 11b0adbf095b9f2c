"""Writing demo rows fast: plain tuples with ids given by the caller; COPY on PostgreSQL, executemany on
SQLite. Table and column names come from the models, never from input."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sqlalchemy as sa

from kiosk.visit_models import CheckIn
from knowledge_base.models import AnswerFeedback, SearchLog

from ..models import Case, CaseEvent, Contact, Customer, SatisfactionRating

BATCH_ROWS = 20_000
SQLITE_CACHE_KIB = 256 * 1024
COLUMNS = {
    Customer: (
        "id",
        "name",
        "email",
        "address",
        "preferred_lang",
        "preferred_contact",
        "needs_interpreter",
        "created_at",
        "updated_at",
    ),
    Case: (
        "id",
        "reference",
        "tracking_token",
        "submission_key",
        "request_type",
        "service_group",
        "queue",
        "interaction_type",
        "status",
        "channel",
        "lang",
        "answers",
        "details",
        "transcript",
        "searches",
        "customer_id",
        "created_at",
        "updated_at",
        "acknowledge_due",
        "respond_due",
        "acknowledged_at",
        "resolved_at",
        "acknowledged_on",
        "resolved_on",
        "complaint_stage",
        "complaint_category",
        "complaint_outcome",
        "ombudsman_referred_at",
        "interpreter_needed",
    ),
    CaseEvent: ("id", "case_id", "created_at", "kind", "status", "text", "author", "public"),
    Contact: (
        "id",
        "channel",
        "service_group",
        "interaction_type",
        "lang",
        "started_at",
        "ended_at",
        "resolved_at_first_point",
        "avoidable",
        "avoidable_reason",
        "satisfaction",
        "article_slug",
        "summary",
        "customer_id",
        "case_id",
    ),
    SatisfactionRating: (
        "id",
        "created_at",
        "subject",
        "moment",
        "rating",
        "comment",
        "channel",
        "service_group",
        "lang",
        "contact_id",
        "case_id",
    ),
    CheckIn: (
        "id",
        "day",
        "number",
        "ticket",
        "name_or_initials",
        "topic",
        "lang",
        "needs_interpreter",
        "status",
        "checked_in_at",
        "called_at",
        "wait_seconds",
        "finished_at",
        "activity",
        "contact_id",
    ),
    SearchLog: (
        "id",
        "created_at",
        "query",
        "normalised_query",
        "lang",
        "channel",
        "source",
        "top_slug",
        "top_score",
        "confident",
        "result_count",
    ),
    AnswerFeedback: ("id", "created_at", "article_id", "lang", "channel", "helpful", "comment"),
}
# Parents before children, so foreign keys hold at every batch.
WRITE_ORDER = (Customer, Case, CaseEvent, Contact, SatisfactionRating, CheckIn, SearchLog, AnswerFeedback)
COUNT_NAMES = {
    Customer: "customers",
    Case: "cases",
    CaseEvent: "case events",
    Contact: "contacts",
    SatisfactionRating: "ratings",
    CheckIn: "check-ins",
    SearchLog: "search logs",
    AnswerFeedback: "answer feedback",
}


class BulkWriter:
    """Rows as tuples in COLUMNS order (times as ISO text, booleans as 0/1, JSON as text), written in
    batches: COPY on PostgreSQL, executemany on SQLite. Ids are given by the caller; next_id hands them
    out after the largest already in each table, and finish() moves PostgreSQL's sequences past them."""

    def __init__(self, connection: sa.Connection, *, rebuild_indexes: bool = False):
        self.connection = connection
        # A big load into tables that are (nearly) empty goes faster with the plain indexes made afterwards.
        self.dropped = (
            [index for model in WRITE_ORDER for index in model.__table__.indexes] if rebuild_indexes else []
        )
        for index in self.dropped:
            index.drop(connection)
        self.postgres = connection.dialect.name == "postgresql"
        self.pending: dict[type, list[tuple]] = {model: [] for model in WRITE_ORDER}
        self.counts = {COUNT_NAMES[model]: 0 for model in WRITE_ORDER}
        if not self.postgres:  # room for the indexes being filled, for this connection's life
            connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        self.ids = {
            model: itertools.count((connection.scalar(sa.select(sa.func.max(model.id))) or 0) + 1)
            for model in WRITE_ORDER
        }

    def next_id(self, model: type) -> int:
        return next(self.ids[model])

    def add(self, model: type, row: tuple) -> None:
        self.pending[model].append(row)

    def flush_if_full(self) -> None:
        if sum(len(rows) for rows in self.pending.values()) >= BATCH_ROWS * 5:
            self.flush()

    def flush(self) -> None:
        for model in WRITE_ORDER:
            rows = self.pending[model]
            if rows:
                self._write(model.__table__.name, COLUMNS[model], rows)
                self.counts[COUNT_NAMES[model]] += len(rows)
                self.pending[model] = []

    def finish(self) -> None:
        self.flush()
        for index in self.dropped:
            index.create(self.connection)
        if self.postgres:
            for model in WRITE_ORDER:
                name = model.__table__.name
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                highest = f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name})"  # noqa: S608 - a model's name  # nosec B608
                self.connection.exec_driver_sql(f"SELECT setval({sequence}, {highest}, false)")
        self.connection.exec_driver_sql("ANALYZE")

    def _write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        names = ", ".join(columns)
        if self.postgres:
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        for start in range(0, len(rows), BATCH_ROWS):
            self.connection.exec_driver_sql(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - model names  # nosec B608
                rows[start : start + BATCH_ROWS],
            )
