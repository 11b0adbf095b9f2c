"""Links on a kiosk (kiosk/links.py, pure): nothing on the kiosk takes a visitor away from it."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from kiosk.links import kiosk_links, treat
from kiosk.qr import qr_svg
from knowledge_base.markdown import render_markdown

OWN = ["kiosk.local:5000", "council.example"]
PAGE = "https://council.example/articles/bins"


def on_kiosk(markdown: str) -> BeautifulSoup:
    html = kiosk_links(render_markdown(markdown), OWN, PAGE)
    return BeautifulSoup(str(html), "html.parser")


def words(element) -> str:
    return " ".join(element.get_text(" ").split())


def test_a_link_to_another_website_becomes_a_qr_code_with_its_text_and_address():
    soup = on_kiosk("Apply for a [Blue Badge on GOV.UK](https://www.gov.uk/apply-blue-badge?x=1&y=2) today.")
    assert soup.find("a") is None
    paragraph = soup.find("p")
    assert words(paragraph) == "Apply for a Blue Badge on GOV.UK today."  # the sentence reads as before
    figure = paragraph.find_next_sibling("figure")  # after the paragraph: a figure cannot sit inside one
    assert figure["aria-label"] == "Scan to open on your phone: Blue Badge on GOV.UK"
    caption = figure.figcaption
    assert words(caption.find(class_="app-kiosk-qr__scan")) == "Scan to open on your phone"
    assert words(caption.find(class_="app-kiosk-qr__text")) == "Blue Badge on GOV.UK"
    assert (
        words(caption.find(class_="app-kiosk-qr__address")) == "https://www.gov.uk/apply-blue-badge?x=1&y=2"
    )
    svg = figure.find("svg")
    assert svg["role"] == "img" and svg.title.string == "https://www.gov.uk/apply-blue-badge?x=1&y=2"
    # the code encodes that address: the same as segno makes for it
    assert str(svg) == str(BeautifulSoup(qr_svg(svg.title.string, svg.title.string), "html.parser").svg)


def test_links_to_our_own_pages_stay_links_and_stay_on_the_kiosk():
    soup = on_kiosk(
        "See [bin days](/articles/bin-collection-day), [top](#top), [this page](other-page) and "
        "[the same site](https://council.example/articles/council-tax?lang=cy#bands) and "
        "[the kiosk's host](http://kiosk.local:5000/report)."
    )
    assert [a["href"] for a in soup.find_all("a")] == [
        "/articles/bin-collection-day",
        "#top",
        "/articles/other-page",
        "/articles/council-tax?lang=cy#bands",
        "/report",
    ]
    assert [words(a) for a in soup.find_all("a")] == [
        "bin days",
        "top",
        "this page",
        "the same site",
        "the kiosk's host",
    ]
    assert soup.find("figure") is None and soup.find("a")["class"] == ["govuk-link"]


@pytest.mark.parametrize(
    "href",
    [
        "/files/council-tax-leaflet.pdf",
        "https://council.example/files/Plan.DOCX",
        "//elsewhere.example/page",
        "https://council.example.evil.example/",
        "https://council.example:8443/page",
        "http://user@elsewhere.example/",
    ],
)
def test_documents_and_every_other_host_count_as_leaving(href):
    soup = on_kiosk(f"Read [this]({href}).")
    assert soup.find("a") is None
    address = words(soup.find(class_="app-kiosk-qr__address"))
    assert address.startswith(("https://", "http://")) and "user@" not in address


def test_a_relative_document_is_shown_with_its_full_public_address():
    soup = on_kiosk("Read [the leaflet](files/leaflet.pdf).")
    assert (
        words(soup.find(class_="app-kiosk-qr__address"))
        == "https://council.example/articles/files/leaflet.pdf"
    )


def test_mailto_and_tel_links_become_plain_text_that_keeps_the_address():
    soup = on_kiosk("[Email us](mailto:help@council.example) or phone [01632 960 000](tel:01632960000).")
    assert soup.find("a") is None and soup.find("figure") is None
    assert words(soup.find("p")) == "Email us (help@council.example) or phone 01632 960 000 ."


def test_javascript_and_other_schemes_never_appear_whatever_slips_through():
    html = (
        '<p><a href="javascript:alert(1)">one</a> <a href=" JaVa&#115;cript:alert(2)">two</a> '
        '<a href="data:text/html,hi">three</a> <a href="/\\evil.example">four</a> '
        '<a href="java\tscript:alert(3)">five</a> <a onclick="alert(4)" href="/ok">six</a></p>'
    )
    out = str(kiosk_links(html, OWN, PAGE))
    assert "javascript" not in out.lower() and "data:" not in out and "onclick" not in out
    assert "evil" not in out
    soup = BeautifulSoup(out, "html.parser")
    assert words(soup) == "one two three four five six"
    assert [a["href"] for a in soup.find_all("a")] == ["/ok"]


def test_text_and_markup_inside_a_link_are_kept_and_escaped():
    soup = on_kiosk("- See [**bold** <words> & more](https://elsewhere.example/) for help")
    item = soup.find("li")
    assert words(item.find(class_="app-kiosk-qr-ref")) == "bold <words> & more"
    assert item.find(class_="app-kiosk-qr-ref").strong is not None
    assert item.figure is not None  # a figure may sit in a list item: after its sentence
    assert words(item.find(class_="app-kiosk-qr__text")) == "bold <words> & more"
    out = str(kiosk_links(render_markdown("[<script>x</script>](https://e.example/)"), OWN, PAGE))
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_the_same_address_twice_in_one_place_gives_one_code():
    soup = on_kiosk(
        "[Apply](https://www.gov.uk/a) now. Or [apply here](https://www.gov.uk/a), or [b](https://b.example)."
    )
    assert [words(a) for a in soup.select(".app-kiosk-qr__address")] == [
        "https://www.gov.uk/a",
        "https://b.example",
    ]


def test_the_label_comes_in_the_visitors_language():
    html = kiosk_links(
        render_markdown("[GOV.UK](https://www.gov.uk/)"), OWN, PAGE, "Sganiwch i agor ar eich ffôn"
    )
    soup = BeautifulSoup(str(html), "html.parser")
    assert soup.figure["aria-label"] == "Sganiwch i agor ar eich ffôn: GOV.UK"


def test_treat_names_what_happens_to_one_link():
    own = frozenset({"council.example"})
    assert treat("https://COUNCIL.example:443/x", own, PAGE).kind == "keep"
    assert treat("https://elsewhere.example", own, PAGE).url == "https://elsewhere.example"
    assert treat("tel:123", own, PAGE).kind == "text"
    assert treat("", own, PAGE).kind == "text"
    assert treat("http://[::1", own, PAGE).kind == "text"  # not an address at all


def test_markup_left_open_is_closed_so_nothing_after_it_is_swallowed():
    soup = BeautifulSoup(
        str(kiosk_links('<p>Go to <a href="https://x.example/">x <em>site', OWN, PAGE)), "html.parser"
    )
    assert words(soup.find(class_="app-kiosk-qr-ref")) == "x site"
    assert soup.p.find_next_sibling("figure")["aria-label"].endswith(": x site")
