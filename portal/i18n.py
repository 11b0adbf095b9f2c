"""Which language to serve: the resident's choice (this visit, then the remembered cookie), then the
browser's, then English. Also the page's direction and the language switcher's entries."""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request, session
from markupsafe import Markup

from .domain import DEFAULT_LANGUAGE, LANGUAGES, RIGHT_TO_LEFT

# The remembered choice on a resident's own device; never set on a kiosk, where a choice lasts one visit.
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE  # the command line and workers: English, unless they force a locale
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in LANGUAGES and not _on_a_kiosk():
        return remembered
    return request.accept_languages.best_match(LANGUAGES.keys()) or DEFAULT_LANGUAGE


def _on_a_kiosk() -> bool:
    from .channel import current_channel

    return current_channel() == "kiosk"


def text_direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def html_language_attributes(lang: str) -> Markup:
    """The value of GOV.UK's `htmlLang`, which its template writes into `<html lang="…">` unescaped; it
    carries the direction too, since the template has no other way to set attributes on `<html>`.
    Both parts come from our own list of languages, escaped all the same."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    return Markup('{}" dir="{}').format(lang, text_direction(lang))


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str
    dir: str


def language_choices() -> list[LanguageChoice]:
    """Every language the portal speaks, each named in itself, in the order of the domain's list."""
    return [LanguageChoice(code, name, text_direction(code)) for code, name in LANGUAGES.items()]
