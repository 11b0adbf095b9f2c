"""Every string a user reads in a template goes through Babel: text between tags and the attributes people
read (title, alt, aria-label, placeholder, a button's value), and the `text`, `html`, `titleText`,
`label` and `hint` of GOV.UK macro calls. Jinja tags, expressions and comments are removed first, so what
is left is written in the HTML itself, untranslated; any of it with a letter fails the test, unless it is
in the short list below, each with its reason."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "portal" / "templates", ROOT / "kiosk" / "templates"]
TEMPLATES = sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))

READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-roledescription"}
LETTER = re.compile(r"[^\W\d_]")

# Text left in the HTML on purpose: (template, text) -> why it is not translated.
ALLOWED: dict[tuple[str, str], str] = {
    ("portal/templates/eforms/photos.html", 'enctype="multipart/form-data"'): (
        "an attribute the page adds to its form through a block, not text anyone reads"
    ),
}

MACRO_KEYS = {"text", "html", "titleText", "label", "hint", "legend", "descriptionText"}
LEXER = jinja2.Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])


def _split(source: str) -> tuple[str, list[str]]:
    """The template's own HTML (Jinja removed, and `{% trans %}` blocks with it), and the literal strings
    given as the readable text of a macro call ({"text": "…"} rather than {"text": _("…")})."""
    html: list[str] = []
    literals: list[str] = []
    tokens = [(kind, value) for _line, kind, value in LEXER.lex(source) if kind != "whitespace"]
    in_trans = False
    for index, (kind, value) in enumerate(tokens):
        if kind == "name" and index and tokens[index - 1][0] == "block_begin":
            in_trans = value == "trans" or (in_trans and value != "endtrans")
        elif kind == "data" and not in_trans:
            html.append(value)
        elif (
            kind == "string"
            and index >= 2
            and tokens[index - 1] == ("operator", ":")
            and tokens[index - 2][0] == "string"
            and tokens[index - 2][1][1:-1] in MACRO_KEYS
            and LETTER.search(value)
        ):
            literals.append(value[1:-1])
    return "".join(html), literals


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and attributes.get("type") in ("submit", "button", "reset")
            )
            if readable and value and LETTER.search(value):
                self.found.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and LETTER.search(data):
            self.found.append(" ".join(data.split()))


def unmarked_strings(source: str) -> list[str]:
    """The strings users read that are not inside `_()`, `ngettext()` or `{% trans %}`."""
    html, found = _split(source)
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return found + reader.found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_string_in_the_template_is_marked_for_translation(template):
    name = str(template.relative_to(ROOT))
    unmarked = [text for text in unmarked_strings(template.read_text()) if (name, text) not in ALLOWED]

    assert unmarked == [], f"{name}: wrap these in {{{{ _('…') }}}}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>{{ _('Hello') }}</p>", []),
        ("<p>Hello</p>", ["Hello"]),
        ("<p>{% trans %}Hello{% endtrans %}</p>", []),
        ("{# a note #}<p>©, – ·</p>", []),
        ('<img alt="A photo">', ["A photo"]),
        ("<img alt=\"{{ _('A photo') }}\">", []),
        ('<input type="submit" value="Go">', ["Go"]),
        ('<button type="submit" name="choice" value="yes">{{ _("Yes") }}</button>', []),
        ('{{ f({"value": {"text": _("A")}, "rows": [{"key": {"text": "B"}}]}) }}', ["B"]),
        ('<input type="hidden" name="next" value="somewhere">', []),
        ('{{ govukButton({"text": "Save"}) }}', ["Save"]),
        ('{{ govukButton({"text": _("Save")}) }}', []),
        ("<script>var label = 'Not read';</script>", []),
    ],
)
def test_the_check_finds_unmarked_strings(source, expected):
    assert unmarked_strings(source) == expected
