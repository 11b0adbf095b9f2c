"""Plain BM25 baseline and the metrics of shared/bench/README.md.

``python -m bench.baseline [--root PATH] [TASK ...]`` prints the baseline beside the README's figures
and exits non-zero if any figure is off by more than ``TOLERANCE``.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.tasks import TASK_NAMES, Item, Query, Task, load_tasks

TOKEN = re.compile(r"\w+")
FIELD_SETS = {"question": ("title",), "question+answer": ("title", "body")}
TOLERANCE = 0.01

# README figures: (P@1, MRR, R@5) per field set, and HINT3 accuracy with the best threshold.
README: dict[str, dict[str, tuple[float, ...]]] = {
    "COVID-QA-EN": {"question": (0.475, 0.592, 0.725), "question+answer": (0.483, 0.594, 0.729)},
    "COVID-QA-DE": {"question": (0.193, 0.273, 0.346), "question+answer": (0.175, 0.280, 0.393)},
    "StackFAQ": {"question": (0.576, 0.604, 0.610), "question+answer": (0.679, 0.767, 0.885)},
    "GOV.UK": {"question": (0.309, 0.398, 0.489)},
    "HINT3-sofmattress": {"question": (0.607,)},
    "HINT3-curekart": {"question": (0.664,)},
    "HINT3-powerplay11": {"question": (0.692,)},
}


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


class BM25Baseline:
    """Okapi BM25 with k1=1.2, b=0.75 and Lucene's idf, ln(1 + (N - n + 0.5) / (n + 0.5)).

    One document per item, made of the chosen fields: "title" is the question together with
    the alternative questions, "body" the answer. Lower-cased ``\\w+`` tokens, no stemming,
    no stop words; a repeated query term counts each time; ties keep the corpus order.
    """

    def __init__(
        self, items: Sequence[Item], fields: Sequence[str] = ("title",), k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.keys = [item.key for item in items]
        docs = [tokenize(" ".join(self._texts(item, fields))) for item in items]
        lengths = np.array([len(doc) for doc in docs], dtype=float)
        norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1e-9))
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        n = len(docs)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, tfs) in postings.items():
            idx, tf = np.array(ids), np.array(tfs, dtype=float)
            idf = math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            self.postings[term] = idx, idf * tf * (k1 + 1) / (tf + norm[idx])

    @staticmethod
    def _texts(item: Item, fields: Sequence[str]) -> list[str]:
        texts = []
        if "title" in fields:
            texts += [item.title, *item.questions]
        if "body" in fields:
            texts.append(item.body)
        return texts

    def scores(self, text: str) -> np.ndarray:
        scores = np.zeros(len(self.keys))
        for term in tokenize(text):
            if term in self.postings:
                idx, weights = self.postings[term]
                scores[idx] += weights  # idx is unique within a posting list
        return scores

    def rank(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """(key, score) best first, only items with a score above 0."""
        scores = self.scores(text)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(self.keys[i], float(scores[i])) for i in order if scores[i] > 0]


def ranking_metrics(
    rankings: Sequence[Sequence[str]], queries: Sequence[Query], cutoff: int | None = None
) -> dict[str, float]:
    """P@1: the first key is relevant. MRR: 1/rank of the first relevant key in the ranking (no
    cut-off unless given; 0 if absent). R@5: a relevant key is in the top 5 (hit rate, not recall)."""
    p1 = mrr = r5 = 0.0
    for ranking, query in zip(rankings, queries, strict=True):
        ranks = [r for r, key in enumerate(ranking[:cutoff], 1) if key in query.relevant]
        first = ranks[0] if ranks else math.inf
        p1 += first == 1
        mrr += 1 / first
        r5 += first <= 5
    n = max(len(queries), 1)
    return {"P@1": p1 / n, "MRR": mrr / n, "R@5": r5 / n}


def classification_metrics(predictions: Sequence[str | None], queries: Sequence[Query]) -> dict[str, float]:
    """A prediction is the top key when confident, else None; an out-of-scope query (no relevant
    key) is answered right by None."""
    in_scope = [p in q.relevant for p, q in zip(predictions, queries, strict=True) if q.relevant]
    out_of_scope = [p is None for p, q in zip(predictions, queries, strict=True) if not q.relevant]
    both = in_scope + out_of_scope
    return {
        "accuracy": sum(both) / max(len(both), 1),
        "in-scope accuracy": sum(in_scope) / max(len(in_scope), 1),
        "out-of-scope recall": sum(out_of_scope) / max(len(out_of_scope), 1),
    }


def predict(tops: Sequence[tuple[str, float] | None], threshold: float) -> list[str | None]:
    """Top key if its score reaches the threshold, else None ("not confident")."""
    return [top[0] if top and top[1] >= threshold else None for top in tops]


def best_threshold_accuracy(
    tops: Sequence[tuple[str, float] | None], queries: Sequence[Query]
) -> tuple[float, float]:
    """(accuracy, threshold) with the threshold chosen on these very queries: an upper bound."""
    candidates = sorted({top[1] for top in tops if top}) + [math.inf]
    accuracy, threshold = max(
        (classification_metrics(predict(tops, t), queries)["accuracy"], -t) for t in candidates
    )
    return accuracy, -threshold  # ties go to the lowest threshold


def evaluate(task: Task) -> tuple[list[str], float]:
    """Table rows for one task (ours, README in brackets) and the largest deviation from the README."""
    rows, worst = [], 0.0
    for label, reference in README[task.name].items():
        bm25 = BM25Baseline(task.items, FIELD_SETS[label])
        note = ""
        if task.kind == "ranking":
            rankings = [[key for key, _ in bm25.rank(q.text, len(task.items))] for q in task.queries]
            figures = list(ranking_metrics(rankings, task.queries).values())
        else:
            tops = [next(iter(bm25.rank(q.text, 1)), None) for q in task.queries]
            accuracy, threshold = best_threshold_accuracy(tops, task.queries)
            metrics = classification_metrics(predict(tops, threshold), task.queries)
            figures = [accuracy]
            note = (
                f"  at score >= {threshold:.2f}: in-scope {metrics['in-scope accuracy']:.3f},"
                f" out-of-scope recall {metrics['out-of-scope recall']:.3f}"
            )
        worst = max([worst, *(abs(x - r) for x, r in zip(figures, reference, strict=True))])
        cells = "  ".join(f"{x:.3f} ({r:.3f})" for x, r in zip(figures, reference, strict=True))
        rows.append(f"{task.name:<18} {label:<16} {len(task.queries):>5}  {cells}{note}")
    return rows, worst


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="data folder (default: $SHARED_BENCH or ../shared/bench)")
    parser.add_argument("tasks", nargs="*", metavar="TASK", help=", ".join(TASK_NAMES))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    print("BM25 (k1=1.2, b=0.75, Lucene idf); ours (README)")
    print(f"{'task':<18} {'fields':<16} {'n':>5}  {'P@1 / accuracy':<13}  {'MRR':<13}  R@5")
    worst = 0.0
    for task in load_tasks(args.root, args.tasks or None):
        rows, deviation = evaluate(task)
        print(*rows, sep="\n")
        worst = max(worst, deviation)
    verdict = "OK" if worst <= TOLERANCE else "MISMATCH"
    print(f"largest deviation from README {worst:.3f} ({verdict}); {time.perf_counter() - start:.1f} s")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
