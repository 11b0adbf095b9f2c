"""Calibrate the confidence threshold the product ships with, without looking at any test set.

Run from the project root:  .venv/bin/python -m bench.calibrate

For each HINT3 bot, every fifth training sentence of each label is held out and the rest indexed (one
article per label). In-scope queries are the held-out sentences (right if the top answer is their label
and the engine is confident); out-of-scope queries are the other bots' training sentences (right if the
engine is not confident). The council's own sample articles add in-scope queries the same way (every
fourth alternative question held out). The threshold printed is the one with the best mean of in-scope
accuracy and out-of-scope recall over all of these; EngineConfig.confidence_threshold carries it."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.tasks import HINT3_BOTS, bench_root
from knowledge_base.markdown import plain_text
from knowledge_base.records import read_content_dir
from knowledge_base.search.engine import Document, EngineConfig, SearchEngine

CONTENT = Path(__file__).resolve().parent.parent / "knowledge_base" / "content"


def _train_sentences(bot: str) -> dict[str, list[str]]:
    path = bench_root() / "extras" / "hint3_v2" / f"train_{bot}_train.csv"
    by_label: dict[str, list[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            by_label.setdefault(row["label"].strip(), []).append(row["sentence"].strip())
    return by_label


def _split(by_label: dict[str, list[str]], every: int):
    documents, held_out = [], []
    for label, sentences in by_label.items():
        kept = [s for i, s in enumerate(sentences) if i % every != every - 1] or sentences[:1]
        held_out += [
            (s, label) for i, s in enumerate(sentences) if i % every == every - 1 and len(sentences) > 1
        ]
        documents.append(Document(label, "en", kept[0], tuple(kept[1:])))
    return documents, held_out


def _council_split():
    documents, held_out = [], []
    for record in read_content_dir(CONTENT):
        if record.lang != "en":
            continue
        kept = [q for i, q in enumerate(record.questions) if i % 4 != 3]
        held_out += [(q, record.slug) for i, q in enumerate(record.questions) if i % 4 == 3]
        documents.append(
            Document(
                record.slug, "en", record.title, tuple(kept), tuple(record.keywords), plain_text(record.body)
            )
        )
    return documents, held_out


def collect(config: EngineConfig) -> tuple[list[tuple[float, bool]], list[float]]:
    """(top score, top is right) for in-scope queries, and top scores for out-of-scope ones."""
    bots = {bot: _train_sentences(bot) for bot in HINT3_BOTS}
    in_scope, out_of_scope = [], []
    splits = {bot: _split(sentences, 5) for bot, sentences in bots.items()}
    splits["council"] = _council_split()
    for name, (documents, held_out) in splits.items():
        engine = SearchEngine(documents, config)
        for query, label in held_out:
            best = engine.search(query, "en", 1).best
            in_scope.append((best.score, best.key == label) if best else (0.0, False))
        others = [s for bot, by_label in bots.items() if bot != name for ss in by_label.values() for s in ss]
        for query in others[::3]:
            best = engine.search(query, "en", 1).best
            out_of_scope.append(best.score if best else 0.0)
    return in_scope, out_of_scope


def best_threshold(in_scope, out_of_scope) -> tuple[float, float, float, float]:
    scores = np.array([s for s, _ in in_scope])
    right = np.array([r for _, r in in_scope])
    oos = np.array(out_of_scope)
    best = (0.0, 0.0, 0.0, 0.0)
    for threshold in np.arange(0.20, 0.80, 0.01):
        accuracy = float(np.mean(right & (scores >= threshold)))
        recall = float(np.mean(oos < threshold))
        balanced = (accuracy + recall) / 2
        if balanced > best[0]:
            best = (balanced, round(float(threshold), 2), accuracy, recall)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    config = EngineConfig()
    balanced, threshold, accuracy, recall = best_threshold(*collect(replace(config)))
    print(
        f"threshold {threshold:.2f}: in-scope accuracy {accuracy:.3f}, out-of-scope recall {recall:.3f}, "
        f"mean {balanced:.3f} (shipped: {config.confidence_threshold:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
