"""The sample content a council starts with: enough, complete, and consistent with the catalogue."""

from collections import Counter

from crm_bridge.catalogue import default_catalogue
from knowledge_base.markdown import summary
from portal.domain import SERVICE_GROUPS


def english(records):
    return [r for r in records if r.lang == "en"]


def test_at_least_80_published_english_articles(content_records):
    assert sum(r.status == "published" for r in english(content_records)) >= 80


def test_every_service_group_and_partners_are_covered(content_records):
    groups = Counter(r.service_group for r in english(content_records))
    assert set(groups) == set(SERVICE_GROUPS)
    assert min(groups.values()) >= 4


def test_every_article_has_settings_questions_keywords_and_a_summary(content_records):
    for record in english(content_records):
        assert record.owner and record.review_due, record.slug
        assert len(record.questions) >= 3, record.slug
        assert record.keywords, record.slug
        assert 20 <= len(summary(record.body)) <= 300, record.slug


def test_related_forms_are_request_types_in_the_catalogue(content_records):
    used = {r.related_form for r in content_records if r.related_form}
    assert used
    assert used <= {request_type.code for request_type in default_catalogue()}


def test_titles_are_distinct(content_records):
    titles = Counter(r.title.casefold() for r in english(content_records))
    assert [t for t, n in titles.items() if n > 1] == []
