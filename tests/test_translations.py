"""The Babel catalogues: every marked string extracted, and every language complete, unfuzzy and with the
same named placeholders as the English."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.domain import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
TRANSLATED_LANGUAGES = sorted(set(LANGUAGES) - {"en"})


def read(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def ids(catalogue) -> set:
    return {
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in catalogue
        if message.id
    }


def test_the_template_holds_every_marked_string(tmp_path):
    """`make messages` was run after the last change to user-facing text."""
    extracted = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
               "-k", "lazy_gettext", "--no-location", "-o", str(extracted),
               "portal", "kiosk", "crm_bridge", "knowledge_base"]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    missing = ids(read(extracted)) - ids(read(TEMPLATE))
    stale = ids(read(TEMPLATE)) - ids(read(extracted))
    assert not missing, (
        f"run `make messages`: not in translations/messages.pot: {sorted(map(str, missing))[:10]}"
    )
    assert not stale, f"run `make messages`: no longer in the code: {sorted(map(str, stale))[:10]}"


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_every_language_is_complete_and_not_fuzzy(lang):
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalogue for {lang}"
    catalogue = read(path)
    assert ids(catalogue) == ids(read(TEMPLATE)), f"run `make messages` to bring {lang} up to date"
    untranslated = [m.id for m in catalogue if m.id and not _translated(m)]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [], f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{lang}: fuzzy: {fuzzy[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_translations_keep_the_named_placeholders(lang):
    catalogue = read(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            found = set(PLACEHOLDER.findall(string or ""))
            # A plural form may leave out %(num)d (Arabic's "one" and "two" forms name the number in words).
            if found - expected or (expected - found) - {"num"}:
                wrong.append((message.id, string))
    assert wrong == [], f"{lang}: placeholders differ: {wrong[:5]}"


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(string and string.strip() for string in strings)
