"""The walks through every page that the accessibility sweep and the reflow checks share.

A walk takes a checker with `.page` (a Playwright page), `.goto(url, name, status=200)` and
`.check(name)`, and calls it on every page a resident or a kiosk visitor meets, in the order they meet
them, including error states. Selectors do not depend on the language of the page."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect


class PageChecker:
    """The checker a walk drives: subclasses say what `check(name)` checks on the page as it is."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []

    def check(self, name: str) -> None:
        raise NotImplementedError

    def goto(self, url: str, name: str, status: int = 200) -> None:
        response = self.page.goto(url)
        if response is None or response.status != status:
            self.problems.append(f"{name}: {url} answered {response and response.status}, not {status}")
        self.check(name)


SUBMIT = "main form[method=post] button.govuk-button[type=submit]"
CONTINUE = f"{SUBMIT}:not([name]):not(.govuk-button--warning)"


def choose_language(page, lang: str) -> None:
    page.goto(f"/language/{lang}")
    assert page.locator("html").get_attribute("lang") == lang


def type_into(page, selector: str, text: str) -> None:
    """Fill a field, then put the kiosk's on-screen keyboard away (Escape; nothing happens on the web)."""
    page.fill(selector, text)
    page.press(selector, "Escape")


def submit(page, selector: str = CONTINUE) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def _walk_eform(sweep, code_selectors: dict[str, str], *, kiosk: bool = False) -> None:
    """Fly-tipping on the web (questions, the conditional question, location, photos, details) and a
    missed bin on the kiosk (a date field, no photos); an error state on the first question page."""
    page = sweep.page
    code = "missed-bin" if kiosk else "fly-tipping"
    sweep.goto(f"/report/{code}", "e-form start")
    submit(page, "main form button.govuk-button--start")
    sweep.check("e-form first question page")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    sweep.check("e-form question page with errors")
    for selector in code_selectors.values():
        page.locator(selector).check()
    if kiosk:
        day = date.today() - timedelta(days=2)
        date_boxes = page.locator("input[name=collection_date]")
        for number, value in enumerate((day.day, day.month, day.year)):
            date_boxes.nth(number).fill(str(value))
            date_boxes.nth(number).press("Escape")
    type_into(page, "#details", "Left on the pavement")
    submit(page)
    if not kiosk:
        sweep.check("e-form conditional question page")
        type_into(page, "textarea[name=witness_details]", "A white van")
        submit(page)
    sweep.check("e-form location page")
    type_into(page, "#address", "12 Station Road")
    type_into(page, "#postcode", "ND1 2AB")
    submit(page)
    if not kiosk:
        sweep.check("e-form photos page")
        submit(page)
    sweep.check("e-form your details page")
    type_into(page, "#name", "Kim Visitor")
    type_into(page, "#email", "kim@example.org")
    submit(page)
    sweep.check("e-form check your answers")
    submit(page, SUBMIT)
    expect(page.locator(".govuk-panel--confirmation")).to_be_visible()
    sweep.check("e-form confirmation")


FLY_TIPPING = {
    "what": "input[name=what][value=furniture]",
    "amount": "input[name=amount][value=car-boot]",
    "saw_it_happen": "input[name=saw_it_happen][value=yes]",
}
MISSED_BIN = {"bin": "input[name=bin][value=blue]", "out_by_time": "input[name=out_by_time][value=yes]"}


def walk_resident_pages(sweep) -> None:
    """Every resident page, in the order a resident meets them; `sweep.check(name)` on each."""
    page = sweep.page
    sweep.goto("/", "home")
    sweep.goto("/search?q=wheely+bin", "search with results")
    sweep.goto("/search?q=zzqxv+plover", "search with no results")
    sweep.goto("/articles/bin-collection-day", "article")
    page.locator("input[name=helpful][value=no]").check()
    page.locator("#feedback form .govuk-button").click()
    expect(page.locator("#feedback .govuk-panel")).to_be_visible()
    sweep.check("article after feedback")
    _walk_rating(sweep)
    sweep.goto("/ask", "chat")
    page.fill("#question", "when is my bin collected")
    page.locator("main form:has(#question) .govuk-button").click()
    expect(page.locator("#latest .govuk-button-group")).to_be_visible()
    sweep.check("chat with an answer")
    sweep.goto("/report", "e-form list")
    _walk_eform(sweep, FLY_TIPPING)
    tracking = page.locator("main a[href*='/track/']").first.get_attribute("href")
    sweep.goto(tracking, "tracking case page")
    sweep.goto("/track", "tracking find")
    submit(page, SUBMIT)
    sweep.check("tracking find with errors")
    sweep.goto("/contact", "contact")
    sweep.goto("/no-such-page", "error 404", status=404)
    sweep.goto("/accessibility", "accessibility statement")
    sweep.goto("/our-performance", "our performance")


def _walk_rating(sweep) -> None:
    """The satisfaction question after a confirmed answer: inline, with an error, as a page (as the email
    link opens it), and the thank-you page."""
    page = sweep.page
    sweep.goto("/articles/what-goes-in-blue-bin", "article to confirm")
    page.locator("input[name=helpful][value=yes]").check()
    page.locator("#feedback form .govuk-button").click()
    expect(page.locator("#satisfaction form")).to_be_visible()
    sweep.check("article with the satisfaction question")
    page.locator("#satisfaction-send").click()
    expect(page.locator("#satisfaction .govuk-error-message")).to_be_visible()
    sweep.check("satisfaction question with errors")
    token = page.locator("#satisfaction input[name$='-token']").get_attribute("value")
    sweep.goto(f"/rate-our-service?token={token}", "satisfaction page")
    page.locator("input[name$=rating]").first.check()
    submit(page, "#satisfaction-send")
    sweep.check("satisfaction thank-you page")


def walk_kiosk_pages(sweep, lang: str, high_contrast: bool = False) -> None:
    """Every page a visitor meets on the kiosk, from the start screen; `sweep.check(name)` on each."""
    page = sweep.page
    page.goto("/kiosk")
    page.locator(f"a.app-kiosk-language[hreflang={lang}]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    if high_contrast:
        submit(page, "#kiosk-contrast")
        expect(page.locator("body")).to_have_class(re.compile(r"\bapp-kiosk--high-contrast\b"))

    sweep.check("kiosk start screen")
    sweep.goto("/search?q=council+tax", "kiosk search")
    page.locator("#q").focus()
    expect(page.locator("#app-kiosk-keyboard")).to_be_visible()
    sweep.check("kiosk search with the on-screen keyboard")
    page.keyboard.press("Escape")
    sweep.goto("/articles/apply-elsewhere", "kiosk article with a QR code")
    expect(page.locator("article figure.app-kiosk-qr svg")).to_be_visible()
    sweep.goto("/ask", "kiosk chat")
    sweep.goto("/report", "kiosk e-form list")
    _walk_eform(sweep, MISSED_BIN, kiosk=True)
    sweep.goto("/track", "kiosk tracking find")
    sweep.goto("/kiosk/check-in", "kiosk check-in")
    submit(page, "#get-ticket")
    sweep.check("kiosk check-in with errors")
    page.locator("input[name=topic]").first.check()
    type_into(page, "#name_or_initials", "J K")
    submit(page, "#get-ticket")
    expect(page.locator("#ticket-number")).to_be_visible()
    sweep.check("kiosk ticket")
    page.locator("#kiosk-finish").click()
    page.wait_for_url("**/rate-our-service/kiosk-visit")
    sweep.check("kiosk satisfaction question")
