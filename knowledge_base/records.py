"""Article records as they come from content files and spreadsheets, and the rules they must meet.

Pure logic: reading Markdown files with YAML front matter and CSV rows into records, validating them,
and writing records back out as CSV. The database is not touched here (see operations.py)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import frontmatter
import yaml
from flask_babel import lazy_gettext as _l

from portal.domain import SERVICE_GROUPS

from .models import ARTICLE_STATUSES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG = re.compile(r"^[a-z]{2,3}$")
CSV_COLUMNS = ("slug", "lang", "title", "body", "questions", "keywords", "service_group")
OPTIONAL_CSV_COLUMNS = ("status", "owner", "review_due", "related_form")
LIST_SEPARATOR = "|"
MAX_TITLE = 500
MAX_SLUG = 120
MAX_PHRASE = 500


@dataclass
class ArticleRecord:
    """One article in one language; the article-level settings are None where the source leaves them."""

    slug: str
    lang: str
    title: str
    body: str = ""
    questions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    service_group: str | None = None
    owner: str | None = None
    review_due: date | str | None = None  # a str is a date that could not be read
    status: str | None = None
    related_form: str | None = None


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: a file or row, and the field or column."""

    where: str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, {self.column}: {self.message}"


class InvalidContent(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def check_record(record: ArticleRecord) -> Iterator[tuple[str, str]]:
    """(column, message) for each rule the record breaks; messages are lazy (lazy_gettext): shown to
    editors in their language, in English outside a request (imports from the command line)."""
    if not SLUG.match(record.slug or ""):
        yield "slug", _l("must be lower-case letters, digits and single hyphens, like 'missed-bin'")
    elif len(record.slug) > MAX_SLUG:
        yield "slug", _l("must be %(max)d characters or fewer", max=MAX_SLUG)
    if not LANG.match(record.lang or ""):
        yield "lang", _l("must be a language code such as 'en' or 'cy'")
    if not record.title.strip():
        yield "title", _l("is required")
    elif len(record.title) > MAX_TITLE:
        yield "title", _l("must be %(max)d characters or fewer", max=MAX_TITLE)
    if record.service_group is not None and record.service_group not in SERVICE_GROUPS:
        yield "service_group", _l("must be one of %(choices)s", choices=", ".join(SERVICE_GROUPS))
    if isinstance(record.review_due, str):
        yield "review_due", _l("must be a date like 2027-03-31")
    if record.status is not None and record.status not in ARTICLE_STATUSES:
        yield "status", _l("must be 'draft' or 'published'")
    for column in ("questions", "keywords"):
        if any(len(phrase) > MAX_PHRASE for phrase in getattr(record, column)):
            yield column, _l("each entry must be %(max)d characters or fewer", max=MAX_PHRASE)


def validated(records: Iterable[tuple[str, ArticleRecord]]) -> list[ArticleRecord]:
    """All the records, or InvalidContent listing every problem of every record: never some of them."""
    problems, good, seen = [], [], {}
    for where, record in records:
        problems += [Problem(where, column, message) for column, message in check_record(record)]
        key = (record.slug, record.lang)
        if key in seen:
            problems.append(Problem(where, "slug", f"repeats {seen[key]} for the same language"))
        seen.setdefault(key, where)
        good.append(record)
    if problems:
        raise InvalidContent(problems)
    return good


# ---- content files ----------------------------------------------------------------------------------


def read_content_dir(root: Path) -> list[ArticleRecord]:
    """Every knowledge_base/content/<lang>/<slug>.md file under root."""
    return validated(_read_content_files(sorted(root.glob("*/*.md"))))


def _read_content_files(paths: Iterable[Path]) -> Iterator[tuple[str, ArticleRecord]]:
    for path in paths:
        where = f"{path.parent.name}/{path.name}"
        try:
            post = frontmatter.load(path)
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise InvalidContent([Problem(where, "front matter", f"cannot be read: {error}")]) from error
        yield where, _record_from_front_matter(path.stem, path.parent.name, post.metadata, post.content)


def _record_from_front_matter(slug: str, lang: str, meta: dict[str, Any], body: str) -> ArticleRecord:
    review_due = meta.get("review_due")
    return ArticleRecord(
        slug=slug,
        lang=lang,
        title=str(meta.get("title") or ""),
        body=body.strip(),
        questions=_as_list(meta.get("questions")),
        keywords=_as_list(meta.get("keywords")),
        service_group=meta.get("service_group"),
        owner=meta.get("owner"),
        review_due=_parse_date(review_due),
        status=meta.get("status"),
        related_form=meta.get("related_form"),
    )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(LIST_SEPARATOR)
    return [str(item).strip() for item in value if str(item).strip()]


def _parse_date(value: Any) -> date | str | None:
    if isinstance(value, date) or value in (None, ""):
        return value or None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return str(value)


# ---- spreadsheets -----------------------------------------------------------------------------------


def read_csv(stream: IO[str]) -> list[ArticleRecord]:
    """Rows of a spreadsheet export; row numbers count the header as row 1, as spreadsheets do."""
    reader = csv.DictReader(stream)
    missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise InvalidContent(
            [Problem("row 1", column, "column is missing from the header") for column in missing]
        )
    return validated(_read_rows(reader))


def _read_rows(reader: csv.DictReader) -> Iterator[tuple[str, ArticleRecord]]:
    for number, row in enumerate(reader, start=2):
        where = f"row {number}"
        values = {key: (value or "").strip() for key, value in row.items() if key}
        record = ArticleRecord(
            slug=values["slug"],
            lang=values["lang"],
            title=values["title"],
            body=(row.get("body") or "").strip(),
            questions=_as_list(values["questions"]),
            keywords=_as_list(values["keywords"]),
            service_group=values["service_group"] or None,
            owner=values.get("owner") or None,
            review_due=_parse_date(values.get("review_due")),
            status=values.get("status") or None,
            related_form=values.get("related_form") or None,
        )
        yield where, record


def write_csv(records: Iterable[ArticleRecord], stream: IO[str]) -> int:
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS + OPTIONAL_CSV_COLUMNS)
    count = 0
    for record in records:
        writer.writerow(
            [
                record.slug,
                record.lang,
                record.title,
                record.body,
                LIST_SEPARATOR.join(record.questions),
                LIST_SEPARATOR.join(record.keywords),
                record.service_group or "",
                record.status or "",
                record.owner or "",
                record.review_due.isoformat() if record.review_due else "",
                record.related_form or "",
            ]
        )
        count += 1
    return count
