"""A live server and Debian's Chromium driven by Playwright (it cannot download its own browsers here).

Where Chromium is missing the browser tests are skipped with a message, except under CI, where `make test`
installs it and a missing browser is a failure."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("Debian's chromium is not installed: CI must run the browser tests", pytrace=False)
    pytest.skip("chromium is not installed: browser tests skipped here (make test installs it as root)")


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, sample_content):
    """The test app served on a free port on 127.0.0.1 for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _is_script_error(message) -> bool:
    """Chromium logs every 4xx response as an error; a 422 carrying form errors is expected."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _is_script_error(message) and errors.append(message.text))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def kiosk_page(browser, live_server):
    """A browser page on a registered kiosk: the device enrolled through its one-time enrolment address,
    as an admin sets a kiosk up. The page starts on the kiosk's start screen."""
    from kiosk.registry import register_kiosk

    kiosk, code = register_kiosk("Reception kiosk", "Reception, council offices", None)
    context = browser.new_context(
        base_url=live_server, has_touch=True, viewport={"width": 1080, "height": 1920}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _is_script_error(message) and errors.append(message.text))
    page.goto(f"/kiosk/enrol/{code}")
    page.kiosk = kiosk
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
