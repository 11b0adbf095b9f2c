"""Languages for residents: the switcher on every page, the remembered choice (session, then a cookie, never
on a kiosk), lang and dir on <html>, dates per locale, translated date boxes, a search typed in another
language, and translations flagged out of date for editors."""

from __future__ import annotations

from datetime import date

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import force_locale, get_domain, refresh
from flask_wtf import FlaskForm

from knowledge_base.models import ArticleTranslation, SearchLog
from portal import create_app
from portal.domain import LANGUAGES
from portal.forms import GovukDateField
from portal.i18n import LANGUAGE_COOKIE
from tests.portal.helpers import assert_well_formed, page, rows, text


def get(client, url, **kwargs):
    refresh()  # the tests share one application context, where Flask-Babel keeps the locale it chose
    return client.get(url, **kwargs)


# ---- the switcher and the remembered choice -----------------------------------------------------------


def test_every_resident_page_has_a_switcher_naming_each_language_in_itself(client):
    response = get(client, "/contact")
    assert_well_formed(response, 200)

    links = page(response).select("nav.app-language-switcher a")
    assert [(link["lang"], link["hreflang"], text(link)) for link in links] == [
        (code, code, name) for code, name in LANGUAGES.items()
    ]
    assert [link["href"] for link in links][:2] == [
        "/language/en?next=/contact",
        "/language/cy?next=/contact",
    ]
    assert [link.get("aria-current") for link in links] == ["true", None, None, None, None, None]
    assert {link["dir"] for link in links if link["lang"] in ("ur", "ar")} == {"rtl"}


def test_the_switcher_returns_to_the_page_with_its_query(client):
    soup = page(get(client, "/search?q=bins"))
    welsh = soup.select_one('nav.app-language-switcher a[lang="cy"]')["href"]

    response = get(client, welsh)

    assert response.status_code == 302
    assert response.location == "/search?q=bins"
    assert page(get(client, response.location)).html["lang"] == "cy"


def test_the_choice_is_remembered_in_a_long_lived_cookie(app, client):
    response = get(client, "/language/pl?next=/contact")

    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("lang="))
    assert "lang=pl" in cookie
    assert "Max-Age=31536000" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    # A new visit (no session), the same browser: the cookie still chooses Polish over the browser's English.
    fresh = app.test_client()
    fresh.set_cookie(LANGUAGE_COOKIE, "pl", domain="localhost")
    soup = page(get(fresh, "/contact", headers={"Accept-Language": "en"}))
    assert soup.html["lang"] == "pl"
    assert soup.select_one('nav.app-language-switcher a[lang="pl"]')["aria-current"] == "true"


def test_the_session_choice_wins_over_the_cookie_and_a_bad_cookie_is_ignored(app):
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, "pl", domain="localhost")
    get(client, "/language/ro")
    assert page(get(client, "/contact")).html["lang"] == "ro"

    other = app.test_client()
    other.set_cookie(LANGUAGE_COOKIE, "xx", domain="localhost")
    assert page(get(other, "/contact", headers={"Accept-Language": "cy"})).html["lang"] == "cy"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_choose_language_never_redirects_off_the_site(client, target):
    response = get(client, "/language/cy", query_string={"next": target})

    assert response.status_code == 302
    assert response.location == "/"


def test_an_unknown_language_sets_no_cookie(client):
    response = get(client, "/language/xx?next=/contact")

    assert response.location == "/contact"
    assert not [value for value in response.headers.getlist("Set-Cookie") if value.startswith("lang=")]


def test_a_kiosk_never_remembers_the_language_beyond_the_visit(kiosk_client):
    response = get(kiosk_client, "/language/ur?next=/kiosk")

    assert not [value for value in response.headers.getlist("Set-Cookie") if value.startswith("lang=")]
    assert page(get(kiosk_client, "/kiosk")).html["lang"] == "ur"
    # The kiosk's layout has its own language control: the portal's switcher is not repeated there.
    assert page(get(kiosk_client, "/kiosk")).select("nav.app-language-switcher") == []


def test_a_lang_cookie_on_a_kiosk_is_ignored(kiosk_client):
    kiosk_client.set_cookie(LANGUAGE_COOKIE, "pl", domain="localhost")

    assert page(get(kiosk_client, "/kiosk")).html["lang"] == "en"


# ---- lang and dir --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("cy", "ltr"), ("ur", "rtl"), ("ar", "rtl")])
def test_html_carries_lang_and_dir(client, lang, direction):
    get(client, f"/language/{lang}")

    soup = page(get(client, "/contact"))

    assert (soup.html["lang"], soup.html["dir"]) == (lang, direction)
    assert soup.html["class"] == ["govuk-template", "app-html"]


def test_the_kiosk_and_staff_pages_carry_dir_too(kiosk_client, staff_client):
    get(kiosk_client, "/language/ar?next=/kiosk")
    assert page(get(kiosk_client, "/kiosk")).html["dir"] == "rtl"

    staff, _user = staff_client("advisor")
    soup = page(get(staff, "/staff/cases"))
    assert (soup.html["dir"], len(soup.select("nav.app-language-switcher"))) == ("ltr", 1)


# ---- dates and numbers per locale ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "month"), [("cy", "Mawrth"), ("pl", "marca"), ("ro", "martie"), ("en", "March")]
)
def test_the_tracking_page_shows_dates_in_the_residents_language(client, create_case, lang, month):
    case = create_case()
    case.respond_due = date(2026, 3, 17)
    from portal.db import db

    db.session.commit()
    get(client, f"/language/{lang}")

    soup = page(get(client, f"/track/{case.tracking_token}"))

    assert f"17 {month} 2026" in text(soup.main)


@pytest.fixture
def welsh_catalogue(tmp_path):
    """A Welsh catalogue of our own, so the test does not wait for the translators."""
    catalogue = Catalog(locale="cy")
    for english, welsh in {"Day": "Diwrnod", "Month": "Mis", "Year": "Blwyddyn"}.items():
        catalogue.add(english, welsh)
    folder = tmp_path / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as file:
        write_mo(file, catalogue)
    return tmp_path


def test_date_boxes_are_labelled_in_the_residents_language(welsh_catalogue):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": False,
            "BABEL_TRANSLATION_DIRECTORIES": str(welsh_catalogue),
        }
    )

    class Form(FlaskForm):
        when = GovukDateField("When")

    with app.test_request_context(), force_locale("cy"):
        # Flask-Babel caches catalogues by locale for every application in the process: start and end clean.
        get_domain().cache.clear()
        try:
            html = page_of(Form().when())
        finally:
            get_domain().cache.clear()

    labels = [text(label) for label in html.select("label")]
    assert labels == ["Diwrnod", "Mis", "Blwyddyn"]


def page_of(markup):
    from bs4 import BeautifulSoup

    return BeautifulSoup(str(markup), "html.parser")


# ---- a search typed in another language ----------------------------------------------------------------


def test_a_search_typed_in_polish_on_the_english_interface_finds_the_polish_article(client, create_article):
    create_article(
        slug="bin-collection-day",
        title="Find your bin collection day",
        body="Enter your postcode to see when your bins are collected.",
        translations={
            "pl": {
                "title": "Sprawdź dzień odbioru śmieci",
                "body": "Wpisz kod pocztowy, aby zobaczyć, kiedy jest odbiór śmieci.",
                "questions": ["kiedy odbiór śmieci"],
            }
        },
    )

    response = get(client, "/search", query_string={"q": "kiedy jest odbiór śmieci"})

    assert_well_formed(response, 200)
    soup = page(response)
    assert text(soup.select_one("#searched-language")) == "Showing results in Polski"
    [link] = soup.select("#search-results a[href^='/articles/']")
    assert (text(link), link["lang"]) == ("Sprawdź dzień odbioru śmieci", "pl")
    assert rows(SearchLog)[-1].lang == "pl"


def test_an_english_search_on_the_english_interface_is_not_flagged(client, create_article):
    create_article(slug="bin-collection-day", title="Find your bin collection day", body="When bins go.")

    soup = page(get(client, "/search", query_string={"q": "when is my bin collection day"}))

    assert soup.select("#searched-language") == []
    assert rows(SearchLog)[-1].lang == "en"


def test_the_api_keeps_a_language_asked_for(client, create_article):
    create_article(
        slug="bins",
        title="Bins",
        body="Bins.",
        translations={"pl": {"title": "Śmieci", "body": "Odbiór śmieci."}},
    )

    asked = get(client, "/api/search", query_string={"q": "kiedy jest odbiór śmieci", "lang": "en"}).json
    detected = get(client, "/api/search", query_string={"q": "kiedy jest odbiór śmieci"}).json

    assert (asked["lang"], detected["lang"]) == ("en", "pl")


# ---- translations out of date ----------------------------------------------------------------------------


@pytest.fixture
def editor(staff_client):
    return staff_client("kb_editor", name="Kim Editor")


def test_a_translation_older_than_an_english_edit_is_flagged_to_editors(editor, create_article):
    client, _user = editor
    create_article(
        slug="bin-day",
        title="Find your bin day",
        body="Bins are collected weekly.",
        translations={"cy": {"title": "Diwrnod bin", "body": "Caiff biniau eu casglu."}},
    )
    create_article(
        slug="parking",
        title="Parking",
        body="Permits.",
        translations={"pl": {"title": "Parking", "body": "Tak."}},
    )
    listing = page(get(client, "/staff/knowledge-base"))
    assert listing.select(".app-kb-editor-out-of-date") == []

    client.post(
        "/staff/knowledge-base/articles/bin-day/en",
        data={"title": "Find your bin day", "body": "Bins are collected every two weeks.", "save": "Save"},
    )

    response = get(client, "/staff/knowledge-base/articles/bin-day")
    assert_well_formed(response, 200)
    [flag] = page(response).select(".app-kb-editor-out-of-date")
    assert text(flag).startswith("Out of date: the English was changed on ")
    warning = page(get(client, "/staff/knowledge-base/articles/bin-day/cy")).select_one(
        ".app-kb-editor-out-of-date"
    )
    assert "Out of date: the English was changed on" in text(warning)
    assert (
        page(get(client, "/staff/knowledge-base/articles/bin-day/en")).select(".app-kb-editor-out-of-date")
        == []
    )

    filtered = page(get(client, "/staff/knowledge-base", query_string={"translations": "out-of-date"}))
    assert [text(a) for a in filtered.select("tbody a")] == ["Find your bin day"]
    assert text(filtered.select_one("tbody .app-kb-editor-out-of-date")) == "Out of date: Cymraeg"

    # Bringing the Welsh up to date clears the flag.
    client.post(
        "/staff/knowledge-base/articles/bin-day/cy",
        data={"title": "Diwrnod bin", "body": "Caiff biniau eu casglu bob pythefnos.", "save": "Save"},
    )
    assert (
        page(get(client, "/staff/knowledge-base/articles/bin-day")).select(".app-kb-editor-out-of-date") == []
    )
    filtered = page(get(client, "/staff/knowledge-base", query_string={"translations": "out-of-date"}))
    assert filtered.select("tbody a") == []
    assert [t.lang for t in rows(ArticleTranslation)] == ["en", "cy", "en", "pl"]


# ---- contacts are counted by language ---------------------------------------------------------------------


def test_every_way_a_contact_is_recorded_keeps_its_language(
    app, client, create_article, create_case, create_staff
):
    """Self-service: the resident's language; assisted: the language the advisor records for the customer."""
    from crm_bridge.assisted import AssistedContact, log_assisted_contact
    from crm_bridge.models import Contact
    from crm_bridge.open311.keys import create_key
    from portal.chat.services import ask, reply

    create_article(
        slug="bins",
        title="Bin collection day",
        body="Bins are collected weekly.",
        questions=("when are bins collected",),
        translations={
            "pl": {
                "title": "Dzień odbioru śmieci",
                "body": "Co tydzień.",
                "questions": ["kiedy odbiór śmieci"],
            }
        },
    )

    get(client, "/language/pl")
    refresh()
    client.post("/articles/bins/feedback", data={"helpful": "yes"})  # web answer, read in Polish

    with app.test_request_context():
        chat = ask(None, "kiedy odbiór śmieci", "pl", "chat")  # chat answer
        reply(chat, chat.messages[-1].id, True, None)

    create_case(channel="web", lang="cy")  # e-form hand-off
    create_case(channel="kiosk", lang="ur")  # kiosk hand-off
    key = create_key("partner")
    missed_bin = {
        "service_code": "missed-bin",
        "attribute[bin]": "green",
        "address_string": "1 High St",
        "attribute[collection_date]": "2026-03-02",
        "attribute[out_by_time]": "yes",
    }
    client.post("/open311/v2/requests.json", data={"api_key": key, "lang": "ro", **missed_bin})
    client.post("/open311/v2/requests.json", data={"api_key": key, **missed_bin})
    advisor = create_staff(role="advisor")
    log_assisted_contact(
        AssistedContact(
            channel="phone",
            service_group="council-tax",
            interaction_type="collecting_revenue",
            resolved=True,
            lang="ar",
        ),
        advisor,
    )

    assert [(contact.channel, contact.lang) for contact in rows(Contact)] == [
        ("web", "pl"),
        ("chat", "pl"),
        ("web", "cy"),
        ("kiosk", "ur"),
        ("app", "ro"),
        ("app", "en"),
        ("phone", "ar"),
    ]
