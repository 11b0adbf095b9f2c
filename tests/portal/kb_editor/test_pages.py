"""The knowledge-base editors' screens: who may open them, creating, editing, translating, publishing
(residents' search follows at once), bad input, the change log, the monthly review and the preview."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from knowledge_base.models import Article, ArticleChange, ArticleTranslation
from tests.portal.helpers import assert_well_formed, count, page, rows, text

NEW_ARTICLE = {
    "slug": "allotment-waiting-list",
    "service_group": "environment",
    "owner": "Parks team",
    "review_due": ["31", "3", "2027"],
    "related_form": "",
    "title": "Join the allotment waiting list",
    "body": "Put your name on the waiting list by filling in the form.\n\n## Rent\n\nPlots cost £40 a year.",
    "questions": "how do I get an allotment\nallotment plot",
    "keywords": "allotment, vegetable plot",
}


@pytest.fixture
def editor(staff_client):
    return staff_client("kb_editor", name="Kim Editor")


def search_slugs(client, query: str) -> list[str]:
    links = page(client.get("/search", query_string={"q": query})).select(
        "#search-results a[href^='/articles/']"
    )
    return [link["href"].split("?")[0].removeprefix("/articles/") for link in links]


def test_editor_opens_every_page(editor, create_article, app):
    client, _user = editor
    create_article(slug="bin-day", title="Find your bin day")
    create_article(slug="bin-day-2", title="Second", review_due=date.today() - timedelta(days=1))

    for url, heading in [
        ("/staff/knowledge-base", "Knowledge base articles"),
        ("/staff/knowledge-base/due-for-review", "Articles due for review"),
        ("/staff/knowledge-base/new", "New article"),
        ("/staff/knowledge-base/articles/bin-day", "Edit ‘Find your bin day’"),
        ("/staff/knowledge-base/articles/bin-day/en", "Edit the English version"),
        ("/staff/knowledge-base/articles/bin-day/cy", "Edit the Cymraeg version"),
        ("/staff/knowledge-base/articles/bin-day/history", "History of ‘Find your bin day’"),
    ]:
        assert assert_well_formed(client.get(url), 200) == heading, url


@pytest.mark.parametrize("role", ["advisor", "service_officer", "manager", "admin"])
def test_other_roles_are_refused(staff_client, create_article, role):
    client, _user = staff_client(role)
    create_article(slug="bin-day", status="draft")

    assert client.get("/staff/knowledge-base").status_code == 403
    assert client.get("/staff/knowledge-base/articles/bin-day").status_code == 403
    assert client.post("/staff/knowledge-base/articles/bin-day/publish").status_code == 403
    assert client.post("/staff/knowledge-base/new", data=NEW_ARTICLE).status_code == 403
    assert rows(Article)[0].status == "draft"
    assert count(ArticleChange) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/knowledge-base")

    assert response.status_code == 302
    assert "/staff/sign-in" in response.location


def test_unknown_article_or_language_is_not_found(editor, create_article):
    client, _user = editor
    create_article(slug="bin-day")

    assert client.get("/staff/knowledge-base/articles/no-such-article").status_code == 404
    assert client.get("/staff/knowledge-base/articles/bin-day/xx").status_code == 404


def test_create_an_article_as_a_draft(editor, client):
    editor_client, user = editor

    response = editor_client.post("/staff/knowledge-base/new", data=NEW_ARTICLE)

    assert response.status_code == 302
    assert response.location.endswith("/staff/knowledge-base/articles/allotment-waiting-list")
    [article] = rows(Article)
    assert (article.status, article.owner, article.review_due) == ("draft", "Parks team", date(2027, 3, 31))
    translation = article.translation("en")
    assert translation.questions == ["how do I get an allotment", "allotment plot"]
    assert translation.keywords == ["allotment", "vegetable plot"]
    [change] = rows(ArticleChange)
    assert (change.action, change.changed_by_id, change.changed_by) == ("created", user.id, "Kim Editor")
    assert search_slugs(client, "allotment waiting list") == []  # a draft: residents cannot find it

    shown = page(editor_client.get(response.location))
    assert "Article created as a draft" in text(shown.select_one(".govuk-notification-banner"))


def test_new_article_with_bad_input_keeps_what_was_typed_and_writes_nothing(editor):
    client, _user = editor
    data = NEW_ARTICLE | {"slug": "Allotments!", "title": "", "review_due": ["31", "13", "2027"]}

    response = client.post("/staff/knowledge-base/new", data=data)

    assert_well_formed(response, 422)
    soup = page(response)
    summary = text(soup.select_one(".govuk-error-summary"))
    assert "Enter the review date as a real date" in summary
    assert soup.select_one("#slug")["value"] == "Allotments!"
    assert soup.select_one("#owner")["value"] == "Parks team"
    assert "filling in the form" in soup.select_one("#body").text
    assert count(Article) == 0
    assert count(ArticleChange) == 0

    # With a good date, the service's own rules speak, next to their fields.
    response = client.post("/staff/knowledge-base/new", data=data | {"review_due": ["31", "3", "2027"]})

    assert_well_formed(response, 422)
    soup = page(response)
    assert "Slug must be lower-case letters" in text(soup.select_one("#slug-error"))
    assert "Title is required" in text(soup.select_one("#title-error"))
    assert soup.select_one(".govuk-error-summary a[href='#slug']") is not None
    assert soup.select_one("#service_group option[selected]")["value"] == "environment"
    assert count(Article) == 0


def test_edit_the_settings(editor, create_article):
    client, user = editor
    create_article(slug="bin-day", owner="Waste", related_form=None)
    form = {
        "slug": "bin-collection-day",
        "service_group": "environment",
        "owner": "Waste and Recycling",
        "review_due": ["30", "6", "2027"],
        "related_form": "missed-bin",
    }

    response = client.post("/staff/knowledge-base/articles/bin-day", data=form)

    assert response.status_code == 302
    assert response.location.endswith("/staff/knowledge-base/articles/bin-collection-day")
    [article] = rows(Article)
    assert (article.slug, article.owner, article.related_form) == (
        "bin-collection-day",
        "Waste and Recycling",
        "missed-bin",
    )
    [change] = rows(ArticleChange)
    assert change.summary == "slug, service_group, owner, review_due, related_form"
    assert change.changed_by_id == user.id


def test_edit_the_settings_with_bad_input(editor, create_article):
    client, _user = editor
    create_article(slug="bin-day")
    create_article(slug="parking", service_group="parking")
    form = {"slug": "parking", "service_group": "roads", "owner": "New owner", "related_form": "no-such-form"}

    response = client.post("/staff/knowledge-base/articles/bin-day", data=form)

    assert_well_formed(response, 422)
    soup = page(response)
    assert "already used" in text(soup.select_one("#slug-error"))
    assert "Service group must be one of" in text(soup.select_one("#service_group-error"))
    assert "Related form must be a form" in text(soup.select_one("#related_form-error"))
    assert soup.select_one("#owner")["value"] == "New owner"
    assert rows(Article)[0].owner == "Customer services"
    assert count(ArticleChange) == 0


def test_add_and_edit_a_translation(editor, create_article):
    client, user = editor
    create_article(slug="bin-day")
    welsh = {
        "title": "Dod o hyd i'ch diwrnod bin",
        "body": "Caiff eich biniau eu casglu.",
        "questions": "pryd\nbin",
        "keywords": "bin, sbwriel",
        "save": "Save",
    }

    response = client.post("/staff/knowledge-base/articles/bin-day/cy", data=welsh)

    assert response.status_code == 302
    translation = rows(ArticleTranslation)[1]
    assert (translation.lang, translation.title, translation.questions, translation.keywords) == (
        "cy",
        "Dod o hyd i'ch diwrnod bin",
        ["pryd", "bin"],
        ["bin", "sbwriel"],
    )
    soup = page(client.get(response.location))
    assert soup.select_one("#title")["value"] == "Dod o hyd i'ch diwrnod bin"
    assert soup.select_one("#keywords")["value"] == "bin, sbwriel"
    [change] = rows(ArticleChange)
    assert (change.action, change.lang, change.changed_by_id) == ("translated", "cy", user.id)


def test_translation_with_bad_input_keeps_what_was_typed(editor, create_article):
    client, _user = editor
    create_article(slug="bin-day")

    response = client.post(
        "/staff/knowledge-base/articles/bin-day/pl", data={"title": " ", "body": "Treść", "save": "Save"}
    )

    assert_well_formed(response, 422)
    soup = page(response)
    assert "Title is required" in text(soup.select_one("#title-error"))
    assert soup.select_one("#body").text.strip() == "Treść"
    assert count(ArticleTranslation) == 1
    assert count(ArticleChange) == 0


def test_right_to_left_languages_are_marked(editor, create_article):
    client, _user = editor
    create_article(slug="bin-day")

    soup = page(client.get("/staff/knowledge-base/articles/bin-day/ar"))

    assert soup.select_one("#title")["dir"] == "rtl"
    assert soup.select_one("#body")["dir"] == "rtl"
    assert soup.select_one("#title")["lang"] == "ar"
    assert page(client.get("/staff/knowledge-base/articles/bin-day/cy")).select_one("#body")["dir"] == "ltr"


def test_preview_is_sanitised_and_saves_nothing(editor, create_article):
    client, _user = editor
    create_article(slug="bin-day", body="An answer.")
    body = "**Bold** answer.\n\n<script>alert('x')</script>\n\n[link](javascript:alert(1))"

    response = client.post(
        "/staff/knowledge-base/articles/bin-day/en",
        data={"title": "Bin day", "body": body, "preview": "Preview"},
    )

    assert_well_formed(response, 200)
    preview = page(response).select_one("#text-preview")
    assert preview.find("strong").text == "Bold"
    assert preview.find("script") is None
    assert "<script>" in text(preview)  # shown as text, never run
    assert all("javascript" not in (link.get("href") or "") for link in preview.find_all("a"))
    assert page(response).select_one("#body").text.startswith("**Bold**")
    assert rows(ArticleTranslation)[0].body == "An answer."
    assert count(ArticleChange) == 0


def test_publish_and_unpublish_show_in_residents_search_at_once(editor, client, create_article):
    editor_client, user = editor
    create_article(slug="bin-day", title="Find your bin day", keywords=("bin",))
    create_article(slug="allotments", title="Allotment waiting list", status="draft", keywords=("allotment",))
    assert search_slugs(client, "allotment waiting list") == []  # the index is built, without the draft

    response = editor_client.post("/staff/knowledge-base/articles/allotments/publish")

    assert response.status_code == 302
    assert search_slugs(client, "allotment waiting list")[0] == "allotments"
    assert client.get("/articles/allotments").status_code == 200

    editor_client.post("/staff/knowledge-base/articles/allotments/unpublish")

    assert search_slugs(client, "allotment waiting list") == []
    assert client.get("/articles/allotments").status_code == 404
    changes = rows(ArticleChange)
    assert [(c.action, c.changed_by_id) for c in changes] == [
        ("published", user.id),
        ("unpublished", user.id),
    ]


def test_an_edited_title_is_searched_at_once(editor, client, create_article):
    editor_client, _user = editor
    create_article(slug="bin-day", title="Find your bin day")
    assert search_slugs(client, "wheelie collection calendar") == []

    editor_client.post(
        "/staff/knowledge-base/articles/bin-day/en",
        data={"title": "Wheelie bin collection calendar", "body": "An answer.", "save": "Save"},
    )

    assert search_slugs(client, "wheelie collection calendar")[0] == "bin-day"


def test_publish_without_english_is_refused(editor, create_article):
    client, _user = editor
    create_article(slug="bin-day", lang="cy", title="Diwrnod bin", status="draft")

    response = client.post("/staff/knowledge-base/articles/bin-day/publish")

    assert_well_formed(response, 422)
    summary = page(response).select_one(".govuk-error-summary")
    assert "Add the English title and body before publishing" in text(summary)
    assert summary.select_one("a")["href"] == "#article-status"
    assert rows(Article)[0].status == "draft"
    assert count(ArticleChange) == 0


def test_publish_needs_the_pages_csrf_token(csrf_client, create_staff, create_article):
    from tests.conftest import sign_in_as

    sign_in_as(csrf_client, create_staff("kb_editor"))
    create_article(slug="bin-day", status="draft")

    response = csrf_client.post("/staff/knowledge-base/articles/bin-day/publish")

    assert response.status_code == 400
    assert rows(Article)[0].status == "draft"

    form = page(csrf_client.get("/staff/knowledge-base/articles/bin-day")).select_one(
        "form[action$='/publish']"
    )
    token = form.select_one("input[name=csrf_token]")["value"]
    response = csrf_client.post("/staff/knowledge-base/articles/bin-day/publish", data={"csrf_token": token})

    assert response.status_code == 302
    assert rows(Article)[0].status == "published"


def test_history_shows_who_changed_what_and_when(editor, create_article):
    client, _user = editor
    create_article(slug="bin-day", status="draft")
    client.post("/staff/knowledge-base/articles/bin-day/publish")
    client.post(
        "/staff/knowledge-base/articles/bin-day/cy",
        data={"title": "Diwrnod bin", "body": "Ateb.", "save": "Save"},
    )

    response = client.get("/staff/knowledge-base/articles/bin-day/history")

    assert_well_formed(response, 200)
    table_rows = page(response).select("#history tbody tr")
    cells = [[text(cell) for cell in row.select("td")] for row in table_rows]
    assert [row[1:4] for row in cells] == [
        ["Kim Editor", "Translation added", "Cymraeg"],
        ["Kim Editor", "Published", ""],
    ]
    assert table_rows[0].select_one("time")["datetime"].startswith(str(date.today().year))


def test_list_filters_and_search(editor, create_article):
    client, _user = editor
    create_article(slug="bin-day", title="Find your bin day", service_group="environment")
    create_article(slug="parking-permit", title="Parking permits", service_group="parking", status="draft")
    create_article(slug="pay-council-tax", title="Pay your council tax", service_group="council-tax")

    def listed(**query) -> list[str]:
        response = client.get("/staff/knowledge-base", query_string=query)
        assert response.status_code == 200
        return [text(row.select_one(".app-kb-editor-slug")) for row in page(response).select("tbody tr")]

    assert listed() == ["bin-day", "parking-permit", "pay-council-tax"]
    assert listed(service_group="parking") == ["parking-permit"]
    assert listed(status="published") == ["bin-day", "pay-council-tax"]
    assert listed(q="council tax") == ["pay-council-tax"]
    assert listed(q="permit", status="published") == []


def test_due_for_review_lists_overdue_and_due_this_month(editor, create_article):
    client, _user = editor
    today = date.today()
    create_article(slug="overdue", title="Overdue article", review_due=today - timedelta(days=3))
    create_article(slug="due-soon", title="Due soon", review_due=today + timedelta(days=20))
    create_article(slug="later", title="Later", review_due=today + timedelta(days=90))

    soup = page(client.get("/staff/knowledge-base/due-for-review"))

    assert [text(link) for link in soup.select("#overdue a")] == ["Overdue article"]
    assert [text(link) for link in soup.select("#due a")] == ["Due soon"]
    assert "Later" not in text(soup.main)
