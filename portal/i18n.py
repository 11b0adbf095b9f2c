"""Which language to serve: the resident's choice, then the browser's, then English."""

from __future__ import annotations

from flask import request, session

from .domain import DEFAULT_LANGUAGE, LANGUAGES, RIGHT_TO_LEFT


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES.keys()) or DEFAULT_LANGUAGE


def text_direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"
