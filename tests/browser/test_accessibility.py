"""axe-core (WCAG 2.2 A and AA rules) on every page in a real browser: the resident pages and the kiosk in
every language (the kiosk in both colour themes), the staff pages in English and Urdu.

Each test walks one language through one channel in a single browser context, checking every page it
reaches; violations are collected page by page (with a screenshot of the page under
test-results/screenshots/) and reported together, so one run shows everything to fix. The sweep runs on
SQLite only: the markup does not depend on the database."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from portal.domain import LANGUAGES
from tests.conftest import STAFF_PASSWORD

from .axe import Violation, run_axe
from .conftest import SCREENSHOTS, screenshot_name
from .walks import SUBMIT, PageChecker, choose_language, submit, walk_kiosk_pages, walk_resident_pages

pytestmark = pytest.mark.usefixtures("sqlite_only")


class Sweep(PageChecker):
    """Runs axe on each page visited and keeps what it finds, so the test reports every page at once:
    each rule broken once, with the pages it was broken on and the first elements that broke it."""

    def __init__(self, request, page):
        super().__init__(page)
        self.test_name = screenshot_name(request.node.nodeid)
        self.rules: dict[str, tuple[Violation, list[str]]] = {}

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        violations = run_axe(page)
        if violations:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"{self.test_name}-{screenshot_name(name)}.png"
            page.screenshot(path=str(shot), full_page=True)
        for violation in violations:
            self.rules.setdefault(violation.id, (violation, []))[1].append(f"{name} ({page.url})")

    def assert_clean(self) -> None:
        found = [
            f"{violation.describe(max_nodes=3)}\n    on: " + "\n        ".join(pages)
            for violation, pages in self.rules.values()
        ]
        assert not (self.problems or found), "\n".join(
            self.problems + [f"{len(found)} WCAG 2.2 A/AA rule(s) broken (axe-core):"] + found
        )


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_resident_page_passes_axe(request, new_page, lang):
    page = new_page()
    sweep = Sweep(request, page)
    choose_language(page, lang)
    walk_resident_pages(sweep)
    sweep.assert_clean()


@pytest.mark.parametrize("contrast", ["standard", "high-contrast"])
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_kiosk_page_passes_axe(request, kiosk_context, lang, contrast):
    page = kiosk_context.new_page()
    sweep = Sweep(request, page)
    walk_kiosk_pages(sweep, lang, high_contrast=contrast == "high-contrast")
    sweep.assert_clean()


def _sign_in(page, user, secret: str | None = None) -> None:
    page.fill("#email", user.email)
    page.fill("#password", STAFF_PASSWORD)
    submit(page, SUBMIT)
    if secret:
        page.fill("#code", pyotp.TOTP(secret).now())
        submit(page, SUBMIT)
    expect(page.locator("main form[action$='/staff/sign-in']")).to_have_count(0)


def _fail_a_delivery(case) -> None:
    """A push to the CRM failing for an hour: the workbench's delivery banner and the deliveries page's
    retry forms are swept too."""
    from datetime import timedelta

    from crm_bridge.models import OutboxMessage
    from portal.db import db, utcnow

    now = utcnow()
    db.session.add(
        OutboxMessage(kind="crm_push", case_id=case.id, idempotency_key=f"crm_push:{case.reference}",
                      attempts=7, last_error="Open311 503: service unavailable",
                      created_at=now - timedelta(hours=1), next_attempt_at=now + timedelta(hours=1))
    )  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_staff_page_passes_axe(request, new_page, create_staff, create_case, lang):
    from knowledge_base.models import Article

    case = create_case(status="in_progress")
    _fail_a_delivery(case)
    slug = Article.query.first().slug
    advisor = create_staff("advisor")
    manager = create_staff("manager")
    editor = create_staff("kb_editor")
    secret = pyotp.random_base32()
    admin = create_staff("admin", totp_secret=secret)

    page = new_page()
    sweep = Sweep(request, page)
    choose_language(page, lang)
    sweep.goto("/staff/sign-in", "staff sign-in")
    submit(page, SUBMIT)
    sweep.check("staff sign-in with errors")
    _sign_in(page, advisor)
    sweep.goto("/staff/cases", "cases list")
    sweep.goto(f"/staff/cases/{case.reference}", "case page with actions")
    sweep.goto(f"/staff/customers/{case.customer_id}", "customer page")
    sweep.goto("/staff/customers/?q=Smith", "find customers")
    sweep.goto("/staff/contacts/new", "log a contact")
    sweep.goto("/staff/contacts", "contacts list")
    sweep.goto("/staff/reception", "reception queue")

    page = new_page()
    sweep.page = page
    choose_language(page, lang)
    page.goto("/staff/sign-in")
    _sign_in(page, manager)
    sweep.goto("/staff/reports", "reports dashboard")
    sweep.goto(
        "/staff/reports?period=custom&date_from=31&date_from=2&date_from=2026",
        "reports dashboard with errors",
        status=422,
    )
    sweep.goto("/staff/reports?channel=phone", "reports dashboard drilled down")
    sweep.goto("/staff/reports/content-gaps", "content gaps")
    sweep.goto(f"/staff/reports/content-gaps/comments/{slug}", "content gap comments")

    page = new_page()
    sweep.page = page
    choose_language(page, lang)
    page.goto("/staff/sign-in")
    _sign_in(page, editor)
    sweep.goto("/staff/knowledge-base", "knowledge base list")
    sweep.goto(f"/staff/knowledge-base/articles/{slug}", "knowledge base edit")
    sweep.goto(f"/staff/knowledge-base/articles/{slug}/ur", "knowledge base translation")
    sweep.goto(f"/staff/knowledge-base/articles/{slug}/history", "knowledge base history")
    sweep.goto("/staff/knowledge-base/new", "knowledge base new article")

    page = new_page()
    sweep.page = page
    choose_language(page, lang)
    page.goto("/staff/sign-in")
    page.fill("#email", admin.email)
    page.fill("#password", STAFF_PASSWORD)
    submit(page, SUBMIT)
    sweep.check("security code page")
    page.fill("#code", pyotp.TOTP(secret).now())
    submit(page, SUBMIT)
    sweep.goto("/staff/admin/users", "users")
    sweep.goto(f"/staff/admin/users/{advisor.id}", "edit user")
    sweep.goto("/staff/admin/users/new", "new user")
    sweep.goto("/staff/admin/audit", "audit log")
    sweep.goto("/staff/admin/kiosks", "kiosks admin")
    sweep.goto("/staff/admin/kiosks/new", "new kiosk")
    sweep.goto("/staff/admin/deliveries", "deliveries")
    sweep.assert_clean()
