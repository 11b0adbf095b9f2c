"""Privacy at the kiosk in a real browser: left alone, the kiosk asks "Do you need more time?", then wipes
the visit and returns to the start screen; the next visitor finds nothing of the last one, not even by
pressing Back. The Finish button does the same at once; "Yes, I need more time" keeps the visit."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.chat.models import ChatSession
from portal.eforms.models import FormDraft
from tests.portal.helpers import count

SECRET = "Quillfeather"  # visitor A's distinctive words: none of them may reach visitor B


def _type(page, selector: str, words: str) -> None:
    """Type as on a physical keyboard, then put the on-screen keyboard away (it covers the lower screen)."""
    page.fill(selector, words)
    page.press(selector, "Escape")


def _visitor_a_searches_and_starts_a_form(page) -> None:
    page.goto("/kiosk")
    page.tap("#task-find")
    page.fill("#q", f"{SECRET} council tax")
    page.press("#q", "Enter")
    expect(page.locator("#search-results")).to_contain_text("council tax", ignore_case=True)
    assert f"q={SECRET}" in page.url and "visit=" in page.url
    page.goto("/report/fly-tipping")
    page.click("button:has-text('Start now')")
    _type(page, "#details", f"A sofa dumped by {SECRET} Cottage")
    page.check("input[name=what][value=furniture]")
    page.check("input[name=amount][value=car-boot]")
    page.check("input[name=saw_it_happen][value=no]")
    page.click("button:has-text('Continue')")
    _type(page, "#address", f"Back lane behind {SECRET} Cottage")
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).not_to_have_text("Where is it?")  # the location page was saved
    assert count(FormDraft) == 1


def _nothing_of_visitor_a_on_any_earlier_page(page) -> None:
    assert SECRET not in page.content()
    for _step in range(8):
        if page.go_back(wait_until="load") is None:
            break
        page.wait_for_load_state("load")
        assert SECRET not in page.content(), page.url
        assert SECRET not in page.evaluate("() => [...document.querySelectorAll('input, textarea')]"
                                           ".map((field) => field.value).join(' ')"), page.url  # fmt: skip


def test_left_alone_the_kiosk_asks_then_wipes_and_the_back_button_shows_nothing(kiosk_page, app):
    page = kiosk_page
    app.config.update(KIOSK_IDLE_SECONDS=3, KIOSK_PROMPT_SECONDS=2)
    _visitor_a_searches_and_starts_a_form(page)

    prompt = page.locator("#kiosk-idle")
    expect(prompt).to_be_visible(timeout=10_000)
    expect(prompt).to_contain_text("Do you need more time?")
    expect(page.locator("#kiosk-more-time")).to_be_focused()
    page.wait_for_url("**/kiosk", timeout=10_000)  # nobody answered: the start screen is back

    expect(page.locator("h1")).to_have_text("How can we help you today?")
    assert count(FormDraft) == 0
    _nothing_of_visitor_a_on_any_earlier_page(page)  # visitor B presses Back, again and again


def test_more_time_keeps_the_visit(kiosk_page, app):
    page = kiosk_page
    app.config.update(KIOSK_IDLE_SECONDS=2, KIOSK_PROMPT_SECONDS=20)
    page.goto("/report/fly-tipping")
    page.click("button:has-text('Start now')")
    _type(page, "#details", f"Left by {SECRET}")
    url = page.url

    expect(page.locator("#kiosk-idle")).to_be_visible(timeout=10_000)
    page.tap("#kiosk-more-time")

    expect(page.locator("#kiosk-idle")).to_be_hidden()
    assert page.url == url and page.input_value("#details") == f"Left by {SECRET}"
    assert count(FormDraft) == 1


def test_the_finish_button_wipes_at_once(kiosk_page, app):
    page = kiosk_page
    app.config.update(KIOSK_IDLE_SECONDS=600)
    page.goto("/kiosk")
    page.tap("#task-ask")
    _type(page, "#question", f"Where does {SECRET} put the recycling")
    page.click("button:has-text('Ask')")
    expect(page.locator("#latest")).to_be_visible()
    assert count(ChatSession) == 1

    page.tap("#kiosk-finish")

    page.wait_for_url("**/rate-our-service/kiosk-visit")  # wiped, then one question (docs/satisfaction.md)
    assert count(ChatSession) == 0
    page.tap("#satisfaction-skip")
    page.wait_for_url("**/kiosk")
    expect(page.locator("h1")).to_have_text("How can we help you today?")
    _nothing_of_visitor_a_on_any_earlier_page(page)
