"""Right-to-left layout in a real browser: on an Urdu page a radio's circle sits on the right of its label,
the switcher marks Urdu, and nothing scrolls sideways, on a phone-sized and a desktop-sized window."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture
def server(app):
    """A live server without the sample content (the e-forms come from the catalogue)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


# Where the radio's circle is drawn: the label's ::before, positioned in the item (its containing block).
CIRCLE = """item => {
  const box = item.getBoundingClientRect();
  const style = getComputedStyle(item.querySelector('.govuk-radios__label'), '::before');
  const left = box.left + parseFloat(style.left);
  return {left: left, right: left + parseFloat(style.width)};
}"""
LABEL_TEXT = """item => {
  const range = document.createRange();
  range.selectNodeContents(item.querySelector('.govuk-radios__label'));
  const box = range.getBoundingClientRect();
  return {left: box.left, right: box.right};
}"""


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [375, 1280])
def test_an_urdu_form_is_laid_out_right_to_left(browser, server, width):
    context = browser.new_context(base_url=server, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto("/language/ur?next=/report/missed-bin")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ur", "rtl"]
        assert page.locator('nav.app-language-switcher a[lang="ur"]').get_attribute("aria-current") == "true"
        page.locator("main form button[type=submit]").first.click()

        item = page.locator(".govuk-radios__item").first
        circle = item.evaluate(CIRCLE)
        text_box = item.evaluate(LABEL_TEXT)
        input_box = item.locator(".govuk-radios__input").bounding_box()
        item_box = item.bounding_box()
        # The circle (drawn by the label's ::before) and the real input are right of the label's text.
        assert circle["left"] >= text_box["right"] - 1
        assert circle["right"] <= item_box["x"] + item_box["width"] + 1
        assert input_box["x"] >= text_box["right"] - 1
        assert _no_horizontal_scroll(page)
    finally:
        context.close()


def test_an_english_form_keeps_the_circle_on_the_left(browser, server):
    context = browser.new_context(base_url=server)
    page = context.new_page()
    try:
        page.goto("/report/missed-bin")
        page.locator("main form button[type=submit]").first.click()
        item = page.locator(".govuk-radios__item").first
        assert item.evaluate(CIRCLE)["right"] <= item.evaluate(LABEL_TEXT)["left"] + 1
        assert page.evaluate("document.documentElement.dir") == "ltr"
        assert _no_horizontal_scroll(page)
    finally:
        context.close()
