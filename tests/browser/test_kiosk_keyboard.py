"""The kiosk's on-screen keyboard in real headless Chromium, tapped as on the touchscreen."""

from playwright.sync_api import expect

KEYBOARD = "#app-kiosk-keyboard"


def tap(page, name: str) -> None:
    page.locator(KEYBOARD).get_by_role("button", name=name, exact=True).tap()


def tap_keys(page, *names: str) -> None:
    for name in names:
        tap(page, name)


def start_fly_tipping_report(page) -> None:
    page.goto("/report/fly-tipping")
    page.click("button:has-text('Start now')")
    page.goto("/report/fly-tipping/your-details")


def test_tapping_keys_in_the_search_field_searches_as_you_type(kiosk_page):
    page = kiosk_page
    page.goto("/")
    keyboard = page.locator(KEYBOARD)
    expect(keyboard).to_be_hidden()  # nothing focused yet
    page.locator("#q").tap()
    expect(keyboard).to_be_visible()
    expect(keyboard).to_have_attribute("role", "group")
    tap_keys(page, "b", "i", "n")
    expect(page.locator("#q")).to_have_value("bin")
    expect(page.locator("#q")).to_be_focused()  # the keys never took focus from the field
    expect(page.locator("#search-results ol li").first).to_be_visible()  # htmx heard the input events
    assert "q=bin" in page.url
    # A screen reader or switch activates a key with a click alone (no pointer down): it types too.
    keyboard.get_by_role("button", name="s", exact=True).dispatch_event("click")
    expect(page.locator("#q")).to_have_value("bins")
    # The field is clear of the docked keyboard.
    field = page.locator("#q").bounding_box()
    assert field["y"] + field["height"] <= keyboard.bounding_box()["y"]
    # Every key is a real button at least 48px square, with room between neighbours.
    boxes = [key.bounding_box() for key in keyboard.locator("button").all()]
    assert all(box["width"] >= 48 and box["height"] >= 48 for box in boxes)
    q, w = (keyboard.get_by_role("button", name=letter, exact=True).bounding_box() for letter in "qw")
    assert w["x"] - (q["x"] + q["width"]) >= 4
    assert keyboard.locator("button:not([type=button])").count() == 0


def test_accents_backspace_shift_and_caps_type_into_an_eform_field(kiosk_page):
    page = kiosk_page
    start_fly_tipping_report(page)
    name = page.locator("#name")
    name.tap()
    shift = page.locator(KEYBOARD).get_by_role("button", name="Shift")
    shift.tap()
    expect(shift).to_have_attribute("aria-pressed", "true")
    tap_keys(page, "A", "n")  # Shift capitalises one letter only
    expect(name).to_have_value("An")
    expect(shift).to_have_attribute("aria-pressed", "false")
    tap(page, "àé… Accented letters")
    tap_keys(page, "ł", "ș", "ŵ", "ó")
    expect(name).to_have_value("Anłșŵó")
    tap(page, "Backspace")
    expect(name).to_have_value("Anłșŵ")
    tap(page, "abc Letters")
    tap(page, "Caps")
    tap_keys(page, "X", "Y")  # Caps stays on
    expect(name).to_have_value("AnłșŵXY")
    # The caret is respected: typing in the middle inserts there.
    name.evaluate("field => field.setSelectionRange(2, 2)")
    tap(page, "Caps")
    tap(page, "Space")
    expect(name).to_have_value("An łșŵXY")
    # In a textarea, Enter starts a new line.
    tap(page, "Hide keyboard")
    page.set_viewport_size({"width": 1080, "height": 1200})  # a shorter screen
    # A field at the bottom of the screen, where the keys will go, is scrolled clear of them when focused.
    page.locator("#address").evaluate("field => { field.scrollIntoView({block: 'end'}); field.focus() }")
    address, keyboard = page.locator("#address").bounding_box(), page.locator(KEYBOARD).bounding_box()
    assert address["y"] + address["height"] <= keyboard["y"]  # scrolled clear of the keyboard
    expect(page.locator(KEYBOARD).get_by_role("button", name="Enter")).to_have_count(0)
    tap_keys(page, "1", "New line", "a")
    expect(page.locator("#address")).to_have_value("1\na")
    expect(name).to_have_value("An łșŵXY")


def test_email_field_puts_at_and_co_uk_first_and_telephone_gets_a_number_pad(kiosk_page):
    page = kiosk_page
    start_fly_tipping_report(page)
    keyboard = page.locator(KEYBOARD)
    page.locator("#email").tap()
    tap_keys(page, "a", "n", "n", "@", "e", "x", ".co.uk")
    expect(page.locator("#email")).to_have_value("ann@ex.co.uk")
    expect(keyboard.locator(".app-kiosk-keyboard__key--prominent", has_text="@")).to_be_visible()
    tap(page, "Backspace")  # email inputs have no caret position to read: the end is used
    expect(page.locator("#email")).to_have_value("ann@ex.co.u")

    page.locator("#phone").tap()
    expect(keyboard).to_have_attribute("data-layer", "numbers")
    expect(keyboard.get_by_role("button", name="q", exact=True)).to_have_count(0)
    tap_keys(page, "0", "7", "7")
    expect(page.locator("#phone")).to_have_value("077")

    # Radios are tapped, not typed into: the keyboard goes away.
    page.locator("label[for=preferred_contact]").tap()
    expect(keyboard).to_be_hidden()


def test_hide_key_maxlength_and_enter_submits_the_form(kiosk_page):
    page = kiosk_page
    page.goto("/")
    keyboard = page.locator(KEYBOARD)
    search = page.locator("#q")
    search.tap()
    tap(page, "Hide keyboard")
    expect(keyboard).to_be_hidden()
    expect(search).to_be_focused()
    search.tap()  # tapping the field brings it back
    expect(keyboard).to_be_visible()
    search.evaluate("field => field.setAttribute('maxlength', '4')")
    tap_keys(page, "t", "a", "x", "e", "s", "?")
    expect(search).to_have_value("taxe")

    # Enter in a one-line field submits its form, as Enter on a real keyboard does.
    page.goto("/track")
    page.locator("#reference").tap()
    tap_keys(page, "Caps", "N", "D", "C", "Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the email address you gave us")
    expect(page.locator("#reference")).to_have_value("NDC")
    expect(keyboard).to_be_hidden()


def test_a_physical_keyboard_still_types_and_the_on_screen_one_keeps_out_of_the_way(kiosk_page):
    page = kiosk_page
    start_fly_tipping_report(page)
    keyboard = page.locator(KEYBOARD)
    page.locator("#name").tap()
    expect(keyboard).to_be_visible()
    page.keyboard.type("Zoë")
    expect(page.locator("#name")).to_have_value("Zoë")
    expect(keyboard).to_be_hidden()
    page.keyboard.press("Tab")  # still typing on the real keyboard: it stays away in the next field
    expect(page.locator("#email")).to_be_focused()
    expect(keyboard).to_be_hidden()
    page.locator("#email").tap()  # a tap on the screen brings it back
    expect(keyboard).to_be_visible()


def test_pages_without_fields_have_no_errors_and_web_pages_have_no_keyboard(kiosk_page, page):
    kiosk_page.goto("/kiosk")  # the start screen: no text fields; the fixture fails on any script error
    expect(kiosk_page.locator(KEYBOARD)).to_be_hidden()

    page.goto("/")  # the same search on the web, not a kiosk
    page.locator("#q").focus()
    page.keyboard.type("bin")
    expect(page.locator(KEYBOARD)).to_have_count(0)
