"""Forms of the knowledge-base editors' screens. The rules an article must meet live in
knowledge_base.editing (the same as for content files); these forms only read what the editor typed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from crm_bridge.catalogue import default_catalogue
from knowledge_base.editing import ArticleSettings, TranslationText
from knowledge_base.models import ARTICLE_STATUSES
from portal.domain import DEFAULT_LANGUAGE, SERVICE_GROUPS
from portal.forms import (
    GovukDateField,
    GovukSelectField,
    GovukSubmitField,
    GovukTextAreaField,
    GovukTextField,
    strip_and_clean,
)

STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published")}


def service_group_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(code, _l(label)) for code, label in SERVICE_GROUPS.items()
    ]


def related_form_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("None"))] + [SelectChoice(rt.code, _l(rt.name)) for rt in default_catalogue()]


def known_forms() -> set[str]:
    return {request_type.code for request_type in default_catalogue()}


def split_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def split_commas(text: str | None) -> list[str]:
    return [word.strip() for word in (text or "").split(",") if word.strip()]


class ArticleFilterForm(FlaskForm):
    """The list's filters: a GET form, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    q = GovukTextField(_l("Title or slug"), filters=[strip_and_clean])
    service_group = GovukSelectField(_l("Service group"), validate_choice=False)
    status = GovukSelectField(_l("Status"), validate_choice=False)
    translations = GovukSelectField(_l("Translations"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_group.choices = service_group_choices(_l("All service groups"))
        statuses = [SelectChoice(status, STATUS_LABELS[status]) for status in ARTICLE_STATUSES]
        self.status.choices = [SelectChoice("", _l("Any status")), *statuses]
        self.translations.choices = [
            SelectChoice("", _l("All articles")),
            SelectChoice("out-of-date", _l("Translations out of date")),
        ]


class ArticleSettingsForm(FlaskForm):
    slug = GovukTextField(
        _l("Slug"),
        description=_l("The article's address: lower-case words joined by hyphens, like missed-bin"),
        filters=[strip_and_clean],
    )
    service_group = GovukSelectField(_l("Service group"), validate_choice=False)
    owner = GovukTextField(
        _l("Owner"),
        description=_l("The team that reviews it, such as Waste and Recycling"),
        filters=[strip_and_clean],
    )
    review_due = GovukDateField(
        _l("Next review"),
        description=_l("For example, 31 3 2027. Articles are reviewed every month or quarter"),
        invalid_message=_l("Enter the review date as a real date, like 31 3 2027"),
    )
    related_form = GovukSelectField(
        _l("Related form"),
        description=_l("The form residents may need after reading it"),
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_group.choices = service_group_choices(_l("Choose a service group"))
        self.related_form.choices = related_form_choices()

    def settings(self) -> ArticleSettings:
        return ArticleSettings(
            slug=self.slug.data or "",
            service_group=self.service_group.data or "",
            owner=self.owner.data or "",
            review_due=self.review_due.data,
            related_form=self.related_form.data or None,
        )


class TranslationFields:
    """Title, body, questions and keywords: in the new-article form and the translation form."""

    title = GovukTextField(_l("Title"), filters=[strip_and_clean])
    body = GovukTextAreaField(
        _l("Body"),
        description=_l("Markdown. The first paragraph answers the question on its own: search shows it"),
        filters=[strip_and_clean],
    )
    questions = GovukTextAreaField(
        _l("Questions"),
        description=_l("The ways residents ask it, in their own words: one a line"),
        filters=[strip_and_clean],
    )
    keywords = GovukTextField(
        _l("Keywords"),
        description=_l("Words residents use that the text may not, separated by commas"),
        filters=[strip_and_clean],
    )

    def translation(self, lang: str) -> TranslationText:
        return TranslationText(
            lang=lang,
            title=self.title.data or "",
            body=self.body.data or "",
            questions=split_lines(self.questions.data),
            keywords=split_commas(self.keywords.data),
        )

    def fill_from(self, translation) -> None:
        self.title.data = translation.title
        self.body.data = translation.body
        self.questions.data = "\n".join(translation.questions or [])
        self.keywords.data = ", ".join(translation.keywords or [])


class NewArticleForm(TranslationFields, ArticleSettingsForm):
    """A new article starts as a draft, in the default language."""

    lang = DEFAULT_LANGUAGE


class TranslationForm(TranslationFields, FlaskForm):
    preview = GovukSubmitField(_l("Preview"))
    save = GovukSubmitField(_l("Save"))


class StatusForm(FlaskForm):
    """Publish or unpublish: a button, with its CSRF token."""
