"""The accessibility statement (/accessibility) in the format UK public sector bodies publish, linked from
every resident page's footer and from the kiosk's start screen. Its claims are proven by tests/browser/."""

from __future__ import annotations

from .helpers import assert_well_formed, page, text

SECTIONS = [
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website's accessibility",
    "How we tested this website",
    "What we are doing to improve accessibility",
    "Preparation of this accessibility statement",
]


def test_the_statement_has_the_sections_of_the_public_sector_format(client):
    response = client.get("/accessibility")

    assert assert_well_formed(response, 200) == "Accessibility statement"
    statement = page(response).main
    assert [text(h2) for h2 in statement.find_all("h2")] == SECTIONS
    words = text(statement)
    assert "fully compliant with the Web Content Accessibility Guidelines version 2.2 AA standard" in words
    assert "Equality and Human Rights Commission (EHRC)" in words
    assert "Equality Commission for Northern Ireland (ECNI)" in words
    assert "This statement was prepared on 22 November 2026" in words
    assert "axe-core" in words
    assert "machine translations" in words  # the known limitations, honestly
    assert statement.find("a", href="mailto:customer.services@northdale.example")


def test_every_resident_page_links_to_the_statement_from_its_footer(client, sample_content):
    for url in ["/", "/report", "/articles/bin-collection-day", "/contact", "/track"]:
        footer = page(client.get(url)).find("footer")
        assert footer.find("a", href="/accessibility"), url


def test_the_kiosk_start_screen_links_to_the_statement_which_has_no_links_that_leave(kiosk_client):
    start = page(kiosk_client.get("/kiosk"))
    assert start.find("a", id="accessibility-statement")["href"] == "/accessibility"

    response = kiosk_client.get("/accessibility")
    assert assert_well_formed(response, 200) == "Accessibility statement"
    statement = page(response).main
    assert not statement.find("a", href=lambda href: href and href.startswith(("http", "mailto:", "tel:")))
