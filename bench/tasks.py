"""Public FAQ retrieval tasks, defined exactly as in shared/bench/README.md.

The data is read in place from ``../shared/bench`` (relative to the project root); it is never copied.
Override the location with the ``root`` argument or the ``SHARED_BENCH`` environment variable.
"""

from __future__ import annotations

import csv
import os
import re
import xml.etree.ElementTree as ET  # nosec B405  # reads a published data set on disk (below)
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared" / "bench"
HINT3_BOTS = ("sofmattress", "curekart", "powerplay11")
OUT_OF_SCOPE = "NO_NODES_DETECTED"


@dataclass(frozen=True)
class Item:
    """One FAQ item."""

    key: str  # slug: [a-z0-9-]+, unique within the task
    lang: str
    title: str  # the question
    body: str  # the answer ("" where the task has none)
    questions: tuple[str, ...] = ()  # alternative questions


@dataclass(frozen=True)
class Query:
    text: str
    relevant: frozenset[str]  # keys of the relevant items; empty = out of scope (HINT3)


@dataclass(frozen=True)
class Task:
    name: str
    lang: str
    kind: str  # "ranking" or "classification"
    items: tuple[Item, ...]
    queries: tuple[Query, ...]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def _norm(text: str) -> str:
    return text.strip().casefold()


def _task(name: str, lang: str, kind: str, items: list[Item], queries: list[Query]) -> Task:
    keys = {item.key for item in items}
    if len(keys) != len(items) or not all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k) for k in keys):
        raise ValueError(f"{name}: item keys must be unique slugs")
    if not all(q.relevant <= keys for q in queries):
        raise ValueError(f"{name}: a query refers to an unknown item")
    return Task(name, lang, kind, tuple(items), tuple(queries))


def _covid(root: Path, name: str, faq: str, delimiter: str, lang: str) -> Task:
    """Corpus rows of one language; queries are the distinct ``question_2`` of similar pairs
    whose ``question_1`` equals a corpus question (trimmed, case-insensitive)."""
    base = root / "deepset_covid_qa"
    rows = [r for r in _rows(base / faq, delimiter) if r["lang"].strip() == lang]
    items = [
        Item(f"item-{i}", lang, r["question"].strip(), r["answer"].strip()) for i, r in enumerate(rows, 1)
    ]
    by_question: dict[str, set[str]] = defaultdict(set)
    for item in items:
        by_question[_norm(item.title)].add(item.key)
    relevant: dict[str, set[str]] = {}  # insertion-ordered: first appearance
    for pair in _rows(base / f"eval_question_similarity_{lang}.csv"):
        keys = by_question.get(_norm(pair["question_1"]))
        if pair["similar"].strip() == "1" and keys:
            relevant.setdefault(pair["question_2"].strip(), set()).update(keys)
    queries = [Query(text, frozenset(keys)) for text, keys in relevant.items()]
    return _task(name, lang, "ranking", items, queries)


def _stackfaq(root: Path) -> Task:
    """Each (thread question, answer) pair is an item; each rephrasing (not empty, not ``*``)
    of a thread is a query whose relevant items are all the items of its thread."""
    # A published data set in ../shared/bench, read from the developer's disk: never input from the web.
    threads = ET.parse(root / "extras" / "stackfaq" / "stackExchange-FAQ.xml").getroot()  # nosec B314
    items: list[Item] = []
    queries: list[Query] = []
    for t, thread in enumerate(threads.iter("qapair"), 1):
        title = thread.findtext("question", "").strip()
        answers = [(a.text or "").strip() for a in thread.iter("answer")]
        thread_items = [
            Item(f"thread-{t}-answer-{a}", "en", title, body) for a, body in enumerate(answers, 1)
        ]
        items += thread_items
        keys = frozenset(item.key for item in thread_items)
        rephrasings = ((r.text or "").strip() for r in thread.iter("rephr"))
        queries += [Query(text, keys) for text in rephrasings if text not in ("", "*")]
    return _task("StackFAQ", "en", "ranking", items, queries)


def _govuk(root: Path) -> Task:
    """Page titles are the items (no body); 2017 search-check rows whose ``Page`` is a corpus
    link are the queries (all rows, misspellings and repeats included)."""
    base = root / "extras" / "govuk_search"
    key_of: dict[str, str] = {}
    items: list[Item] = []
    for row in _rows(base / "top_1000_pages_with_titles.csv"):
        link = row["link"].strip()
        key_of[link] = slugify(re.sub(r"^https?://", "", link))
        items.append(Item(key_of[link], "en", row["query"].strip(), ""))
    queries = [
        Query(row["Search Term"].strip(), frozenset({key_of[row["Page"].strip()]}))
        for row in _rows(base / "search_check_results_2017.csv")
        if row["Page"].strip() in key_of
    ]
    return _task("GOV.UK", "en", "ranking", items, queries)


def _hint3(root: Path, bot: str) -> Task:
    """One item per training label (first sentence = title, the rest = alternative questions);
    each test sentence is a query, out of scope (no relevant key) when labelled NO_NODES_DETECTED."""
    base = root / "extras" / "hint3_v2"
    sentences: dict[str, list[str]] = {}
    for row in _rows(base / f"train_{bot}_train.csv"):
        sentences.setdefault(row["label"].strip(), []).append(row["sentence"].strip())
    items = [Item(slugify(label), "en", texts[0], "", tuple(texts[1:])) for label, texts in sentences.items()]
    queries = [
        Query(
            row["sentence"].strip(),
            frozenset() if row["label"].strip() == OUT_OF_SCOPE else frozenset({slugify(row["label"])}),
        )
        for row in _rows(base / f"test_{bot}_test.csv")
    ]
    return _task(f"HINT3-{bot}", "en", "classification", items, queries)


LOADERS: dict[str, Callable[[Path], Task]] = {
    "COVID-QA-EN": lambda r: _covid(r, "COVID-QA-EN", "faq_covidbert.csv", ",", "en"),
    "COVID-QA-DE": lambda r: _covid(r, "COVID-QA-DE", "faq_200322_16.tsv", "\t", "de"),
    "StackFAQ": _stackfaq,
    "GOV.UK": _govuk,
    **{f"HINT3-{bot}": (lambda r, bot=bot: _hint3(r, bot)) for bot in HINT3_BOTS},
}
TASK_NAMES = tuple(LOADERS)


def bench_root(root: Path | str | None = None) -> Path:
    return Path(root or os.environ.get("SHARED_BENCH") or DEFAULT_ROOT)


def load_tasks(root: Path | str | None = None, names: Iterable[str] | None = None) -> list[Task]:
    """Load the named tasks (all by default), in the order given."""
    base = bench_root(root)
    names = TASK_NAMES if names is None else tuple(names)
    unknown = set(names) - set(LOADERS)
    if unknown:
        raise ValueError(f"unknown task(s): {', '.join(sorted(unknown))}")
    return [LOADERS[name](base) for name in names]
