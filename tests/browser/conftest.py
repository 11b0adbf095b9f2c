"""A live server and Debian's Chromium driven by Playwright (it cannot download its own browsers here).

Where Chromium is missing the browser tests are skipped with a message, except under CI, where `make test`
installs it and a missing browser is a failure.

When a browser test fails, a full-page screenshot of every page still open is written to
`test-results/screenshots/<test id>.png`, and a journey's recorded steps (the `steps` fixture keeps the last
few in memory) to `test-results/screenshots/<test id>/<number>-<step>.png`."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections import deque
from pathlib import Path

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


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
_open_browsers: list = []


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        _open_browsers.append(browser)
        yield browser
        _open_browsers.remove(browser)
        browser.close()


@pytest.fixture
def sqlite_only(database_url):
    """For tests of markup and behaviour in the browser, which do not depend on the database: run once."""
    if not database_url.startswith("sqlite"):
        pytest.skip("browser check of markup, which does not depend on the database: run on SQLite only")


def screenshot_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:150]


class StepRecorder:
    """A journey's screenshots, one per step, the last `keep` in memory; written only when the test fails."""

    def __init__(self, keep: int = 12):
        self.shots: deque[tuple[int, str, bytes]] = deque(maxlen=keep)
        self.number = 0

    def __call__(self, page, name: str) -> None:
        self.number += 1
        self.shots.append((self.number, name, page.screenshot(full_page=True)))

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for number, name, png in self.shots:
            (folder / f"{number:02d}-{screenshot_name(name)}.png").write_bytes(png)


_STEPS = pytest.StashKey[StepRecorder]()


@pytest.fixture
def steps(request):
    """steps(page, "what just happened"): a screenshot of each step of a journey, saved if the test fails."""
    recorder = StepRecorder()
    request.node.stash[_STEPS] = recorder
    return recorder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when == "call" and _open_browsers:
        name = screenshot_name(item.nodeid)
        pages = [page for browser in _open_browsers for context in browser.contexts for page in context.pages]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(pages):
            suffix = f"-{number + 1}" if len(pages) > 1 else ""
            try:
                page.screenshot(path=str(SCREENSHOTS / f"{name}{suffix}.png"), full_page=True)
            except Exception as error:  # a page that crashed or closed: the report matters more
                report.sections.append(("screenshot", f"no screenshot of page {number + 1}: {error}"))
        recorder = item.stash.get(_STEPS, None)
        if recorder is not None:
            recorder.write(SCREENSHOTS / name)
        report.sections.append(("screenshots", f"saved under {SCREENSHOTS} as {name}*"))
    return report


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


@pytest.fixture
def new_page(browser, live_server):
    """new_page(**context options): a page in a fresh browser context (a fresh session); every context is
    closed after the test (after a failure's screenshots)."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def kiosk_context(browser, live_server, create_kiosk, create_article):
    """A browser on a registered kiosk (its device cookie set as enrolment sets it), portrait touch screen
    size, with an article whose link to another website becomes a QR code (/articles/apply-elsewhere)."""
    from kiosk.device import DEVICE_COOKIE

    create_article(
        slug="apply-elsewhere",
        title="Blue Badge",
        body="Apply on [GOV.UK](https://www.gov.uk/apply-blue-badge).\n\n"
        "See [parking](/articles/parking-permits).",
    )
    _kiosk, token = create_kiosk()
    context = browser.new_context(
        base_url=live_server, has_touch=True, viewport={"width": 1080, "height": 1920}
    )
    context.add_cookies([{"name": DEVICE_COOKIE, "value": token, "url": live_server}])
    yield context
    context.close()
