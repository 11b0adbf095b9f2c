"""A visitor at the reception kiosk, in a real browser with a touchscreen: start screen to confirmation,
and an article whose links to other websites are QR codes.

Typing uses page.fill (the on-screen keyboard has its own tests); Escape puts the on-screen keyboard away
before a button under it is tapped. Each test takes a few seconds, far inside the kiosk's idle time."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from crm_bridge.models import Case, Contact

from ..portal.helpers import rows


def tap_and_wait(page, selector: str, heading: str | re.Pattern) -> None:
    """Tap, then wait for the page it leads to (its h1)."""
    page.locator(selector).first.tap()
    expect(page.locator("h1")).to_have_text(heading)


def test_report_a_missed_bin_by_touch_from_the_start_screen_to_the_receipt(kiosk_page):
    page = kiosk_page
    expect(page.locator("h1")).to_have_text("How can we help you today?")
    tap_and_wait(page, "main a[href='/report']", "Report, request or tell us")
    tap_and_wait(page, "main a[href='/report/missed-bin']", "Report a missed bin collection")
    tap_and_wait(page, "main button:has-text('Start now')", "Report a missed bin collection")

    page.get_by_label("Blue bin (recycling)").tap()
    day = date.today() - timedelta(days=2)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.locator("input[name=out_by_time][value=yes]").tap()
    page.locator("#details").fill("Left on the pavement again.")
    page.keyboard.press("Escape")
    tap_and_wait(page, "main button:has-text('Continue')", "Where is it?")

    page.fill("#address", "12 Station Road, Northdale")
    page.fill("#postcode", "nd1 2ab")
    page.keyboard.press("Escape")
    tap_and_wait(page, "main button:has-text('Continue')", "Your details")  # no photos page on a kiosk

    page.fill("#name", "Kim Visitor")
    page.fill("#email", "kim@example.org")
    page.keyboard.press("Escape")
    tap_and_wait(page, "main button:has-text('Continue')", "Check your answers before sending")
    expect(page.locator(".govuk-summary-list")).to_contain_text("ND1 2AB")
    expect(page.locator(".govuk-summary-list")).not_to_contain_text("Photos")
    tap_and_wait(page, "main button:has-text('Accept and send')", "Your request has been sent")

    reference = page.locator(".app-kiosk-reference")
    expect(reference).to_have_text(re.compile(r"^NDC-\d\d-\d{6}$"))
    assert float(reference.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
    expect(page.locator("#receipt figure.app-kiosk-qr svg")).to_be_visible()
    expect(page.locator("#receipt")).not_to_contain_text("Kim")
    expect(page.locator("button[data-kiosk-print]")).to_be_visible()  # shown by receipt.js
    expect(page.locator("main a[href*='/track/']")).to_have_count(0)
    page.emulate_media(media="print")  # what the browser's print prints: the receipt alone
    expect(page.locator("#receipt .app-kiosk-reference")).to_be_visible()
    expect(page.locator("#receipt svg")).to_be_visible()
    expect(page.get_by_text("kim@example.org", exact=False)).to_be_hidden()
    expect(page.locator("button[data-kiosk-print]")).to_be_hidden()
    expect(page.locator(".app-kiosk-header")).to_be_hidden()
    page.emulate_media(media="screen")

    [case] = rows(Case)
    assert case.reference == reference.inner_text()
    assert (case.channel, case.request_type) == ("kiosk", "missed-bin")
    expect(page.locator("#tracking-address")).to_have_text(re.compile(f"/track/{case.tracking_token}$"))
    [contact] = rows(Contact)
    assert (contact.channel, contact.kiosk_id, contact.case_id) == ("kiosk", page.kiosk.id, case.id)


def test_an_article_on_the_kiosk_shows_a_qr_code_and_no_link_that_leaves(kiosk_page, create_article):
    create_article(
        slug="apply-elsewhere",
        title="Blue Badge",
        body="Apply on [GOV.UK](https://www.gov.uk/apply-blue-badge).\n\n"
        "See [parking](/articles/parking-permits).",
    )
    page = kiosk_page
    page.goto("/articles/apply-elsewhere")
    figure = page.locator("article figure.app-kiosk-qr")
    expect(figure).to_be_visible()
    expect(figure).to_have_attribute("aria-label", "Scan to open on your phone: GOV.UK")
    expect(figure.locator("svg")).to_be_visible()
    expect(figure).to_contain_text("https://www.gov.uk/apply-blue-badge")
    expect(page.locator("article a[href^='http']")).to_have_count(0)
    expect(page.locator("article a[href='/articles/parking-permits']")).to_have_count(1)
