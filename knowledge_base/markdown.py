"""Article bodies: Markdown rendered to sanitised HTML styled as GOV.UK, and to plain text for search."""

from __future__ import annotations

from functools import lru_cache
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in Markdown is switched off, and nh3 removes anything else that is not on this list.
ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "a", "strong", "em", "code", "blockquote", "br", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "*": {"class"}}
GOVUK_CLASSES = {
    "heading_open": {"h2": "govuk-heading-m", "h3": "govuk-heading-s", "h4": "govuk-heading-s"},
    "paragraph_open": {"p": "govuk-body"},
    "bullet_list_open": {"ul": "govuk-list govuk-list--bullet"},
    "ordered_list_open": {"ol": "govuk-list govuk-list--number"},
    "link_open": {"a": "govuk-link"},
    "table_open": {"table": "govuk-table"},
    "tr_open": {"tr": "govuk-table__row"},
    "th_open": {"th": "govuk-table__header"},
    "td_open": {"td": "govuk-table__cell"},
    "blockquote_open": {"blockquote": "govuk-inset-text"},
}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    parser.core.ruler.push("govuk_classes", _add_govuk_classes)
    return parser


def _add_govuk_classes(state) -> None:
    for token in state.tokens:
        tokens = [token, *(token.children or [])]
        for each in tokens:
            css = GOVUK_CLASSES.get(each.type, {}).get(each.tag)
            if css:
                each.attrSet("class", css)


def render_markdown(text: str) -> Markup:
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above  # nosec B704


def plain_text(text: str) -> str:
    html = _parser().render(text or "")
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def summary(text: str, limit: int = 300) -> str:
    """The first paragraph as plain text: the answer on its own, as the content guide asks writers."""
    first = next((block for block in (text or "").strip().split("\n\n") if block.strip()), "")
    words = plain_text(first)
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0] + "…"
