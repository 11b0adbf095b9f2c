"""Reflow and resizing (WCAG 1.4.4, 1.4.10, 1.4.12) on every resident and kiosk page, in English and Urdu.

The browser is 320 CSS pixels wide and 256 high at a device scale of 4: a 1280 by 1024 screen at 400% zoom.
On every page the walk meets, nothing may need scrolling sideways
(`document.documentElement.scrollWidth <= window.innerWidth`), checked three ways: as it is; with the WCAG
1.4.12 text spacing (line height 1.5, paragraphs 2em apart, letters 0.12em, words 0.16em); and at 1280
pixels wide with text at 200%. Failures name the widest elements, and a screenshot of the page is saved
under test-results/screenshots/. SQLite only: layout does not depend on the database."""

from __future__ import annotations

import pytest

from .conftest import SCREENSHOTS, screenshot_name
from .walks import PageChecker, choose_language, walk_kiosk_pages, walk_resident_pages

pytestmark = pytest.mark.usefixtures("sqlite_only")

ZOOMED = {"width": 320, "height": 256}  # 1280 x 1024 at 400%
WIDE = {"width": 1280, "height": 1024}

TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
LARGE_TEXT = "html { font-size: 200% !important; }"

_OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const wide = [...document.querySelectorAll("body *")]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && (box.right > width + 1 || box.left < -1);
    })
    .filter((element) => ![...element.children].some((child) => {
      const box = child.getBoundingClientRect();
      return box.right > width + 1 || box.left < -1;
    }))
    .slice(0, 3)
    .map((element) => element.outerHTML.slice(0, 140));
  return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""

_ADD_STYLE = """(css) => {
  const style = document.createElement("style");
  style.id = "reflow-check";
  style.textContent = css;
  document.head.append(style);
}"""


class Reflow(PageChecker):
    def __init__(self, request, page):
        super().__init__(page)
        self.test_name = screenshot_name(request.node.nodeid)

    def _measure(self, name: str, how: str, css: str | None = None, viewport: dict | None = None) -> None:
        page = self.page
        if viewport:
            page.set_viewport_size(viewport)
        if css:
            page.evaluate(_ADD_STYLE, css)
        overflow = page.evaluate(_OVERFLOW)
        if overflow:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"{self.test_name}-{screenshot_name(name)}-{screenshot_name(how)}.png"
            page.screenshot(path=str(shot), full_page=True)
            width, inner = overflow["scrollWidth"], overflow["width"]
            widest = " | ".join(overflow["wide"])
            self.problems.append(
                f"{name} ({page.url}), {how}: {width}px wide in a {inner}px window; widest: {widest}"
            )
        if css:
            page.evaluate("() => document.getElementById('reflow-check').remove()")
        if viewport:
            page.set_viewport_size(ZOOMED)

    def check(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        self._measure(name, "320px (400% zoom)")
        self._measure(name, "320px with text spacing", css=TEXT_SPACING)
        self._measure(name, "200% text size", css=LARGE_TEXT, viewport=WIDE)

    def assert_clean(self) -> None:
        assert not self.problems, "Content needs scrolling sideways:\n" + "\n".join(self.problems)


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_resident_pages_reflow_at_320_pixels_and_400_percent_zoom(request, new_page, lang):
    page = new_page(viewport=ZOOMED, device_scale_factor=4)
    reflow = Reflow(request, page)
    choose_language(page, lang)
    walk_resident_pages(reflow)
    reflow.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_kiosk_pages_reflow_at_320_pixels_and_400_percent_zoom(request, kiosk_context, lang):
    page = kiosk_context.new_page()
    page.set_viewport_size(ZOOMED)
    reflow = Reflow(request, page)
    walk_kiosk_pages(reflow, lang)
    reflow.assert_clean()
