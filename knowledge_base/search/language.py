"""Which of our languages a search query is typed in, when that is clear (lingua). Pure: no Flask, no
database.

A guess is made only when it is safe: a query in Arabic script is Urdu or Arabic (lingua decides between
the two, however short the query); a query in Latin script needs at least a few words and letters, and
the best language must lead the next by a clear margin. Otherwise the answer is None and the search stays
in the interface's language."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LINGUA_LANGUAGES: dict[str, Language] = {
    "en": Language.ENGLISH,
    "cy": Language.WELSH,
    "pl": Language.POLISH,
    "ro": Language.ROMANIAN,
    "ur": Language.URDU,
    "ar": Language.ARABIC,
}
ARABIC_SCRIPT = frozenset({"ur", "ar"})
MIN_WORDS = 3
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.6  # the best language's share of the confidence
MIN_LEAD = 0.3  # how far ahead of the next language it must be

_detector: LanguageDetector | None = None
_lock = threading.Lock()


def _lingua() -> LanguageDetector:
    """Built once, on first use (it loads its models lazily), shared by every thread."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = LanguageDetectorBuilder.from_languages(*LINGUA_LANGUAGES.values()).build()
    return _detector


def _script_of(text: str) -> str | None:
    """'arabic', 'latin', or None when the letters are mixed or there are none."""
    scripts = set()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            scripts.add("arabic" if name.startswith("ARABIC") else "latin" if "LATIN" in name else "other")
    return scripts.pop() if len(scripts) == 1 else None


def detect_query_language(text: str, candidates: Iterable[str] = LINGUA_LANGUAGES) -> str | None:
    """The language of `text` if it is one of `candidates` (our language codes), or None when unsure.

    lingua weighs all our languages of the query's script, so a query in a language that is not a
    candidate is not mistaken for the nearest candidate."""
    script = _script_of(text)
    if script == "arabic":
        best = _best(text, sorted(ARABIC_SCRIPT), min_confidence=0.0, min_lead=0.0)
    elif script == "latin":
        letters = sum(char.isalpha() for char in text)
        if len(text.split()) < MIN_WORDS or letters < MIN_LETTERS:
            return None
        latin = [code for code in LINGUA_LANGUAGES if code not in ARABIC_SCRIPT]
        best = _best(text, latin, min_confidence=MIN_CONFIDENCE, min_lead=MIN_LEAD)
    else:
        return None
    return best if best in set(candidates) else None


def _best(text: str, choices: list[str], *, min_confidence: float, min_lead: float) -> str | None:
    by_language = {LINGUA_LANGUAGES[code]: code for code in choices}
    values = [
        value for value in _lingua().compute_language_confidence_values(text) if value.language in by_language
    ]
    total = sum(value.value for value in values)
    if not total:
        return None
    values.sort(key=lambda value: value.value, reverse=True)
    best = values[0].value / total
    runner_up = values[1].value / total if len(values) > 1 else 0.0
    if best < min_confidence or best - runner_up < min_lead:
        return None
    return by_language[values[0].language]
