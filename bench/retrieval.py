"""Retrieval benchmark: every public task through the CSV import and the real engine, beside BM25.

Run from the project root:  .venv/bin/python -m bench.retrieval [TASK ...] [--markdown]

Each task's FAQ items are written to a CSV file in the format `flask kb import-csv` reads, imported by
that command into a throw-away SQLite database, and searched through the same service the portal uses,
with the confidence threshold the product ships with. BM25 (bench/baseline.py) runs in the same process
on the same items."""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.baseline import (
    BM25Baseline,
    best_threshold_accuracy,
    classification_metrics,
    ranking_metrics,
)
from bench.tasks import TASK_NAMES, Task, load_tasks
from knowledge_base.records import CSV_COLUMNS
from knowledge_base.search.engine import SearchEngine
from knowledge_base.search_service import KnowledgeBaseSearch
from portal import create_app
from portal.db import db

RANK_LIMIT = 100
PUBLISHED_HINT3 = {  # best published system per bot, HINT3 paper (v1 test sets)
    "HINT3-sofmattress": (0.713, "Dialogflow"),
    "HINT3-curekart": (0.748, "Haptik"),
    "HINT3-powerplay11": (0.724, "LUIS"),
}


def write_task_csv(task: Task, path: Path) -> None:
    def field(text: str) -> str:
        return text.replace("|", " ")  # the CSV format's list separator

    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_COLUMNS)
        for number, item in enumerate(task.items):
            questions = "|".join(field(q) for q in item.questions)
            writer.writerow([f"item-{number}", item.lang, item.title, item.body, questions, "", "general"])


def engine_for(task: Task, workdir: Path) -> SearchEngine:
    """Import the task's items with `flask kb import-csv` and build the portal's search engine."""
    csv_path = workdir / f"{task.name}.csv"
    write_task_csv(task, csv_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / (task.name + '.db')}"})
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["kb", "import-csv", str(csv_path), "--quiet"])
        if result.exit_code != 0:
            raise SystemExit(f"{task.name}: import failed\n{result.output}")
        return KnowledgeBaseSearch().engine()


def evaluate(task: Task, engine: SearchEngine) -> dict:
    """Items are imported as item-N (an article slug is short; some task keys are whole URLs)."""
    keys = {f"item-{number}": item.key for number, item in enumerate(task.items)}
    responses = [engine.search(query.text, task.lang, RANK_LIMIT) for query in task.queries]
    if task.kind == "ranking":
        rankings = [[keys[hit.key] for hit in response.hits] for response in responses]
        ours = ranking_metrics(rankings, task.queries)
        baselines = {}
        for label, fields in (("question", ("title",)), ("question+answer", ("title", "body"))):
            bm25 = BM25Baseline(task.items, fields)
            ranked = [[key for key, _ in bm25.rank(q.text, len(task.items))] for q in task.queries]
            baselines[label] = ranking_metrics(ranked, task.queries)
        return {"ours": ours, "bm25": baselines}
    predictions = [keys[r.hits[0].key] if r.confident and r.hits else None for r in responses]
    bm25 = BM25Baseline(task.items, ("title",))
    tops = [next(iter(bm25.rank(q.text, 1)), None) for q in task.queries]
    bm25_accuracy, _ = best_threshold_accuracy(tops, task.queries)
    tops_ours = [(keys[r.hits[0].key], r.hits[0].score) if r.hits else None for r in responses]
    best_ours, best_threshold = best_threshold_accuracy(tops_ours, task.queries)
    return {
        "ours": classification_metrics(predictions, task.queries),
        "ours_best": (best_ours, best_threshold),
        "bm25_best": bm25_accuracy,
        "published": PUBLISHED_HINT3.get(task.name),
    }


def ranking_rows(results: dict[str, dict]) -> list[str]:
    rows = [
        "| task | queries | ours P@1 | ours MRR | ours R@5 "
        "| BM25 q P@1 / MRR / R@5 | BM25 q+a P@1 / MRR / R@5 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        ours, bm25 = result["ours"], result["bm25"]
        cells = [f"{ours[m]:.3f}" for m in ("P@1", "MRR", "R@5")]
        base = [" / ".join(f"{b[m]:.3f}" for m in ("P@1", "MRR", "R@5")) for b in bm25.values()]
        rows.append(f"| {name} | {result['n']} | " + " | ".join(cells + base) + " |")
    return rows


def hint3_rows(results: dict[str, dict], threshold: float) -> list[str]:
    rows = [
        f"| task | queries | ours: accuracy at the shipped threshold {threshold} | in-scope accuracy | "
        "out-of-scope recall | ours, best threshold on the test set | BM25, best threshold on the test set | "
        "best published |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        ours = result["ours"]
        best, at = result["ours_best"]
        published, system = result["published"]
        rows.append(
            f"| {name} | {result['n']} | {ours['accuracy']:.3f} | {ours['in-scope accuracy']:.3f} | "
            f"{ours['out-of-scope recall']:.3f} | {best:.3f} (at {at:.2f}) | {result['bm25_best']:.3f} | "
            f"{published:.3f} ({system}) |"
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="data folder (default: $SHARED_BENCH or ../shared/bench)")
    parser.add_argument("tasks", nargs="*", metavar="TASK", help=", ".join(TASK_NAMES))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ranking, classification = {}, {}
    threshold = None
    with tempfile.TemporaryDirectory() as workdir:
        for task in load_tasks(args.root, args.tasks or None):
            engine = engine_for(task, Path(workdir))
            threshold = engine.config.confidence_threshold
            result = evaluate(task, engine)
            result["n"] = len(task.queries)
            (ranking if task.kind == "ranking" else classification)[task.name] = result
    if ranking:
        print(*ranking_rows(ranking), sep="\n")
        print()
    if classification:
        print(*hint3_rows(classification, threshold), sep="\n")
        print()
    print(f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
