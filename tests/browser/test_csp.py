"""The Content-Security-Policy in a real browser: no page breaks it, and htmx still swaps under it.

Chromium enforces the policy the portal sends (the context does not bypass it). An init script, which
the page's policy does not govern, listens for `securitypolicyviolation` on every page and reports each
violation back to the test; console messages about the policy ("Refused to ...") are collected too. The
server is the application as residents meet it, with CSRF protection on, so every htmx POST that works
here carried its token. Walks the pages of tests/browser/walks.py, plus the staff pages; SQLite only
(the markup does not depend on the database)."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import STAFF_PASSWORD

from .walks import SUBMIT, PageChecker, submit, walk_kiosk_pages, walk_resident_pages

pytestmark = pytest.mark.usefixtures("sqlite_only")

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:` +
      `${event.lineNumber} on ${location.pathname}${location.search} (${event.sample})`
  );
}, true);
"""


@pytest.fixture
def csrf_live_server(csrf_app, sample_content):
    """The application with CSRF protection on, served on a free port on 127.0.0.1 for one test."""
    server = make_server("127.0.0.1", 0, csrf_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


class PolicyWatch(PageChecker):
    """Collects every violation of the policy in a browser context, and the pages a walk saw."""

    def __init__(self, context):
        self.violations: list[str] = []
        self.script_errors: list[str] = []
        self.pages: list[str] = []
        context.expose_function("reportCspViolation", self._report)
        context.add_init_script(REPORT_VIOLATIONS)
        super().__init__(context.new_page())
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.script_errors.append(str(error)))

    def _report(self, violation: str) -> None:
        self.violations.append(violation)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self.violations.append(f"console: {message.text}")

    def check(self, name: str) -> None:
        self.pages.append(name)

    def assert_clean(self, least_pages: int = 1) -> None:
        self.page.evaluate("() => 1")  # a round trip: reports sent before it have arrived
        assert len(self.pages) >= least_pages
        assert self.problems == []
        assert self.violations == [], f"{len(self.violations)} CSP violation(s):\n" + "\n".join(
            self.violations
        )
        assert self.script_errors == []


@pytest.fixture
def watch(browser, csrf_live_server):
    """watch(**context options) -> a PolicyWatch on a fresh browser context of the CSRF-protected server."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=csrf_live_server, **options)
        contexts.append(context)
        return PolicyWatch(context)

    yield make
    for context in contexts:
        context.close()


def test_the_watch_sees_a_violation(watch):
    """The listener works: markup with an inline style, put in the page, is refused and reported."""
    sweep = watch()
    sweep.goto("/contact", "contact")
    sweep.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")

    with pytest.raises(AssertionError, match="style-src-attr"):
        sweep.assert_clean()


def test_resident_pages_keep_the_policy_and_htmx_works(watch):
    sweep = watch()
    page = sweep.page

    sweep.goto("/", "home")
    # GOV.UK Frontend's marker (static/js-enabled.js) is set and its components started (portal.js).
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled govuk-frontend-supported\b"))
    expect(page.locator("[data-govuk-skip-link-init]")).to_have_count(1)
    page.fill("#q", "wheely bin")  # search as you type: htmx swaps the results in
    expect(page.locator("#search-results ol li").first).to_be_visible()
    assert "q=wheely" in page.url and page.locator("h1").count() == 1
    sweep.goto("/ask", "chat")
    page.fill("#question", "when is my bin collected")
    page.click("main form:has(#question) .govuk-button")  # an htmx POST: CSRF token from the meta tag
    expect(page.locator("#latest")).to_be_focused()
    page.click("#latest button:has-text('Yes')")
    expect(page.locator("#latest")).to_contain_text("glad that helped")
    assert page.url.endswith("/ask")
    walk_resident_pages(sweep)  # every resident page, an e-form error and tracking among them
    sweep.assert_clean(least_pages=25)


def test_kiosk_pages_keep_the_policy_and_the_keyboard_works(watch, create_article):
    from kiosk.registry import register_kiosk

    create_article(slug="apply-elsewhere", title="Blue Badge", body="[GOV.UK](https://www.gov.uk/blue-badge)")
    _kiosk, code = register_kiosk("Reception kiosk", "Reception, council offices", None)
    sweep = watch(has_touch=True, viewport={"width": 1080, "height": 1920})
    page = sweep.page
    page.goto(f"/kiosk/enrol/{code}")

    page.goto("/")
    page.locator("#q").tap()
    keyboard = page.locator("#app-kiosk-keyboard")
    expect(keyboard).to_be_visible()
    for letter in "bin":
        keyboard.get_by_role("button", name=letter, exact=True).tap()
    expect(page.locator("#search-results ol li").first).to_be_visible()  # htmx heard the keys
    walk_kiosk_pages(sweep, "en", high_contrast=True)
    sweep.assert_clean(least_pages=15)


def test_staff_pages_keep_the_policy(watch, create_staff, create_case):
    case = create_case(status="in_progress")
    advisor = create_staff("advisor")
    manager = create_staff("manager")
    editor = create_staff("kb_editor")
    admin = create_staff("admin")

    sweep = watch()
    page = sweep.page
    _sign_in(sweep, advisor)
    sweep.goto("/staff/cases", "workbench")
    page.fill("main form.app-queue-filters input[type=search]", "nobody-by-this-name")
    page.click("main form.app-queue-filters .govuk-button")  # htmx swaps the results, pushes the address
    expect(page.locator("#queue-results table")).to_have_count(0)
    assert "nobody-by-this-name" in page.url and page.locator("h1").count() == 1
    sweep.goto(f"/staff/cases/{case.reference}", "case page")
    sweep.goto(f"/staff/customers/{case.customer_id}", "customer page")
    sweep.goto("/staff/contacts/new", "log a contact")
    sweep.goto("/staff/reception", "reception queue")  # refreshes itself with htmx
    expect(page.locator("[hx-trigger^='every']")).to_have_count(1)
    sweep.assert_clean(least_pages=6)

    sweep = watch()
    _sign_in(sweep, manager)
    sweep.goto("/staff/reports", "reports dashboard")
    expect(sweep.page.locator("svg.app-chart__svg").first).to_be_visible()
    sweep.goto("/staff/reports?channel=phone", "reports drilled down")
    sweep.goto("/staff/reports/content-gaps", "content gaps")
    sweep.goto("/our-performance", "our performance")
    sweep.assert_clean(least_pages=6)

    sweep = watch()
    _sign_in(sweep, editor)
    sweep.goto("/staff/knowledge-base", "knowledge base")
    sweep.goto("/staff/knowledge-base/articles/bin-collection-day", "knowledge base edit")
    sweep.goto("/staff/knowledge-base/new", "knowledge base new article")
    sweep.assert_clean(least_pages=5)

    sweep = watch()
    _sign_in(sweep, admin)  # no authenticator app yet: the set-up page with its QR code
    expect(sweep.page.locator("main svg")).to_have_count(1)
    sweep.assert_clean(least_pages=2)


def _sign_in(sweep, user) -> None:
    page = sweep.page
    sweep.goto("/staff/sign-in", "staff sign-in")
    submit(page, SUBMIT)
    sweep.check("staff sign-in with errors")
    page.fill("#email", user.email)
    page.fill("#password", STAFF_PASSWORD)
    submit(page, SUBMIT)
    expect(page.locator("main form[action$='/staff/sign-in']")).to_have_count(0)
