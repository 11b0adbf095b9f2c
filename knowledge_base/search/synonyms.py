"""Synonym lists: groups of words and phrases residents use for the same thing, per language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .analysis import analyzer_for

_DATA = Path(__file__).parent / "data"


class SynonymTable:
    """Finds the phrases of a query that belong to a synonym group and gives their equivalents."""

    def __init__(self, groups: list[list[str]] | None = None, lang: str = "en"):
        analyzer = analyzer_for(lang)
        self._groups: dict[tuple[str, ...], list[str]] = {}
        for group in groups or []:
            for phrase in group:
                key = tuple(analyzer.content_words(phrase))
                if key:
                    others = [other for other in group if other != phrase]
                    self._groups.setdefault(key, []).extend(others)
        self._longest = max((len(key) for key in self._groups), default=0)

    def __len__(self) -> int:
        return len(self._groups)

    def matches(self, words: list[str]) -> Iterator[tuple[int, int, list[str]]]:
        """(position, phrase length, equivalents) for each synonym phrase found, longest first."""
        for position in range(len(words)):
            for length in range(min(self._longest, len(words) - position), 0, -1):
                equivalents = self._groups.get(tuple(words[position : position + length]))
                if equivalents:
                    yield position, length, equivalents
                    break


def parse_synonyms(text: str) -> list[list[str]]:
    """One group a line, phrases separated by commas; '#' starts a comment."""
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        phrases = [phrase.strip() for phrase in line.split(",") if phrase.strip()]
        if len(phrases) > 1:
            groups.append(phrases)
    return groups


def load_synonyms(lang: str) -> SynonymTable:
    path = _DATA / f"synonyms-{lang}.txt"
    groups = parse_synonyms(path.read_text(encoding="utf-8")) if path.exists() else []
    return SynonymTable(groups, lang)
