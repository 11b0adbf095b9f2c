"""Content gaps (docs/content-gaps.md): searches with no confident answer, answers marked not helpful and
the most searched, for a period, each table with links to create or edit the article and as CSV; and the
residents' comments on one article (personal data: each read is audited). Managers and knowledge-base
editors (Permission.VIEW_CONTENT_GAPS). The figures come from knowledge_base.gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Response, abort, request, url_for
from flask_babel import _, format_datetime
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from crm_bridge.reports.periods import Period
from crm_bridge.spreadsheet import csv_text
from crm_bridge.staff.roles import Permission
from crm_bridge.workbench.sla import uk_today
from crm_bridge.working_days import UK_TIME
from knowledge_base import gaps
from portal.auth.access import audit_reads, permission_required
from portal.domain import LANGUAGES, SELF_SERVICE_CHANNELS
from portal.forms import GovukSelectField
from portal.layout import render_page

from . import reports
from .forms import PeriodForm
from .presentation import number, percent, period_text

VIEW = Permission.VIEW_CONTENT_GAPS
LIMIT = gaps.DEFAULT_LIMIT
TABLES = ("unanswered", "not-helpful", "most-searched")
CHANNEL_LABELS = {"web": _l("Web"), "chat": _l("Chat"), "kiosk": _l("Kiosk"), "app": _l("App (Open311)")}


class ContentGapsForm(PeriodForm):
    lang = GovukSelectField(
        _l("Language"),
        choices=[SelectChoice("", _l("All languages"))]
        + [SelectChoice(code, name) for code, name in LANGUAGES.items()],
        default="",
        invalid_choice_message=_l("Choose a language from the list"),
    )
    channel = GovukSelectField(
        _l("Channel"),
        choices=[SelectChoice("", _l("All channels"))]
        + [SelectChoice(code, CHANNEL_LABELS[code]) for code in SELF_SERVICE_CHANNELS],
        default="",
        invalid_choice_message=_l("Choose a channel from the list"),
    )

    def filters(self, period: Period) -> gaps.GapFilters:
        """What was valid in the form: a filter with an error is left out."""
        start, end = period.utc_bounds()
        lang = None if self.lang.errors else self.lang.data or None
        channel = None if self.channel.errors else self.channel.data or None
        return gaps.GapFilters(start, end, lang=lang, channel=channel)


@dataclass(frozen=True)
class Share:
    value: float


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    hidden: str = ""  # for screen readers: which row the link is about


@dataclass
class GapTable:
    key: str
    caption: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # str, int (a count), Share or datetime
    links: list[list[Link]] = field(default_factory=list)
    csv_url: str = ""

    def numeric(self, index: int) -> bool:
        return any(isinstance(row[index], int | Share) for row in self.rows)


@reports.get("/content-gaps")
@permission_required(VIEW)
def show_content_gaps():
    form, period, filters, valid = _chosen()
    found = gaps.search_gaps(filters, LIMIT)
    unhelpful = gaps.unhelpful_answers(filters, LIMIT)
    args = request.args.to_dict(flat=False)
    html = render_page(
        "reports/content_gaps.html",
        "report",
        form=form,
        period=period_text(period.start, period.end),
        totals=found.totals,
        tables=[
            _unanswered_table(found.unanswered, args),
            _unhelpful_table(unhelpful, args),
            _most_searched_table(found.most_searched, args),
        ],
        limit=LIMIT,
        display=display,
        page_title=_("Content gaps"),
    )
    return html, 200 if valid else 422


@reports.get("/content-gaps/<any(" + ", ".join(f'"{name}"' for name in TABLES) + "):table>.csv")
@permission_required(VIEW)
def export_content_gaps(table: str):
    """One table as CSV, for the same period and filters (query string) as the page."""
    _form, period, filters, _valid = _chosen()
    args = request.args.to_dict(flat=False)
    if table == "not-helpful":
        chosen = _unhelpful_table(gaps.unhelpful_answers(filters, LIMIT), args)
    else:
        found = gaps.search_gaps(filters, LIMIT)
        chosen = (
            _unanswered_table(found.unanswered, args)
            if table == "unanswered"
            else _most_searched_table(found.most_searched, args)
        )
    rows = ([csv_value(cell) for cell in row] for row in chosen.rows)
    filename = f"content-gaps-{table}-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
    return Response(
        csv_text(chosen.headers, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@reports.get("/content-gaps/comments/<slug>")
@permission_required(VIEW)
def show_article_comments(slug: str):
    """Residents' own words, which may name them: shown escaped, newest first, limited, each read audited."""
    form, period, filters, valid = _chosen()
    comments = gaps.article_comments(slug, filters, LIMIT)
    if comments is None:
        abort(404)
    audit_reads("answer_feedback", [comment.id for comment in comments.newest], via="content_gaps")
    article = gaps.article_title(slug)
    html = render_page(
        "reports/content_gap_comments.html",
        "comments",
        form=form,
        article=article,
        period=period_text(period.start, period.end),
        comments=comments,
        limit=LIMIT,
        channel_labels=CHANNEL_LABELS,
        languages=LANGUAGES,
        display=display,
        back_url=url_for("reports.show_content_gaps", **request.args.to_dict(flat=False)),
        page_title=_("Comments on ‘%(title)s’", title=article.title),
    )
    return html, 200 if valid else 422


# ---- helpers ------------------------------------------------------------------------------------------


def _chosen() -> tuple[ContentGapsForm, Period, gaps.GapFilters, bool]:
    """The form as asked (errors next to their fields) and the filters of what was valid in it: the
    default period when the period asked for was not."""
    form = ContentGapsForm(formdata=request.args)
    valid = form.validate() if request.args else True
    period = form.chosen_period(uk_today())
    return form, period, form.filters(period), valid


def display(cell) -> str:
    if isinstance(cell, Share):
        return percent(cell.value)
    if isinstance(cell, int):
        return number(cell)
    if isinstance(cell, datetime):
        return format_datetime(_uk(cell), "d MMM y, HH:mm")
    return cell


def csv_value(cell) -> str | int:
    """Counts as they are, shares as a percentage to one decimal place, times in UK time (ISO 8601)."""
    if isinstance(cell, Share):
        return f"{100 * cell.value:.1f}"
    if isinstance(cell, datetime):
        return _uk(cell).strftime("%Y-%m-%d %H:%M")
    return cell


def _uk(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(UK_TIME)


def _language_names(codes) -> str:
    return ", ".join(LANGUAGES.get(code, code) for code in codes)


def _create_link(query: str) -> Link:
    return Link(
        _("Create an article"),
        url_for("kb_editor.new_article", question=query),
        _("for ‘%(query)s’", query=query),
    )


def _edit_link(article: gaps.ArticleRef | None) -> list[Link]:
    if article is None or not article.exists:
        return []
    return [
        Link(_("Edit ‘%(title)s’", title=article.title), url_for("kb_editor.edit_article", slug=article.slug))
    ]


def _title(article: gaps.ArticleRef | None) -> str:
    return article.title if article else ""


def _csv_url(key: str, args: dict) -> str:
    return url_for("reports.export_content_gaps", table=key, **args)


def _unanswered_table(searches: list[gaps.UnansweredSearch], args: dict) -> GapTable:
    table = GapTable(
        "unanswered",
        _("Searches with no confident answer"),
        [_("Search"), _("Times searched"), _("Languages"), _("Last searched"), _("Best article offered")],
        csv_url=_csv_url("unanswered", args),
    )
    for search in searches:
        table.rows.append(
            [
                search.query,
                search.times,
                _language_names(search.languages),
                search.last_searched,
                _title(search.best_article),
            ]
        )
        table.links.append([_create_link(search.query), *_edit_link(search.best_article)])
    return table


def _unhelpful_table(answers: list[gaps.UnhelpfulAnswer], args: dict) -> GapTable:
    table = GapTable(
        "not-helpful",
        _("Answers marked not helpful"),
        [_("Article"), _("Not helpful"), _("Helpful"), _("Share not helpful"), _("Comments")],
        csv_url=_csv_url("not-helpful", args),
    )
    for answer in answers:
        table.rows.append(
            [
                answer.article.title,
                answer.not_helpful,
                answer.helpful,
                Share(answer.share_not_helpful),
                answer.comments,
            ]
        )
        links = _edit_link(answer.article)
        if answer.comments:
            links.append(
                Link(
                    _("Read the comments"),
                    url_for("reports.show_article_comments", slug=answer.article.slug, **args),
                    _("on ‘%(title)s’", title=answer.article.title),
                )
            )
        table.links.append(links)
    return table


def _most_searched_table(searches: list[gaps.PopularSearch], args: dict) -> GapTable:
    table = GapTable(
        "most-searched",
        _("Most searched"),
        [_("Search"), _("Times searched"), _("Share with a confident answer"), _("Top article")],
        csv_url=_csv_url("most-searched", args),
    )
    for search in searches:
        table.rows.append(
            [search.query, search.times, Share(search.share_confident), _title(search.top_article)]
        )
        table.links.append(_edit_link(search.top_article) or [_create_link(search.query)])
    return table
