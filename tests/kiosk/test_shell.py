"""The kiosk's shell: start screen, language for this visit, high contrast, the idle prompt's settings, no
caching and no autofill on a kiosk, and addresses that do not bring back an earlier visitor's typing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask_babel import refresh

from portal.domain import LANGUAGES
from tests.portal.helpers import assert_well_formed, page, text


def _query(location: str) -> dict:
    return parse_qs(urlsplit(location).query)


def test_start_screen_offers_every_language_in_its_own_language_and_the_top_tasks(kiosk_client):
    response = kiosk_client.get("/kiosk")

    assert assert_well_formed(response, 200) == "How can we help you today?"
    soup = page(response)
    languages = soup.select(".app-kiosk-languages a")
    assert [(link["lang"], text(link)) for link in languages] == list(LANGUAGES.items())
    assert {link["dir"] for link in languages if link["lang"] in ("ar", "ur")} == {"rtl"}
    assert languages[0]["href"] == "/language/en?next=/kiosk"
    tasks = {link["id"]: (text(link.select_one(".app-kiosk-task__title")), link["href"]) for link in
             soup.select("a.app-kiosk-task")}  # fmt: skip
    assert tasks["task-find"] == ("Find an answer", "/")
    assert tasks["task-ask"] == ("Ask a question", "/ask")
    assert tasks["task-report"] == ("Report or request something", "/report")
    assert tasks["task-track"] == ("Track a request", "/track")
    assert tasks["task-check-in"][1] == "/kiosk/check-in"  # the check-in is registered in this app


def test_the_check_in_button_is_left_out_when_check_in_is_not_there(app, kiosk_client):
    del app.view_functions["kiosk.start_check_in"]

    soup = page(kiosk_client.get("/kiosk"))

    assert soup.find(id="task-check-in") is None
    assert soup.find(id="task-find") is not None


def test_the_layout_carries_finish_high_contrast_language_and_the_idle_settings(app, kiosk_client):
    app.config.update(KIOSK_IDLE_SECONDS=45, KIOSK_PROMPT_SECONDS=12)

    soup = page(kiosk_client.get("/report"))

    body = soup.body
    assert (body["data-idle-seconds"], body["data-prompt-seconds"]) == ("45", "12")
    assert (body["data-finish-url"], body["data-start-url"]) == ("/kiosk/finish", "/kiosk")
    assert body["data-idle-active"] == "true"
    finish = soup.find(id="kiosk-finish").find_parent("form")
    assert (finish["method"], finish["action"]) == ("post", "/kiosk/finish")
    assert finish.find("input", attrs={"name": "csrf_token"}) is not None
    assert soup.find(id="kiosk-contrast")["aria-pressed"] == "false"
    assert soup.find(id="kiosk-language")["href"] == "/kiosk#languages"
    dialog = soup.find("dialog", id="kiosk-idle")
    assert dialog["role"] == "alertdialog" and dialog["aria-labelledby"] == "kiosk-idle-title"
    assert text(dialog.find("h2")) == "Do you need more time?"
    assert soup.find(id="kiosk-idle-live")["aria-live"] == "assertive"
    assert [text(b) for b in dialog.find_all("button")] == ["Yes, I need more time", "No, finish"]
    scripts = [script.get("src") for script in soup.find_all("script")]
    assert "/kiosk/static/idle.js" in scripts and "/kiosk/static/keyboard.js" in scripts


def test_the_idle_prompt_waits_on_an_untouched_start_screen_only(kiosk_client):
    assert page(kiosk_client.get("/kiosk")).body["data-idle-active"] == "false"

    kiosk_client.get("/language/cy?next=/kiosk")  # the visitor did something: the timer runs

    assert page(kiosk_client.get("/kiosk")).body["data-idle-active"] == "true"


def test_choosing_a_language_holds_for_this_visit_only(kiosk_client):
    response = kiosk_client.get("/language/pl?next=/kiosk")
    assert response.status_code == 302 and response.location == "/kiosk"
    soup = page(kiosk_client.get("/kiosk"))
    assert soup.html["lang"] == "pl"
    assert soup.select_one('.app-kiosk-languages a[lang="pl"]')["aria-current"] == "true"

    kiosk_client.post("/kiosk/finish")
    refresh()  # the tests share one application context, where Flask-Babel keeps the locale it chose

    assert page(kiosk_client.get("/kiosk")).html["lang"] == "en"


def test_high_contrast_toggles_for_this_visit_and_the_wipe_resets_it(kiosk_client):
    response = kiosk_client.post("/kiosk/high-contrast", data={"next": "/report"})
    assert response.status_code == 302 and response.location == "/report"
    soup = page(kiosk_client.get("/report"))
    assert "app-kiosk--high-contrast" in soup.body["class"]
    assert soup.find(id="kiosk-contrast")["aria-pressed"] == "true"

    kiosk_client.post("/kiosk/high-contrast", data={"next": "https://elsewhere.example/"})  # off again
    assert "app-kiosk--high-contrast" not in page(kiosk_client.get("/kiosk")).body["class"]

    kiosk_client.post("/kiosk/high-contrast")
    kiosk_client.post("/kiosk/finish")
    assert "app-kiosk--high-contrast" not in page(kiosk_client.get("/kiosk")).body["class"]


def test_the_next_address_after_high_contrast_stays_on_this_site(kiosk_client):
    response = kiosk_client.post("/kiosk/high-contrast", data={"next": "//evil.example/x"})

    assert response.location == "/kiosk"


def test_an_unregistered_browser_gets_no_kiosk_pages(client):
    response = client.get("/kiosk")
    assert assert_well_formed(response, 403) == "This device is not a kiosk"
    assert response.headers["Cache-Control"] == "no-store"
    assert client.post("/kiosk/high-contrast").status_code == 403


def test_every_page_on_a_kiosk_is_never_stored_but_the_web_is_unchanged(kiosk_client, client, sample_content):
    for path in ("/", "/search?q=council+tax", "/articles/bin-collection-day", "/ask", "/report", "/track"):
        response = kiosk_client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path

    assert "no-store" not in client.get("/articles/bin-collection-day").headers.get("Cache-Control", "")


def test_every_form_and_field_on_a_kiosk_says_autocomplete_off(kiosk_client, client):
    kiosk_client.post("/report/missed-bin")
    for path in ("/", "/ask", "/track", "/report/missed-bin/your-details", "/kiosk/check-in"):
        response = kiosk_client.get(path)
        assert response.status_code == 200, path
        soup = page(response)
        fields = soup.find_all(["form", "input", "textarea", "select"])
        assert fields, path
        assert {field.get("autocomplete") for field in fields} == {"off"}, path

    on_web = page(client.get("/track"))
    assert "off" not in {field.get("autocomplete") for field in on_web.find_all("input", type="email")}


def test_a_search_address_belongs_to_the_visit_that_typed_it(kiosk_client, sample_content):
    typed = kiosk_client.get("/search?q=council+tax+bands")  # a search form sent without JavaScript
    assert typed.status_code == 302
    visit = _query(typed.location)["visit"][0]
    assert _query(typed.location)["q"] == ["council tax bands"]
    shown = kiosk_client.get(typed.location)
    assert assert_well_formed(shown, 200) == "Search results"
    assert "council tax bands" in shown.get_data(as_text=True)

    kiosk_client.post("/kiosk/finish")  # the next visitor presses back
    again = kiosk_client.get(typed.location)

    assert again.status_code == 302 and again.location == "/search"
    after = kiosk_client.get(again.location)
    assert "council tax bands" not in after.get_data(as_text=True)
    assert page(after).body["data-visit"] not in ("", visit)


def test_links_that_carry_typing_carry_the_visit_too(kiosk_client, client, sample_content):
    visit = page(kiosk_client.get("/kiosk")).body["data-visit"]
    soup = page(kiosk_client.get(f"/search?q=someone+dumped+a+mattress&visit={visit}"))
    link = soup.select_one("#search-results .govuk-inset-text a")["href"]
    assert _query(link) == {"q": ["someone dumped a mattress"], "visit": [visit]}
    assert kiosk_client.get(link).status_code == 200

    on_web = page(client.get("/search?q=someone+dumped+a+mattress"))
    assert "visit" not in _query(on_web.select_one("#search-results .govuk-inset-text a")["href"])


def test_a_prefilled_form_address_of_an_earlier_visit_loses_the_typing(kiosk_client):
    kiosk_client.get("/kiosk")
    response = kiosk_client.get("/report/fly-tipping?q=mattress+at+12+Elm+Road&visit=someone-else")

    assert response.status_code == 302 and response.location == "/report/fly-tipping"


def test_a_tracking_address_of_an_earlier_visit_asks_for_the_reference_again(kiosk_client, create_case):
    case = create_case()
    kiosk_client.get("/kiosk")

    response = kiosk_client.get(f"/track/{case.tracking_token}?visit=stale")

    assert response.status_code == 302 and response.location == "/track"
    visit = page(kiosk_client.get("/kiosk")).body["data-visit"]
    assert kiosk_client.get(f"/track/{case.tracking_token}?visit={visit}").status_code == 200
