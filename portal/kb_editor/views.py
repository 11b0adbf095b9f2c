"""Knowledge-base editors' screens: thin views over knowledge_base.editing, which validates, logs each
change (who, when, what) and commits. Every view needs Permission.EDIT_KNOWLEDGE_BASE."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_bridge.staff.roles import Permission
from knowledge_base import editing
from knowledge_base.editing import EditingError
from knowledge_base.markdown import render_markdown
from knowledge_base.search.analysis import clean_query
from portal.auth.access import permission_required
from portal.domain import DEFAULT_LANGUAGE, LANGUAGES, RIGHT_TO_LEFT, SERVICE_GROUPS

from . import kb_editor
from .forms import (
    STATUS_LABELS,
    ArticleFilterForm,
    ArticleSettingsForm,
    NewArticleForm,
    StatusForm,
    TranslationForm,
    known_forms,
)

EDIT = Permission.EDIT_KNOWLEDGE_BASE
FLASH = "kb_editor"
ACTION_LABELS = {
    "created": _l("Created"),
    "edited": _l("Edited"),
    "translated": _l("Translation added"),
    "published": _l("Published"),
    "unpublished": _l("Unpublished"),
    "imported": _l("Imported"),
}


@kb_editor.get("")
@permission_required(EDIT)
def list_articles():
    form = ArticleFilterForm(formdata=request.args)
    articles = editing.find_articles(
        form.q.data or "",
        form.service_group.data,
        form.status.data,
        out_of_date=form.translations.data == "out-of-date",
    )
    return _render(
        "kb_editor/list.html",
        _("Knowledge base articles"),
        form=form,
        articles=articles,
        out_of_date=editing.out_of_date_translations(articles),
    )


@kb_editor.get("/due-for-review")
@permission_required(EDIT)
def show_due_for_review():
    review = editing.articles_due_for_review(date.today())
    return _render("kb_editor/due.html", _("Articles due for review"), review=review)


@kb_editor.route("/new", methods=["GET", "POST"])
@permission_required(EDIT)
def new_article():
    form = NewArticleForm()
    if request.method == "GET":
        # From the content-gaps report: what residents searched for, as the first way they ask it.
        form.questions.data = clean_query(request.args.get("question", ""))
    if form.validate_on_submit():
        try:
            article = editing.create_article(
                form.settings(), form.translation(form.lang), current_user, known_forms()
            )
        except EditingError as error:
            _add_errors(form, error)
        else:
            flash(_("Article created as a draft: residents cannot see it until it is published"), FLASH)
            return redirect(url_for("kb_editor.edit_article", slug=article.slug))
    return _render("kb_editor/new.html", _("New article"), form=form, status=_status(form))


@kb_editor.route("/articles/<slug>", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_article(slug: str):
    article = _article_or_404(slug)
    form = ArticleSettingsForm(obj=article)
    if form.validate_on_submit():
        try:
            changed = editing.update_article(article, form.settings(), current_user, known_forms())
        except EditingError as error:
            _add_errors(form, error)
        else:
            flash(_("Article saved") if changed else _("Nothing was changed"), FLASH)
            return redirect(url_for("kb_editor.edit_article", slug=article.slug))
    return _render_article(article, form, status=_status(form))


@kb_editor.post("/articles/<slug>/publish")
@permission_required(EDIT)
def publish_article(slug: str):
    article = _article_or_404(slug)
    if StatusForm().validate_on_submit():
        try:
            editing.publish(article, current_user)
        except EditingError as error:
            return _render_article(
                article, ArticleSettingsForm(obj=article), 422, list(error.errors.values())
            )
        flash(_("Published: residents can find it in search now"), FLASH)
    return redirect(url_for("kb_editor.edit_article", slug=article.slug))


@kb_editor.post("/articles/<slug>/unpublish")
@permission_required(EDIT)
def unpublish_article(slug: str):
    article = _article_or_404(slug)
    if StatusForm().validate_on_submit():
        editing.unpublish(article, current_user)
        flash(_("Unpublished: residents can no longer find or open it"), FLASH)
    return redirect(url_for("kb_editor.edit_article", slug=article.slug))


@kb_editor.get("/articles/<slug>/history")
@permission_required(EDIT)
def show_history(slug: str):
    article = _article_or_404(slug)
    changes = editing.article_history(article)
    title = _("History of ‘%(title)s’", title=editing.title_of(article))
    return _render("kb_editor/history.html", title, article=article, changes=changes)


@kb_editor.route("/articles/<slug>/<lang>", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_translation(slug: str, lang: str):
    article = _article_or_404(slug)
    if lang not in LANGUAGES:
        abort(404)
    translation = article.translation(lang)
    form = TranslationForm()
    if request.method == "GET" and translation is not None:
        form.fill_from(translation)
    if form.validate_on_submit() and not form.preview.data:
        text = form.translation(lang)
        try:
            changed = editing.save_translation(
                article, lang, text.title, text.body, text.questions, text.keywords, current_user
            )
        except EditingError as error:
            _add_errors(form, error)
        else:
            flash(
                _("%(language)s version saved", language=LANGUAGES[lang])
                if changed
                else _("Nothing was changed"),
                FLASH,
            )
            return redirect(url_for("kb_editor.edit_translation", slug=article.slug, lang=lang))
    return _render(
        "kb_editor/translation.html",
        _("Edit the %(language)s version", language=LANGUAGES[lang]),
        status=_status(form),
        article=article,
        form=form,
        lang=lang,
        exists=translation is not None,
        direction="rtl" if lang in RIGHT_TO_LEFT else "ltr",
        preview=render_markdown(form.body.data or ""),
        reference=article.translation(DEFAULT_LANGUAGE) if lang != DEFAULT_LANGUAGE else None,
        english_changed_at=editing.out_of_date_translations([article]).get(article.id, {}).get(lang),
    )


# ---- helpers ------------------------------------------------------------------------------------------


def _article_or_404(slug: str):
    article = editing.get_article(slug)
    if article is None:
        abort(404)
    return article


def _status(form) -> int:
    return 422 if form.is_submitted() and form.errors else 200


def _add_errors(form, error: EditingError) -> None:
    """The service's messages, next to their fields (and so in the error summary)."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def _render_article(article, form, status: int = 200, publish_errors: list[str] | None = None):
    return _render(
        "kb_editor/article.html",
        _("Edit ‘%(title)s’", title=editing.title_of(article)),
        status=status,
        article=article,
        form=form,
        status_form=StatusForm(),
        publish_errors=[{"text": message, "href": "#article-status"} for message in publish_errors or ()],
        languages_missing=[code for code in LANGUAGES if article.translation(code) is None],
        out_of_date=editing.out_of_date_translations([article]).get(article.id, {}),
    )


def _render(template: str, page_title: str, status: int = 200, **context):
    html = render_template(
        template,
        page_title=page_title,
        languages=LANGUAGES,
        service_groups=SERVICE_GROUPS,
        status_labels=STATUS_LABELS,
        action_labels=ACTION_LABELS,
        today=date.today(),
        **context,
    )
    return html, status
