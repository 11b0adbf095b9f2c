"""Editing the knowledge base: the content rules, the change log, publishing and the monthly review."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from knowledge_base import editing
from knowledge_base.editing import ArticleSettings, EditingError, TranslationText
from knowledge_base.models import Article, ArticleChange, ArticleTranslation
from knowledge_base.operations import get_published_article
from portal.db import db

FORMS = {"missed-bin", "bulky-collection"}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def settings(**overrides) -> ArticleSettings:
    return ArticleSettings(
        **{
            "slug": "garden-waste",
            "service_group": "environment",
            "owner": "Waste and Recycling",
            "review_due": date(2027, 3, 31),
            "related_form": "missed-bin",
        }
        | overrides
    )


def english(**overrides) -> TranslationText:
    return TranslationText(
        **{
            "lang": "en",
            "title": "Garden waste collections",
            "body": "Brown bins are emptied every two weeks from March to November.",
            "questions": ["when is the brown bin emptied"],
            "keywords": ["garden waste", "brown bin"],
        }
        | overrides
    )


@pytest.fixture
def editor(create_staff):
    return create_staff("kb_editor", name="Kim Editor")


def test_create_article_makes_a_draft_and_logs_who_created_it(editor):
    article = editing.create_article(settings(), english(), editor, FORMS)

    db.session.expire_all()
    stored = db.session.get(Article, article.id)
    assert stored.status == "draft"
    assert (stored.slug, stored.service_group, stored.owner) == (
        "garden-waste",
        "environment",
        "Waste and Recycling",
    )
    assert stored.review_due == date(2027, 3, 31)
    assert stored.related_form == "missed-bin"
    assert stored.translation("en").keywords == ["garden waste", "brown bin"]
    [change] = editing.article_history(stored)
    assert (change.action, change.lang, change.changed_by_id, change.changed_by) == (
        "created",
        "en",
        editor.id,
        "Kim Editor",
    )
    assert change.changed_at is not None
    assert get_published_article("garden-waste") is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "Garden Waste"}, "slug"),
        ({"slug": "x" * 121}, "slug"),
        ({"service_group": "roads"}, "service_group"),
        ({"service_group": ""}, "service_group"),
        ({"related_form": "no-such-form"}, "related_form"),
        ({"owner": "o" * 121}, "owner"),
    ],
)
def test_create_article_refuses_bad_settings_and_writes_nothing(editor, overrides, field):
    with pytest.raises(EditingError) as raised:
        editing.create_article(settings(**overrides), english(), editor, FORMS)

    assert list(raised.value.errors) == [field]
    assert count(Article) == 0
    assert count(ArticleChange) == 0


def test_create_article_reports_every_problem_at_once(editor):
    with pytest.raises(EditingError) as raised:
        editing.create_article(settings(slug="bad slug"), english(title="  ", keywords=["k" * 501]), editor)

    assert set(raised.value.errors) == {"slug", "title", "keywords"}
    assert raised.value.errors["title"] == "Title is required"


def test_a_slug_already_used_is_refused(editor, create_article):
    create_article(slug="garden-waste")

    with pytest.raises(EditingError) as raised:
        editing.create_article(settings(), english(), editor)

    assert "already used" in raised.value.errors["slug"]
    assert count(Article) == 1


def test_update_article_logs_the_fields_that_changed(editor, create_article):
    article = create_article(
        slug="garden-waste", service_group="environment", owner="Waste", related_form=None
    )

    changed = editing.update_article(
        article, settings(owner="Parks team", review_due=date(2027, 6, 30), related_form=None), editor, FORMS
    )

    assert changed == ["owner", "review_due"]
    db.session.expire_all()
    article = db.session.get(Article, article.id)
    assert (article.owner, article.review_due) == ("Parks team", date(2027, 6, 30))
    [change] = editing.article_history(article)
    assert (change.action, change.summary, change.lang) == ("edited", "owner, review_due", None)


def test_update_article_with_nothing_changed_logs_nothing(editor, create_article):
    article = create_article(
        slug="garden-waste",
        service_group="environment",
        owner="Waste and Recycling",
        review_due=date(2027, 3, 31),
    )

    assert editing.update_article(article, settings(related_form=None), editor) == []
    assert count(ArticleChange) == 0


def test_update_article_keeps_its_own_slug_but_not_another_articles(editor, create_article):
    create_article(slug="bin-day")
    article = create_article(slug="garden-waste")

    with pytest.raises(EditingError) as raised:
        editing.update_article(article, settings(slug="bin-day"), editor)

    assert list(raised.value.errors) == ["slug"]
    db.session.expire_all()
    assert db.session.get(Article, article.id).slug == "garden-waste"


def test_save_translation_adds_a_language_then_edits_it(editor, create_article):
    article = create_article(slug="garden-waste")

    added = editing.save_translation(article, "cy", "Gwastraff gardd", "Corff.", ["pryd"], ["gardd"], editor)
    edited = editing.save_translation(
        article, "cy", "Gwastraff gardd", "Corff newydd.", ["pryd"], ["gardd"], editor
    )

    assert added == ["title", "body", "questions", "keywords"]
    assert edited == ["body"]
    db.session.expire_all()
    assert db.session.get(Article, article.id).translation("cy").body == "Corff newydd."
    history = editing.article_history(article)
    assert [(change.action, change.lang, change.summary) for change in history] == [
        ("edited", "cy", "body"),
        ("translated", "cy", "title, body, questions, keywords"),
    ]


@pytest.mark.parametrize(("lang", "title", "field"), [("xx", "Title", "lang"), ("cy", "", "title")])
def test_save_translation_refuses_bad_input(editor, create_article, lang, title, field):
    article = create_article(slug="garden-waste")

    with pytest.raises(EditingError) as raised:
        editing.save_translation(article, lang, title, "Body", [], [], editor)

    assert list(raised.value.errors) == [field]
    db.session.rollback()
    assert count(ArticleTranslation) == 1
    assert count(ArticleChange) == 0


def test_publish_needs_the_english_text(editor, create_article):
    article = create_article(slug="garden-waste", lang="cy", title="Gwastraff gardd", status="draft")

    with pytest.raises(EditingError) as raised:
        editing.publish(article, editor)

    assert raised.value.errors["status"].startswith("Add the English title and body")
    assert article.status == "draft"
    assert count(ArticleChange) == 0


def test_publish_and_unpublish_are_logged_and_change_what_residents_see(editor, create_article):
    article = create_article(slug="garden-waste", status="draft")

    assert editing.publish(article, editor) is True
    assert get_published_article("garden-waste") is not None
    assert editing.publish(article, editor) is False  # already published: nothing logged
    assert editing.unpublish(article, editor) is True
    assert get_published_article("garden-waste") is None

    actions = [change.action for change in editing.article_history(article)]
    assert actions == ["unpublished", "published"]


def test_articles_due_for_review_in_the_monthly_review(create_article):
    create_article(slug="overdue", review_due=date(2026, 5, 31))
    create_article(slug="due-today", review_due=date(2026, 6, 15))
    create_article(slug="due-this-month", review_due=date(2026, 7, 16))
    create_article(slug="next-month", review_due=date(2026, 7, 17))
    create_article(slug="undated", review_due=None, status="draft")

    review = editing.articles_due_for_review(date(2026, 6, 15))

    assert [article.slug for article in review.overdue] == ["overdue"]
    assert [article.slug for article in review.due] == ["due-today", "due-this-month"]
    assert [article.slug for article in review.undated] == ["undated"]


def test_find_articles_filters_by_group_status_and_title_or_slug(create_article):
    create_article(slug="bin-day", title="Find your bin collection day", service_group="environment")
    create_article(slug="parking-permit", title="Residents' parking permits", service_group="parking")
    create_article(slug="draft-100%", title="A draft", status="draft", service_group="parking")

    assert [a.slug for a in editing.find_articles(service_group="parking")] == [
        "draft-100%",
        "parking-permit",
    ]
    assert [a.slug for a in editing.find_articles(status="draft")] == ["draft-100%"]
    assert [a.slug for a in editing.find_articles("COLLECTION")] == ["bin-day"]
    assert [a.slug for a in editing.find_articles("parking-")] == ["parking-permit"]
    assert [a.slug for a in editing.find_articles("100%")] == ["draft-100%"]
    assert [a.slug for a in editing.find_articles("0%")] == ["draft-100%"]
    assert editing.find_articles("_") == []  # a wildcard in LIKE, taken literally
