"""Article pages and "Was this helpful?"."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from crm_bridge.models import Contact
from knowledge_base.models import AnswerFeedback

from .helpers import page, rows, text

UNSAFE_BODY = """Pay online at any time.

## How to pay

- By direct debit
- [Online](https://pay.example.gov.uk/council-tax)

<script>alert("body")</script>

[Click me](javascript:alert(1))

<div onclick="alert(2)">raw html</div>

<img src=x onerror=alert(3)>
"""


@pytest.fixture
def article(create_article):
    return create_article(
        slug="pay-your-bill", title="Pay your bill", body=UNSAFE_BODY, service_group="council-tax"
    )


def feedback(client, slug="pay-your-bill", **form):
    return client.post(f"/articles/{slug}/feedback", data=form)


def test_article_renders_markdown_as_govuk_html(client, article):
    soup = page(client.get("/articles/pay-your-bill"))

    body = soup.find("article")
    assert body["lang"] == "en"
    assert text(body.h1) == "Pay your bill"
    assert text(body.find("span", class_="govuk-caption-l")) == "Council tax and other financial enquiries"
    assert text(body.find("h2", class_="govuk-heading-m")) == "How to pay"
    assert [text(li) for li in body.select("ul.govuk-list--bullet li")] == ["By direct debit", "Online"]
    link = body.find("a", string="Online")
    assert link["href"] == "https://pay.example.gov.uk/council-tax"
    assert "govuk-link" in link["class"]
    assert link["rel"] == ["noopener", "noreferrer"]


def test_article_body_cannot_run_script_or_raw_html(client, article):
    response = client.get("/articles/pay-your-bill")
    body = page(response).find("article")

    html = response.get_data(as_text=True)
    assert '<script>alert("body")</script>' not in html
    assert "<img src=x onerror=alert(3)>" not in html
    assert '<div onclick="alert(2)">' not in html
    assert body.find_all(["script", "img", "div", "iframe"]) == []
    assert all(not name.startswith("on") for tag in body.find_all(True) for name in tag.attrs)
    assert all("javascript" not in link.get("href", "").lower() for link in page(response).find_all("a"))


@pytest.mark.parametrize("slug", ["no-such-article", "draft-article"])
def test_unknown_or_draft_article_is_not_found(client, create_article, slug):
    create_article(slug="draft-article", title="Not ready yet", status="draft")

    response = client.get(f"/articles/{slug}")

    assert response.status_code == 404
    assert text(page(response).h1) == "Page not found"
    assert feedback(client, slug, helpful="yes").status_code == 404
    assert rows(AnswerFeedback) == []


def test_article_is_shown_in_the_language_asked_for(client, create_article):
    create_article(
        slug="bins",
        title="Bins",
        translations={"cy": {"title": "Biniau", "body": "Ateb."}},
    )

    soup = page(client.get("/articles/bins?lang=cy"))

    assert text(soup.h1) == "Biniau"
    assert soup.find("article")["lang"] == "cy"


def test_english_only_article_says_it_is_shown_in_english(client, article):
    client.get("/language/cy")

    soup = page(client.get("/articles/pay-your-bill"))

    assert soup.find("article")["lang"] == "en"
    with force_locale("cy"):
        notice = gettext(
            "This page is not yet available in %(language)s. It is shown in English.", language="Cymraeg"
        )
    assert notice.startswith("Nid oes fersiwn Cymraeg")  # said in Welsh, the language asked for
    assert text(soup.select_one(".govuk-inset-text")) == notice


def test_helpful_yes_records_feedback_and_a_resolved_web_contact(client, article):
    response = feedback(client, helpful="yes", comment="Clear, thanks")

    assert response.status_code == 302
    assert response.location == "/articles/pay-your-bill?lang=en#feedback"
    [given] = rows(AnswerFeedback)
    assert (given.article_id, given.lang, given.channel) == (article.id, "en", "web")
    assert (given.helpful, given.comment) == (True, "Clear, thanks")
    [contact] = rows(Contact)
    assert (contact.channel, contact.resolved_at_first_point) == ("web", True)
    assert (contact.article_slug, contact.service_group, contact.lang) == (
        "pay-your-bill",
        "council-tax",
        "en",
    )
    assert contact.summary == "Pay online at any time."
    thanks = page(client.get(response.location)).find(id="feedback")
    assert "Thank you for your feedback." in text(thanks)
    assert thanks.find("form") is None


def test_helpful_no_records_feedback_without_a_contact(client, article):
    feedback(client, helpful="no", comment="It does not say when to pay")

    [given] = rows(AnswerFeedback)
    assert (given.helpful, given.comment) == (False, "It does not say when to pay")
    assert rows(Contact) == []


def test_yes_twice_in_one_visit_counts_one_contact(client, article):
    feedback(client, helpful="yes")
    feedback(client, helpful="yes")

    assert len(rows(AnswerFeedback)) == 2
    assert len(rows(Contact)) == 1


def test_yes_from_another_visit_is_another_contact(app, client, article):
    feedback(client, helpful="yes")
    feedback(app.test_client(), helpful="yes")

    assert len(rows(Contact)) == 2


def test_missing_choice_is_explained_next_to_the_field_and_in_a_summary(client, article):
    response = feedback(client, comment="Needs more detail")

    assert response.status_code == 200
    soup = page(response)
    summary = soup.select_one(".govuk-error-summary")
    assert "Select yes if this page answered your question" in text(summary)
    target = summary.find("a")["href"]
    assert target == "#helpful"
    assert soup.find(id="helpful")["name"] == "helpful"
    assert "Select yes if this page answered your question" in text(soup.find(id="helpful-error"))
    assert soup.find(id="comment").string == "Needs more detail"
    assert rows(AnswerFeedback) == []
    assert rows(Contact) == []


def test_overlong_comment_is_refused_with_a_clear_message(client, article):
    response = feedback(client, helpful="no", comment="a" * 1001)

    soup = page(response)
    assert "Comment must be 1000 characters or fewer" in text(soup.find(id="comment-error"))
    assert soup.select_one(".govuk-error-summary a")["href"] == "#comment"
    assert soup.find(id="comment").string == "a" * 1001
    assert soup.find(id="helpful-2").has_attr("checked")
    assert rows(AnswerFeedback) == []


def test_comment_of_the_longest_length_is_kept(client, article):
    feedback(client, helpful="no", comment="a" * 1000)

    assert rows(AnswerFeedback)[0].comment == "a" * 1000


def test_unknown_choice_is_refused(client, article):
    response = feedback(client, helpful="maybe")

    assert page(response).find(id="helpful-error")
    assert rows(AnswerFeedback) == []


def test_htmx_feedback_returns_the_feedback_block_only(client, article):
    response = client.post(
        "/articles/pay-your-bill/feedback", data={"helpful": "yes"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    soup = page(response)
    # The feedback block, and after a "yes" the satisfaction question (docs/satisfaction.md).
    assert [element.get("id") for element in soup.find_all(recursive=False)] == ["feedback", "satisfaction"]
    assert soup.find("html") is None and soup.find("h1") is None
    assert "Thank you for your feedback." in text(soup)
    assert len(rows(Contact)) == 1


def test_htmx_feedback_with_an_error_returns_the_form_with_its_message(client, article):
    response = client.post(
        "/articles/pay-your-bill/feedback", data={"comment": "Hmm"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    soup = page(response)
    assert [element.get("id") for element in soup.find_all(recursive=False)] == ["feedback"]
    assert "Select yes if this page answered your question" in text(soup.find(id="helpful-error"))
    assert soup.find(id="comment").string == "Hmm"
    assert soup.find("button", type="submit")
