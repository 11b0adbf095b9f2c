"""Checking in at the reception kiosk by touch, in a real browser: start screen, topic, initials, ticket.

Typing uses page.fill (the on-screen keyboard has its own tests); Escape puts the on-screen keyboard away
before the button under it is tapped."""

from __future__ import annotations

from playwright.sync_api import expect

from kiosk.visit_models import CheckIn

from ..portal.helpers import rows


def test_check_in_by_touch_and_get_a_ticket(kiosk_page):
    page = kiosk_page
    expect(page.locator("h1")).to_have_text("How can we help you today?")
    page.locator("#task-check-in").tap()
    expect(page.locator("h1")).to_have_text("Check in to see an advisor")

    page.locator("#get-ticket").tap()  # nothing chosen: the errors, in place of a ticket
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what you have come about")

    page.locator(".govuk-radios__label", has_text="Council tax and other financial enquiries").tap()
    page.fill("#name_or_initials", "J K")
    page.keyboard.press("Escape")
    page.locator("#get-ticket").tap()

    expect(page.locator("h1")).to_have_text("Your ticket number")
    ticket = page.locator("#ticket-number")
    expect(ticket).to_have_text("C001")
    assert float(ticket.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 72
    expect(page.locator("#estimated-wait")).to_contain_text("You are next")
    expect(page.locator("main")).to_contain_text("we will call your number")

    (visit,) = rows(CheckIn)
    assert (visit.ticket, visit.name_or_initials, visit.topic) == ("C001", "J K", "council-tax")
    assert visit.kiosk_id == page.kiosk.id and visit.status == "waiting"
