"""The resident's journeys in a real browser: htmx enhancements work, and focus lands on what changed."""

from playwright.sync_api import expect


def test_search_as_you_type_swaps_in_results_without_leaving_the_page(page):
    page.goto("/")
    page.fill("#q", "wheely bin")
    expect(page.locator("#search-results ol li").first).to_be_visible()
    expect(page.locator("#search-status")).to_contain_text("results")
    assert page.locator("h1").inner_text() == "Find answers"  # the page itself was not replaced
    assert "q=wheely" in page.url  # the address follows, so refresh and back keep the search


def test_search_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.fill("#q", "counsil tax bands")
    page.click("button:has-text('Search')")
    expect(page.locator("h1")).to_have_text("Search results")
    expect(page.locator("#search-results ol li").first).to_contain_text("band", ignore_case=True)
    context.close()


def test_chat_answers_in_place_and_moves_focus_to_the_answer(page):
    page.goto("/ask")
    page.fill("#question", "when is my bin collected")
    page.click("button:has-text('Ask')")
    latest = page.locator("#latest")
    expect(latest).to_contain_text("Did this answer your question?")
    expect(latest).to_be_focused()
    page.click("#latest button:has-text('Yes')")
    expect(page.locator("#latest")).to_contain_text("glad that helped")
    assert page.url.endswith("/ask")


def test_chat_error_is_shown_and_focused(page):
    page.goto("/ask")
    page.click("button:has-text('Ask')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your question")
    expect(summary).to_be_focused()


def test_feedback_thanks_replaces_the_form_and_takes_focus(page):
    page.goto("/articles/bin-collection-day")
    page.check("input[name=helpful][value=yes]")
    page.click("button:has-text('Send feedback')")
    panel = page.locator("#feedback .govuk-panel")
    expect(panel).to_contain_text("Thank you")
    expect(panel).to_be_focused()


def test_report_fly_tipping_from_a_search_to_the_tracking_page(page):
    page.goto("/search?q=someone+dumped+a+mattress")
    page.click("#search-results .govuk-inset-text a")
    page.click("button:has-text('Start now')")
    expect(page.locator("#details")).to_have_value("someone dumped a mattress")
    page.check("input[name=what][value=furniture]")
    page.check("input[name=amount][value=car-boot]")
    page.check("input[name=saw_it_happen][value=no]")
    page.click("button:has-text('Continue')")
    page.fill("#address", "Back lane behind Market Street")
    page.fill("#postcode", "nd1 1aa")
    page.click("button:has-text('Continue')")
    page.click("button:has-text('Continue')")  # no photos
    page.fill("#name", "Ann Smith")
    page.fill("#email", "ann@example.org")
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Check your answers before sending")
    expect(page.locator(".govuk-summary-list")).to_contain_text("ND1 1AA")
    page.click("button:has-text('Accept and send')")
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_contain_text("NDC-")
    page.click("a:has-text('Track your request')")
    expect(page.locator("h1")).to_contain_text("NDC-")
