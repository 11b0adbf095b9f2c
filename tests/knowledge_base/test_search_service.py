import sqlalchemy as sa

from knowledge_base.models import Article, SearchLog
from knowledge_base.search_service import KnowledgeBaseSearch, log_search
from portal.db import db


def test_index_follows_content_changes(create_article):
    search = KnowledgeBaseSearch()
    assert search.search("graffiti", "en").hits == []
    article = create_article(slug="graffiti", title="Report graffiti")
    assert search.search("graffiti", "en").best.key == "graffiti"
    article.status = "draft"
    db.session.commit()
    assert search.search("graffiti", "en").hits == []


def test_index_is_not_rebuilt_when_nothing_changed(create_article):
    create_article(slug="graffiti", title="Report graffiti")
    search = KnowledgeBaseSearch()
    assert search.engine() is search.engine()


def test_deleting_an_article_removes_it_from_results(create_article):
    create_article(slug="graffiti", title="Report graffiti")
    create_article(slug="graffiti-walls", title="Graffiti on walls")
    search = KnowledgeBaseSearch()
    assert len(search.search("graffiti", "en").hits) == 2
    db.session.execute(sa.delete(Article).where(Article.slug == "graffiti"))
    db.session.commit()
    assert [h.key for h in search.search("graffiti", "en").hits] == ["graffiti-walls"]


def test_documents_carry_summary_and_service_group(create_article):
    create_article(
        slug="bins", title="Bin day", body="Bins go weekly.\n\n## More\n\nText.", service_group="environment"
    )
    hit = KnowledgeBaseSearch().search("bin day", "en").best
    assert hit.document.payload["summary"] == "Bins go weekly."
    assert hit.document.payload["service_group"] == "environment"


def test_log_search_records_what_was_asked_and_found(create_article):
    create_article(slug="bins", title="Bin day")
    response = KnowledgeBaseSearch().search("bin day", "en")
    log_search(response, channel="web", source="results")
    entry = db.session.scalar(sa.select(SearchLog))
    assert (entry.query, entry.lang, entry.channel, entry.source, entry.top_slug) == (
        "bin day",
        "en",
        "web",
        "results",
        "bins",
    )
    assert entry.confident == response.confident
    assert entry.result_count == 1
