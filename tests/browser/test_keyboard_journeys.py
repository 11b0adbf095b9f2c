"""Keyboard-only journeys in a real browser, in English and in Urdu (right to left): from a question on the
home page to an article, and from the list of forms through every page to the confirmation, using only
Tab, Shift+Tab, Enter, Space, arrow keys and typing.

At every stop the focused element must be on screen and show a focus indicator (a computed outline or box
shadow; for GOV.UK radios and checkboxes, drawn on the label). The skip link is the first stop and moves
focus to the main content; after a form is sent with errors, the error summary has focus; after a search
as you type, the number of results is announced in a live region and focus stays in the search box.
Each step is screenshotted (kept in memory; written under test-results/screenshots/ if the test fails)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm_bridge.models import Case
from tests.portal.helpers import rows

pytestmark = pytest.mark.usefixtures("sqlite_only")

JOURNEY_LANGUAGES = ["en", "ur"]
MAX_TABS = 60

# Where focus is, whether it is on screen, and how it shows. GOV.UK radios and checkboxes hide the input
# itself and draw the focus ring on the label's ::before; links and buttons use a yellow background with a
# box shadow, inputs an outline.
_FOCUS_STATE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const hiddenInput = element.matches(".govuk-radios__input, .govuk-checkboxes__input");
  const shown = hiddenInput ? element.labels[0] : element;
  const style = getComputedStyle(shown, hiddenInput ? "::before" : null);
  const box = shown.getBoundingClientRect();
  const transparent = (colour) => colour === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(colour);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && !transparent(style.outlineColor);
  const shadow = style.boxShadow !== "none" && style.boxShadow !== "";
  return {
    description: element.outerHTML.slice(0, 160),
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth
      && getComputedStyle(shown).visibility !== "hidden",
    indicator: outline || shadow,
  };
}"""


def assert_focus_visible(page) -> None:
    state = page.evaluate(_FOCUS_STATE)
    assert state is not None, "nothing has focus"
    assert state["onScreen"], f"the focused element is off screen or hidden: {state['description']}"
    assert state["indicator"], f"the focused element shows no focus indicator: {state['description']}"


def focused_matches(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector)


def tab_to(page, selector: str, steps=None, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus, checking every stop."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        assert_focus_visible(page)
        if focused_matches(page, selector):
            if steps is not None:
                steps(page, f"focus on {selector}")
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {selector}")


def press_and_wait(page, key: str, steps, name: str) -> None:
    """A key that submits a form or follows a link: wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")
    steps(page, name)


def start_in(page, lang: str, path: str) -> None:
    page.goto(f"/language/{lang}?next={path}")
    expect(page.locator("html")).to_have_attribute("lang", lang)


def skip_link_first(page, steps) -> None:
    page.keyboard.press("Tab")
    assert focused_matches(page, "a.govuk-skip-link"), "the skip link is not the first Tab stop"
    assert_focus_visible(page)
    steps(page, "skip link")
    page.keyboard.press("Enter")
    assert focused_matches(page, "main#main-content"), "the skip link did not move focus to the main content"


@pytest.mark.parametrize("lang", JOURNEY_LANGUAGES)
def test_from_a_question_on_the_home_page_to_an_article_by_keyboard(page, steps, lang):
    start_in(page, lang, "/")
    steps(page, "home page")
    skip_link_first(page, steps)

    tab_to(page, "#q", steps)
    page.keyboard.type("wheely bin")  # htmx searches as you type
    results = page.locator("#search-results ol li")
    expect(results.first).to_be_visible()
    status = page.locator("#search-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text(re.compile(rf"\b{results.count()}\b"))
    assert focused_matches(page, "#q"), "the search moved focus out of the search box"
    steps(page, "results announced")

    tab_to(page, "#search-results ol li a")
    article = page.evaluate("() => document.activeElement.getAttribute('href')")
    press_and_wait(page, "Enter", steps, "article")
    assert page.url.endswith(article)
    expect(page.locator("h1")).to_be_visible()
    skip_link_first(page, steps)
    # Shift+Tab goes back the same way: from the main content back to the skip link.
    tab_to(page, "#feedback input[name=helpful]", steps)
    tab_to(page, "a.govuk-skip-link", steps, backwards=True)


def _choose_by_keyboard(page, name: str, steps, arrows: int = 0) -> None:
    """Tab into a radio group, Space selects the focused radio, arrow keys move the selection on."""
    tab_to(page, f"input[name={name}]", steps)
    page.keyboard.press("Space")
    for _ in range(arrows):
        page.keyboard.press("ArrowDown")
    assert_focus_visible(page)
    expect(page.locator(f"input[name={name}]:checked")).to_have_count(1)


def _type_into(page, selector: str, text: str, steps) -> None:
    tab_to(page, selector, steps)
    page.keyboard.type(text)


CONTINUE = "main form[method=post] button.govuk-button[type=submit]:not([name])"


@pytest.mark.parametrize("lang", JOURNEY_LANGUAGES)
def test_from_the_list_of_forms_to_the_confirmation_by_keyboard(page, steps, lang):
    start_in(page, lang, "/report")
    steps(page, "list of forms")
    skip_link_first(page, steps)
    tab_to(page, "main a[href='/report/fly-tipping']", steps)
    press_and_wait(page, "Enter", steps, "start page")
    tab_to(page, "main .govuk-button--start", steps)
    press_and_wait(page, "Enter", steps, "first question page")

    tab_to(page, CONTINUE, steps)  # sent empty: errors
    press_and_wait(page, "Enter", steps, "errors")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_focus_visible(page)

    _choose_by_keyboard(page, "what", steps)
    _choose_by_keyboard(page, "amount", steps, arrows=1)
    _choose_by_keyboard(page, "saw_it_happen", steps, arrows=1)  # Yes, then the arrow moves it to No
    expect(page.locator("input[name=saw_it_happen][value=no]")).to_be_checked()
    _type_into(page, "#details", "A sofa on the verge", steps)
    tab_to(page, CONTINUE, steps)
    press_and_wait(page, "Enter", steps, "location page")

    _type_into(page, "#address", "Back lane behind Market Street", steps)
    _type_into(page, "#postcode", "ND1 1AA", steps)
    tab_to(page, CONTINUE, steps)
    press_and_wait(page, "Enter", steps, "photos page")
    tab_to(page, CONTINUE, steps)  # past the file chooser and the upload button: no photos
    press_and_wait(page, "Enter", steps, "your details page")

    _type_into(page, "#name", "Ann Smith", steps)
    _type_into(page, "#email", "ann@example.org", steps)
    tab_to(page, CONTINUE, steps)
    press_and_wait(page, "Enter", steps, "check your answers")
    expect(page.locator(".govuk-summary-list")).to_contain_text("ND1 1AA")
    tab_to(page, "main form[method=post] button.govuk-button[type=submit]", steps)
    press_and_wait(page, "Space", steps, "confirmation")  # Space presses a button too

    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("NDC-")
    [case] = rows(Case)
    assert (case.request_type, case.lang, case.answers["saw_it_happen"]) == ("fly-tipping", lang, "no")
    tab_to(page, "main a[href*='/track/']", steps)
    press_and_wait(page, "Enter", steps, "tracking page")
    expect(page.locator("h1")).to_contain_text(case.reference)
