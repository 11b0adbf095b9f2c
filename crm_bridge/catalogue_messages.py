"""A Babel extractor for the service catalogue, so its names, descriptions, questions, hints and choices
are translated like every other string (babel.cfg maps crm_bridge/data/request-types.yaml to it)."""

from __future__ import annotations

from collections.abc import Iterator

import yaml

TRANSLATABLE_KEYS = ("name", "description", "details_label")
QUESTION_KEYS = ("label", "hint")


def catalogue_strings(data: dict) -> Iterator[str]:
    defaults = data.get("defaults", {})
    yield from (defaults[key] for key in TRANSLATABLE_KEYS if defaults.get(key))
    for request_type in data.get("request_types", []):
        yield from (request_type[key] for key in TRANSLATABLE_KEYS if request_type.get(key))
        for question in request_type.get("questions", []):
            yield from (question[key] for key in QUESTION_KEYS if question.get(key))
            yield from (str(choice["label"]) for choice in question.get("choices", []))


def extract_catalogue(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel's extractor interface: (line number, function name, message, comments)."""
    data = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    for message in dict.fromkeys(catalogue_strings(data)):
        yield 0, "gettext", message, ["service catalogue"]
