"""The content-gaps figures: searches grouped ignoring case and spaces, periods [start, end), the language
and channel filters, typeahead left out, the not-helpful figures and the comments."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from knowledge_base import gaps
from knowledge_base.models import AnswerFeedback, Article, SearchLog, normalise_query
from portal.db import db

START = datetime(2026, 1, 1)
END = datetime(2026, 4, 1)
QUARTER = gaps.GapFilters(START, END)
DAY = datetime(2026, 2, 10, 12, 0)


def log(query, confident=False, top_slug=None, at=DAY, lang="en", channel="web", source="results", times=1):
    for _ in range(times):
        db.session.add(
            SearchLog(
                created_at=at,
                query=query,
                lang=lang,
                channel=channel,
                source=source,
                top_slug=top_slug,
                top_score=0.6 if confident else 0.2,
                confident=confident,
                result_count=1 if top_slug else 0,
            )
        )
    db.session.commit()


def feedback(article, helpful, comment="", at=DAY, lang="en", channel="web", times=1):
    for _ in range(times):
        db.session.add(
            AnswerFeedback(
                article_id=article.id,
                created_at=at,
                lang=lang,
                channel=channel,
                helpful=helpful,
                comment=comment,
            )
        )
    db.session.commit()


def test_normalised_query_folds_case_and_spaces():
    assert normalise_query("  Bin   DAY ") == "bin day"
    assert normalise_query("ŁÓDŹ Straße") == "łódź strasse"


def test_searches_are_grouped_ignoring_case_and_spaces(app):
    log("Bin Day")
    log("bin  day")
    log("  BIN DAY ")
    log("Łódź bins")  # folded in Python, so SQLite groups non-ASCII letters as PostgreSQL does
    log("ŁÓDŹ BINS")

    found = gaps.search_gaps(QUARTER)

    assert [(search.query, search.times) for search in found.unanswered] == [("bin day", 3), ("łódź bins", 2)]
    stored = db.session.scalars(sa.select(SearchLog.normalised_query).distinct())
    assert sorted(stored) == ["bin day", "łódź bins"]


def test_period_includes_its_start_and_leaves_out_its_end(app):
    log("on the first moment", at=START)
    log("just before the end", at=END - timedelta(microseconds=1))
    log("at the end", at=END)
    log("before the start", at=START - timedelta(seconds=1))

    found = gaps.search_gaps(QUARTER)

    assert sorted(search.query for search in found.most_searched) == [
        "just before the end",
        "on the first moment",
    ]
    assert found.totals == gaps.SearchTotals(searches=2, not_confident=2)


def test_language_and_channel_filters(app):
    log("bin day", lang="en", channel="web")
    log("dydd biniau", lang="cy", channel="web", times=2)
    log("dydd biniau", lang="cy", channel="kiosk")

    welsh = gaps.search_gaps(gaps.GapFilters(START, END, lang="cy"))
    welsh_web = gaps.search_gaps(gaps.GapFilters(START, END, lang="cy", channel="web"))
    kiosk = gaps.search_gaps(gaps.GapFilters(START, END, channel="kiosk"))

    assert [(s.query, s.times) for s in welsh.unanswered] == [("dydd biniau", 3)]
    assert [(s.query, s.times) for s in welsh_web.unanswered] == [("dydd biniau", 2)]
    assert [(s.query, s.times) for s in kiosk.most_searched] == [("dydd biniau", 1)]


def test_searches_made_while_typing_are_left_out(app):
    log("bi", source="typeahead")
    log("bin", source="typeahead")
    log("bin day", source="results")
    log("bin day", source="chat")
    log("bin day", source="api")

    found = gaps.search_gaps(QUARTER)

    assert [(s.query, s.times) for s in found.most_searched] == [("bin day", 3)]
    assert found.totals.searches == 3


def test_unanswered_searches_carry_languages_last_time_and_best_article(create_article, app):
    create_article(slug="bulky-waste", title="Book a bulky waste collection")
    log("sofa collection", top_slug="bulky-waste", lang="en", at=DAY, times=2)
    log("sofa collection", top_slug="garden-waste", lang="pl", at=DAY + timedelta(days=3))
    log("sofa collection", confident=True, top_slug="garden-waste", at=DAY + timedelta(days=9), times=5)
    log("pothole", at=DAY)

    found = gaps.search_gaps(QUARTER)

    sofa, pothole = found.unanswered
    assert (sofa.query, sofa.times, sofa.languages) == ("sofa collection", 3, ("en", "pl"))
    assert sofa.last_searched == DAY + timedelta(days=3)  # the last search without a confident answer
    assert sofa.best_article == gaps.ArticleRef("bulky-waste", "Book a bulky waste collection", exists=True)
    assert (pothole.query, pothole.times, pothole.best_article) == ("pothole", 1, None)


def test_most_searched_counts_confident_answers_and_the_top_article(create_article, app):
    create_article(slug="bin-day", title="Find your bin day")
    log("bin day", confident=True, top_slug="bin-day", times=3)
    log("bin day", confident=False, top_slug="gone-article")
    log("council tax", confident=False, times=2)

    found = gaps.search_gaps(QUARTER)

    bins, tax = found.most_searched
    assert (bins.query, bins.times, bins.confident, bins.share_confident) == ("bin day", 4, 3, 0.75)
    assert bins.top_article == gaps.ArticleRef("bin-day", "Find your bin day", exists=True)
    assert (tax.query, tax.times, tax.share_confident, tax.top_article) == ("council tax", 2, 0.0, None)
    # A search whose top article has since been deleted: named by its slug, not linked.
    log("old page", confident=False, top_slug="gone-article", times=9)
    assert gaps.search_gaps(QUARTER).unanswered[0].best_article == gaps.ArticleRef(
        "gone-article", "gone-article", exists=False
    )


def test_tables_are_sorted_by_count_and_limited(app):
    for number in range(1, 8):
        log(f"query {number}", times=number)
    log("answered well", confident=True, times=20)

    found = gaps.search_gaps(QUARTER, limit=3)

    assert [(s.query, s.times) for s in found.unanswered] == [("query 7", 7), ("query 6", 6), ("query 5", 5)]
    assert [s.query for s in found.most_searched] == ["answered well", "query 7", "query 6"]
    assert found.totals == gaps.SearchTotals(searches=48, not_confident=28)  # totals are not limited


def test_nothing_searched_gives_empty_tables(app):
    found = gaps.search_gaps(QUARTER)

    assert found == gaps.SearchGaps(gaps.SearchTotals(0, 0), [], [])


def test_not_helpful_figures_per_article(create_article, app):
    bins = create_article(slug="bin-day", title="Find your bin day")
    tax = create_article(slug="council-tax-bands", title="Council tax bands")
    fine = create_article(slug="opening-hours", title="Opening hours")
    feedback(bins, helpful=False, comment="Did not say which day", times=2)
    feedback(bins, helpful=False)
    feedback(bins, helpful=True, comment="Thanks")
    feedback(tax, helpful=False, times=3, lang="cy")
    feedback(tax, helpful=True, times=3, lang="cy")
    feedback(fine, helpful=True, times=10)
    feedback(bins, helpful=False, at=END)  # outside the period

    answers = gaps.unhelpful_answers(QUARTER)

    assert [(a.article.slug, a.not_helpful, a.helpful, a.comments) for a in answers] == [
        ("bin-day", 3, 1, 3),
        ("council-tax-bands", 3, 3, 0),
    ]
    assert answers[0].share_not_helpful == 0.75
    assert answers[0].article.title == "Find your bin day"
    welsh = gaps.unhelpful_answers(gaps.GapFilters(START, END, lang="cy"))
    assert [(a.article.slug, a.not_helpful) for a in welsh] == [("council-tax-bands", 3)]
    assert gaps.unhelpful_answers(gaps.GapFilters(START, END, channel="kiosk")) == []


def test_comments_newest_first_limited_and_only_with_text(create_article, app):
    bins = create_article(slug="bin-day", title="Find your bin day")
    other = create_article(slug="other", title="Other")
    for number in range(5):
        feedback(bins, helpful=False, comment=f"comment {number}", at=DAY + timedelta(hours=number))
    feedback(bins, helpful=False, comment="")
    feedback(other, helpful=False, comment="about another article")
    feedback(bins, helpful=False, comment="too late", at=END)

    comments = gaps.article_comments("bin-day", QUARTER, limit=3)

    assert comments.total == 5
    assert [comment.text for comment in comments.newest] == ["comment 4", "comment 3", "comment 2"]
    assert gaps.article_comments("no-such-article", QUARTER) is None


def test_deleted_article_feedback_goes_with_it(create_article, app):
    bins = create_article(slug="bin-day", title="Find your bin day")
    feedback(bins, helpful=False)
    db.session.execute(sa.delete(Article).where(Article.id == bins.id))
    db.session.commit()

    assert gaps.unhelpful_answers(QUARTER) == []
