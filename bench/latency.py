"""Latency benchmark: the knowledge-base search engine beside SQLite FTS5 bm25, at 100 to 10,000 articles.

Run from the project root:  .venv/bin/python -m bench.latency [--sizes 100,1000,10000] [--queries 330]

The articles are synthetic but built from the real sample articles (knowledge_base/content), so they look
like council FAQ articles in size and vocabulary: each takes the title, 3 to 6 alternative questions, some
keywords and most body sentences (150 to 400 words in all) of one real article, mixes in questions,
keywords and sentences of others, and adds generated rare words (place names, reference codes) drawn from
a pool that grows as N**0.75, so the vocabulary keeps growing with N as a real corpus does (Heaps' law).
Everything is seeded, so every run builds the same articles and queries.

The queries are the real articles' alternative questions: a quarter cut down to 1 to 8 words, a third
with one typo (a character swap, drop or substitution in a word of 5+ letters). Both systems are warmed up,
then each query is timed with time.perf_counter_ns. FTS5 ORs the quoted query words, ranks by bm25() with
the engine's field weights, and returns 10 rows. Engine memory is the peak RSS growth while building.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import random
import re
import sqlite3
import string
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np

from knowledge_base.markdown import plain_text
from knowledge_base.records import ArticleRecord, read_content_dir
from knowledge_base.search.engine import Document, EngineConfig, SearchEngine

CONTENT = Path(__file__).resolve().parent.parent / "knowledge_base" / "content"
SEED = 20240611
WARMUP = 50
WORD = re.compile(r"\w+")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
ONSETS = ("b", "br", "c", "ch", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "st", "t", "th", "w")
VOWELS = ("a", "e", "i", "o", "u", "ea", "oo", "ay")
SUFFIXES = ("bury", "ham", "ford", "ley", "ton", "by", "well", "worth", "stead", "field", "wick", "combe")
Pools = tuple[list[str], list[str]]  # place names, reference codes


@dataclass(frozen=True)
class Source:
    """The parts of the real articles that synthetic ones are made of."""

    records: list[ArticleRecord]
    sentences: list[list[str]]  # per record


def load_source() -> Source:
    records = [r for r in read_content_dir(CONTENT) if r.lang == "en"]
    sentences = [[s for s in SENTENCE.split(plain_text(r.body)) if s] for r in records]
    return Source(records, sentences)


def place_names(rng: random.Random, count: int) -> list[str]:
    def name() -> str:
        stem = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.randint(1, 2)))
        return (stem + rng.choice(SUFFIXES)).capitalize()

    return [name() for _ in range(count)]


def reference_codes(rng: random.Random, count: int) -> list[str]:
    return [f"{rng.choice(('NDC', 'REF', 'PL', 'CT'))}{rng.randint(10000, 999999)}" for _ in range(count)]


def make_article(number: int, rng: random.Random, source: Source, pools: Pools) -> Document:
    def rare(pool: list[str] = pools[0]) -> str:
        return pool[int(len(pool) * rng.random() ** 2)]  # skewed: some rare words recur, most do not

    pick = rng.randrange(len(source.records))
    own, other = source.records[pick], rng.choice(source.records)
    questions = rng.sample(own.questions, min(len(own.questions), rng.randint(3, 6)))
    questions += rng.sample(other.questions, max(0, 3 - len(questions)) + rng.randint(0, 1))
    questions = [q + f" in {rare()}" if rng.random() < 0.3 else q for q in questions[:6]]
    keywords = rng.sample(own.keywords, min(len(own.keywords), rng.randint(3, 8))) + [rare(), rare()]
    return Document(
        key=f"article-{number}",
        lang="en",
        title=f"{own.title} in {rare()}" if rng.random() < 0.5 else own.title,
        questions=tuple(questions),
        keywords=tuple(keywords),
        body=make_body(rng, source, pick, lambda: f"{rare()} office quoting reference {rare(pools[1])}"),
    )


def make_body(rng: random.Random, source: Source, pick: int, contact: Callable[[], str]) -> str:
    target, words = rng.randint(150, 400), []
    while len(words) < target:
        sentences = source.sentences[pick if rng.random() < 0.6 else rng.randrange(len(source.sentences))]
        words += rng.choice(sentences).split()
        if rng.random() < 0.3:
            words += f"Contact the {contact()}.".split()
    return " ".join(words[:target])


def make_articles(n: int, source: Source) -> list[Document]:
    rng = random.Random(SEED + n)
    size = int(15 * n**0.75)
    pools = (place_names(rng, size), reference_codes(rng, size))
    return [make_article(number, rng, source, pools) for number in range(n)]


def typo(query: str, rng: random.Random) -> str:
    words = query.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return query
    i = rng.choice(long_words)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == 1:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + rng.choice(string.ascii_lowercase.replace(word[at], "")) + word[at + 1 :]
    words[i] = word
    return " ".join(words)


def make_queries(source: Source, count: int) -> list[str]:
    rng = random.Random(SEED)
    questions = [q for r in source.records for q in r.questions]
    typo_ready = [q for q in questions if any(len(w) >= 5 and w.isalpha() for w in q.split())]
    queries = []
    for number in range(count):
        if number % 3 == 0:
            queries.append(typo(rng.choice(typo_ready), rng))
            continue
        words = rng.choice(questions).split()
        if number % 4 == 1:
            length = rng.randint(1, 8)
            start = rng.randrange(max(1, len(words) - length + 1))
            words = words[start : start + length]
        queries.append(" ".join(words))
    return queries


def fts5_index(articles: list[Document]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    columns = "title, questions, keywords, body, tokenize='porter unicode61'"
    db.execute(f"CREATE VIRTUAL TABLE kb USING fts5({columns})")
    db.execute("INSERT INTO kb(kb, rank) VALUES ('rank', 'bm25(3.0, 2.0, 2.0, 1.0)')")
    rows = ((a.title, "\n".join(a.questions), "\n".join(a.keywords), a.body) for a in articles)
    db.executemany("INSERT INTO kb(title, questions, keywords, body) VALUES (?, ?, ?, ?)", rows)
    db.commit()
    return db


def fts5_search(db: sqlite3.Connection) -> Callable[[str], object]:
    def search(query: str) -> object:
        match = " OR ".join(f'"{word}"' for word in WORD.findall(query.replace('"', " ")))
        if not match:
            return []
        return db.execute("SELECT rowid FROM kb WHERE kb MATCH ? ORDER BY rank LIMIT 10", (match,)).fetchall()

    return search


def timings_ms(search: Callable[[str], object], queries: list[str]) -> np.ndarray:
    for query in queries[:WARMUP]:
        search(query)
    gc.collect()  # the garbage of building, not of searching
    times = []
    for query in queries:
        started = time.perf_counter_ns()
        search(query)
        times.append(time.perf_counter_ns() - started)
    return np.array(times) / 1e6


def rss_kb(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+)", status, re.MULTILINE).group(1))  # type: ignore[union-attr]


def build_engine(articles: list[Document]) -> tuple[SearchEngine, float, float]:
    """The engine, its build time in seconds, and the peak RSS growth while building in MB."""
    gc.collect()
    with contextlib.suppress(OSError):  # Linux: resets the peak RSS (VmHWM) to the current RSS
        Path("/proc/self/clear_refs").write_text("5")
    before = rss_kb("VmRSS")
    started = time.perf_counter()
    engine = SearchEngine(articles, EngineConfig())
    seconds = time.perf_counter() - started
    return engine, seconds, (rss_kb("VmHWM") - before) / 1024


def percentiles(times: np.ndarray) -> list[str]:
    return [f"{value:.2f} ms" for value in np.percentile(times, [50, 95, 99])]


def run_size(n: int, source: Source, queries: list[str]) -> str:
    articles = make_articles(n, source)
    engine, build_s, memory_mb = build_engine(articles)
    engine_ms = timings_ms(partial(engine.search, lang="en", limit=10), queries)
    del engine
    fts_ms = timings_ms(fts5_search(fts5_index(articles)), queries)
    cells = [f"{n:,}", *percentiles(engine_ms), *percentiles(fts_ms), f"{build_s:.2f}", f"{memory_mb:.0f}"]
    return "| " + " | ".join(cells) + " |"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
    model = next(models, "unknown CPU")
    return (
        f"{date.today().isoformat()}, Python {platform.python_version()}, {platform.platform()}, "
        f"{model}, {os.cpu_count()} cores"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="article counts, comma-separated")
    parser.add_argument("--queries", type=int, default=330, help="number of queries (default 330)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    source = load_source()
    queries = make_queries(source, args.queries)
    lengths = [len(query.split()) for query in queries]
    print(f"{len(queries)} queries of {min(lengths)} to {max(lengths)} words, a third with a typo\n")
    header = (
        "articles", "engine p50", "engine p95", "engine p99", "FTS5 bm25 p50", "FTS5 p95", "FTS5 p99",
        "engine build s", "engine build MB",
    )  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    for n in (int(size.replace("_", "")) for size in args.sizes.split(",")):
        print(run_size(n, source, queries), flush=True)
    print(f"\n{machine()}")
    print(f"run time {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
