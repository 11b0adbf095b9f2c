"""Text normalisation for the search engine: one analyser per language, no Flask and no database."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import Stemmer
import stopwordsiso

_DATA = Path(__file__).parent / "data"
_WORD = re.compile(r"\w+", re.UNICODE)
# Control characters, and lone surrogates (text decoded from bad input) that no database can store.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

# Snowball algorithms by language code; languages without one are matched on folded words only.
_STEMMERS = {
    "en": "english",
    "de": "german",
    "pl": "polish",
    "ro": "romanian",
    "ar": "arabic",
    "fr": "french",
    "es": "spanish",
}
# Arabic-script languages keep their letters; only the harakat and tatweel are dropped below.
_KEEP_MARKS = {"ar", "ur", "fa"}


def _read_word_list(name: str) -> frozenset[str]:
    text = (_DATA / name).read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(word for line in lines for word in line.split())


@cache
def stop_words(lang: str) -> frozenset[str]:
    own = _DATA / f"stopwords-{lang}.txt"
    if own.exists():
        words = _read_word_list(own.name)
    elif stopwordsiso.has_lang(lang):
        words = frozenset(stopwordsiso.stopwords(lang))
    else:
        words = frozenset()
    # "don't" and "mae'r" reach the index as "don" "t" and "mae" "r": their pieces are stop words too.
    pieces = {piece for word in words for piece in _WORD.findall(fold(word, lang))}
    return frozenset(fold(word, lang) for word in words) | pieces


def fold(text: str, lang: str = "en") -> str:
    """Case-fold and strip accents (diacritics) so 'Café' and 'cafe' meet.

    Decomposed first: styled letters pasted from social media ('𝐁𝐢𝐧', 'ℌ') have no case of their own and
    only become capitals ('B', 'H') when decomposed, so they are case-folded after that."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    if lang in _KEEP_MARKS:
        return "".join(ch for ch in text if not ("\u064b" <= ch <= "\u065f" or ch == "\u0640"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def clean_query(text: str, max_length: int = 500) -> str:
    """What residents type, made safe to analyse and to log: no control characters, bounded length."""
    text = _CONTROL.sub(" ", text or "")
    return " ".join(text.split())[:max_length].rstrip()  # a cut just after a word leaves no space behind


class Analyzer:
    """Turns text into folded words and into index terms (stop words dropped, stemmed)."""

    def __init__(self, lang: str):
        self.lang = lang
        algorithm = _STEMMERS.get(lang)
        self._stemmer = Stemmer.Stemmer(algorithm) if algorithm else None
        self.stop_words = stop_words(lang)

    def words(self, text: str) -> list[str]:
        return _WORD.findall(fold(text, self.lang).replace("_", " "))

    def content_words(self, text: str) -> list[str]:
        return [word for word in self.words(text) if word not in self.stop_words]

    def stem(self, word: str) -> str:
        return self._stemmer.stemWord(word) if self._stemmer else word

    def terms(self, text: str) -> list[str]:
        return [self.stem(word) for word in self.content_words(text)]


@cache
def analyzer_for(lang: str) -> Analyzer:
    return Analyzer(lang)
