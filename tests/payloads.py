"""Hostile input for the security tests: one list for every way in (the forms, search, chat, the JSON API,
Open311), and the checks that what comes back is inert.

- HTML: no element or attribute was made from the input (no <script> running alert, no on... attribute,
  no javascript: address), no template was evaluated, and markup-bearing input never appears unescaped.
- XML: the document parses, and holds only the elements its format names.
- Email: a message built for a resident has the headers it was built with and one recipient, nothing else.

What a text field keeps is what was typed, less control and invisible format characters (the forms drop
them, see portal.forms.strip_and_clean; Open311 drops the C0 controls, see crm_bridge.open311.intake)."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import lru_cache

import pytest
from bs4 import BeautifulSoup


@dataclass(frozen=True)
class Payload:
    name: str
    text: str
    family: str  # markup, template, markdown, sql, traversal, header, csv, size, unicode, plain

    def __str__(self) -> str:
        return self.name


def _payloads(family: str, items: dict[str, str]) -> list[Payload]:
    return [Payload(name, text, family) for name, text in items.items()]


# `{{ 7*191919 }}` evaluated gives TEMPLATE_MARK: a number no page holds otherwise.
TEMPLATE_MARK = "1343433"
MARKUP = _payloads(
    "markup",
    {
        "script": "<script>alert(1)</script>",
        "attribute breakout": '"><img src=x onerror=alert(1)>',
        "single-quote breakout": "'><svg onload=alert(1)>",
        "textarea breakout": "</textarea><script>alert(1)</script>",
        "title breakout": "</title><script>alert(1)</script><title>",
        "javascript address": "javascript:alert(1)",
        "unquoted attribute": "x onfocus=alert(1) autofocus",
        "attribute words at the end": "bins autocomplete=on",
        "comment and CDATA": "<!--<script>alert(1)//--><![CDATA[<script>alert(1)</script>]]>",
    },
)
TEMPLATE = _payloads(
    "template",
    {
        "jinja expression": "{{7*7}} {{ 7*191919 }}",
        "jinja config": "{{config}} {{ config.SECRET_KEY }} {{ self.__init__.__globals__ }}",
        "jinja statement": "{% for x in range(3) %}loop{% endfor %}{% raw %}x{% endraw %}",
        "other engines": "${7*191919} #{7*191919} <%= 7*191919 %> [[${7*191919}]]",
        "babel placeholder": "%(name)s %s {0} {name}",
    },
)
MARKDOWN = _payloads(
    "markdown",
    {
        "markdown link": "[x](javascript:alert(1))",
        "markdown image": "![x](javascript:alert(1)) ![y](https://evil.example/track.png)",
        "markdown autolink": "<javascript:alert(1)> [z]: javascript:alert(1)",
        "markdown html": '<a href="javascript:alert(1)">click</a> <b onclick=alert(1)>b</b>',
    },
)
SQL = _payloads(
    "sql",
    {
        "or true": "' OR '1'='1",
        "drop table": "'; DROP TABLE crm_case; --",
        "union select": "1 UNION SELECT email, password_hash FROM staff_user --",
        "comment and quote": "1\"; SELECT pg_sleep(0); /* \\' */",
        "like wildcards": "%_%' OR 1=1 --",
    },
)
TRAVERSAL = _payloads(
    "traversal",
    {
        "dot dot slash": "../../etc/passwd",
        "encoded dot dot slash": "..%2f..%2fetc%2fpasswd",
        "encoded NUL": "photo.jpg%00.png",
        "backslashes": "..\\..\\windows\\win.ini",
        "absolute path": "/etc/passwd",
    },
)
HEADER = _payloads(
    "header",
    {
        "CRLF header": "foo\r\nSet-Cookie: x=y",
        "encoded CRLF header": "a%0d%0aLocation: http://evil.example",
        "email header": "ann@example.com\r\nBcc: evil@example.net",
        "bare LF": "foo\nX-Injected: yes",
    },
)
CSV = _payloads(
    "csv",
    {
        "formula": '=HYPERLINK("https://evil.example","click")',
        "plus formula": "+cmd|' /C calc'!A0",
        "at formula": "@SUM(1+1)*cmd|' /C calc'!A0",
    },
)
SIZE = _payloads(
    "size",
    {
        "10,000 characters": "<i>x</i>" * 1250,
        "one long word": "a" * 5001,
    },
)
UNICODE = _payloads(
    "unicode",
    {
        "NUL": "bin\x00day",
        "NUL inside markup": "<scr\x00ipt>alert(1)</scr\x00ipt>",
        "escape": "\x1b[31mbins",
        "right-to-left override": "\u202ebins\u202c day",
        "zero width and BOM": "\ufeffbins\u200b day",
        "Arabic": "مرحبا، أين صندوقي؟",
        "emoji with joiner": "👩\u200d🔧 fixed my bin",
        "combining marks": "b\u0337\u0322i\u0335n\u0338s",
        "no-break space": "bins\u00a0day",
        "CRLF lines": "line one\r\nline two",
    },
)
PLAIN = _payloads("plain", {"empty": "", "only spaces": "   "})

PAYLOADS: list[Payload] = [*MARKUP, *TEMPLATE, *MARKDOWN, *SQL, *TRAVERSAL, *HEADER, *CSV, *SIZE, *UNICODE]
EVERYTHING: list[Payload] = [*PAYLOADS, *PLAIN]
# Those with markup, template or Markdown syntax, or a "<": what pages showing stored text again get.
MARKUP_BEARING: list[Payload] = [
    payload
    for payload in PAYLOADS
    if payload.family in ("markup", "template", "markdown") or "<" in payload.text
]
# Short enough for any free-text field of 200 characters or more.
SHORT: list[Payload] = [payload for payload in PAYLOADS if len(payload.text) <= 200]
BY_NAME = {payload.name: payload for payload in EVERYTHING}

# `next=` and other addresses a redirect is built from: each must end on this site, on one header.
REDIRECTS = {
    "other host": "https://evil.example/",
    "scheme-relative": "//evil.example/",
    "backslash": "/\\evil.example/",
    "tab inside": "/\t/evil.example/",
    "javascript": "javascript:alert(1)",
    "CRLF header": "/search\r\nSet-Cookie: x=y",
    "encoded CRLF header": "/search%0d%0aSet-Cookie:%20x=y",
    "encoded slashes": "/%2F%2Fevil.example/",
    "user info": "https://localhost@evil.example/",
    "data": "data:text/html,<script>alert(1)</script>",
}


# What a database could store or compare differently: SQL, control and other Unicode characters, size, line
# breaks and paths. Markup, template, Markdown and formula payloads are plain strings to both databases.
DATABASE_FAMILIES = ("sql", "unicode", "size", "header", "traversal")


def for_database(app, payloads: Iterable[Payload] = PAYLOADS) -> list[Payload]:
    """Every payload on SQLite, where the pages' checks run with all of them; on PostgreSQL only those whose
    handling could differ by database (DATABASE_FAMILIES): the suite runs twice, and rendering does not."""
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    return [p for p in payloads if not postgresql or p.family in DATABASE_FAMILIES]


def each(payloads: Iterable[Payload] = PAYLOADS):
    payloads = list(payloads)
    return pytest.mark.parametrize("payload", payloads, ids=[payload.name for payload in payloads])


def form_kept(text: str) -> str:
    """What a form's text field keeps: control and invisible format characters dropped (not line breaks,
    tabs or the joiners), other spaces made plain, the ends trimmed."""
    spaced = (" " if unicodedata.category(ch) == "Zs" else ch for ch in text)
    return "".join(ch for ch in spaced if ch in "\n\t\u200c\u200d" or ch.isprintable()).strip()


OPEN311_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def open311_kept(text: str) -> str:
    """What Open311 keeps: the C0 control characters (bar tab and line breaks) dropped, the ends trimmed."""
    return OPEN311_CONTROL.sub("", text).strip()


# --- HTML --------------------------------------------------------------------------------------------------

URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "xlink:href",
    "srcdoc",
    "background",
)
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
NEVER_ELEMENTS = ("iframe", "object", "embed", "base", "frame", "frameset", "applet")
# Text holding one of these must never be found verbatim in a page: unescaped, it would open an element.
# (A quote or ">" alone is harmless in text; in an attribute it would show up as an attribute of its own.)
MARKUP_CHARACTERS = ("<",)


def _address(value: str) -> str:
    """An address as a browser reads its scheme: whitespace and control characters ignored, any case."""
    return "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()


@lru_cache(maxsize=16)
def _parsed(html: str) -> BeautifulSoup:
    # Browsers read a NUL as U+FFFD; Python's parser would otherwise lose its place at one.
    return BeautifulSoup(html.replace("\x00", "\ufffd"), "html.parser")


def soup_of(response_or_html) -> BeautifulSoup:
    """The page parsed once, however many checks read it (treat it as read-only)."""
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.get_data(as_text=True)
    return _parsed(html)


def field_message(response_or_html, field_id: str) -> str | None:
    """The GOV.UK error message next to a field, or None when the field shows none."""
    element = soup_of(response_or_html).find(id=field_id)
    group = element.find_parent(class_="govuk-form-group") if element is not None else None
    message = group.find(class_="govuk-error-message") if group is not None else None
    return " ".join(message.get_text(" ").split()).removeprefix("Error: ") if message is not None else None


def shown_values(response_or_html) -> dict[str, str]:
    """What the page's main form holds in its text boxes and text areas, by name (the first of a name)."""
    values: dict[str, str] = {}
    form = soup_of(response_or_html).find("main").find("form", method="post")
    for box in form.find_all("input", type=["text", "email", "tel"]):
        values.setdefault(box["name"], box.get("value", ""))
    for area in form.find_all("textarea"):
        values.setdefault(area["name"], area.get_text().removeprefix("\n"))
    return values


def html_problems(html: str, payloads: Iterable[Payload | str] = ()) -> list[str]:
    """Everything in a page that hostile input could have made; [] for an inert page."""
    problems = []
    soup = _parsed(html)
    for element in soup.find_all(True):
        if element.name in NEVER_ELEMENTS:
            problems.append(f"<{element.name}> element")
        if element.name == "script" and "alert" in element.get_text():
            problems.append(f"script running alert: {element}")
        if element.name == "img" and element.get("src") == "x":
            problems.append(f"injected image: {element}")
        if element.name == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append("meta refresh")
        for attribute, value in element.attrs.items():
            if attribute.lower().startswith("on"):
                problems.append(f"event handler {attribute} on <{element.name}>")
            url = attribute.lower() in URL_ATTRIBUTES and isinstance(value, str)
            if url and _address(value).startswith(BAD_SCHEMES):
                problems.append(f"{attribute}={value!r} on <{element.name}>")
    page_text = soup.get_text(" ")
    if TEMPLATE_MARK in page_text or TEMPLATE_MARK in html or "looploop" in page_text:
        problems.append("a template was evaluated")
    if "test-secret" in html or "<Config " in page_text:
        problems.append("the configuration was shown")
    for payload in payloads:
        text = payload.text if isinstance(payload, Payload) else payload
        for variant in {text, form_kept(text), open311_kept(text)}:
            if any(ch in variant for ch in MARKUP_CHARACTERS) and variant in html:
                problems.append(f"unescaped: {variant[:60]!r}")
    return problems


def response_problems(response, *payloads: Payload | str) -> list[str]:
    """A 5xx, or what html_problems finds in the page; a redirect has no page of its own to check."""
    if response.status_code in (301, 302, 303, 307, 308):
        return []
    found = [f"status {response.status_code}"] if response.status_code >= 500 else []
    return found + html_problems(response.get_data(as_text=True), payloads)


def assert_inert_html(response_or_html, *payloads: Payload | str) -> None:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.get_data(as_text=True)
    assert html_problems(html, payloads) == []


# --- XML ---------------------------------------------------------------------------------------------------


def xml_problems(body: bytes, allowed_elements: Iterable[str]) -> list[str]:
    """[] when the document parses and every element is one its format names (none made from input)."""
    allowed = set(allowed_elements)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    problems = [
        f"unexpected element <{element.tag}>" for element in root.iter() if element.tag not in allowed
    ]
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        problems.append("a DOCTYPE or entity declaration")
    if body.count(b"<?") != 1:
        problems.append("a processing instruction besides the XML declaration")
    return problems


# --- Email -------------------------------------------------------------------------------------------------


def parsed_email(message: EmailMessage):
    """The message as a receiving mail system reads it back from the wire."""
    return BytesParser(policy=policy.default).parsebytes(message.as_bytes())


def email_problems(message: EmailMessage, headers: Iterable[str], recipient: str) -> list[str]:
    """[] when the message, read back, has exactly these headers and one recipient, `recipient`."""
    received = parsed_email(message)
    expected = {name.lower() for name in headers}
    problems = [f"extra header {name}" for name in list(received) if name.lower() not in expected]
    problems += [f"{name} repeated" for name in expected if len(received.get_all(name) or []) > 1]
    addresses = [address.addr_spec for address in received["To"].addresses] if received["To"] else []
    if addresses != [recipient]:
        problems.append(f"recipients {addresses}, not [{recipient!r}]")
    for name in ("Bcc", "Cc", "Set-Cookie", "X-Injected"):
        if received[name] is not None:
            problems.append(f"{name} header")
    return problems
