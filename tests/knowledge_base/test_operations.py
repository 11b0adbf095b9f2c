import sqlalchemy as sa

from knowledge_base.models import Article, ArticleTranslation
from knowledge_base.operations import export_records, import_records
from knowledge_base.records import ArticleRecord
from portal.db import db


def record(**overrides) -> ArticleRecord:
    fields = {
        "slug": "bins",
        "lang": "en",
        "title": "Bin day",
        "body": "Weekly.",
        "service_group": "environment",
    }
    return ArticleRecord(**(fields | overrides))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_import_creates_then_is_idempotent(app):
    assert str(import_records([record()])) == "1 created, 0 updated, 0 unchanged"
    assert str(import_records([record()])) == "0 created, 0 updated, 1 unchanged"
    assert str(import_records([record(title="Bin days")])) == "0 created, 1 updated, 0 unchanged"
    assert db.session.scalar(sa.select(ArticleTranslation.title)) == "Bin days"


def test_unchanged_import_keeps_timestamps(app):
    import_records([record()])
    before = db.session.scalar(sa.select(ArticleTranslation.updated_at))
    import_records([record()])
    assert db.session.scalar(sa.select(ArticleTranslation.updated_at)) == before


def test_translation_joins_its_article_without_changing_settings(app):
    import_records([record(status="draft", owner="Waste")])
    import_records([record(lang="cy", title="Diwrnod bin", service_group=None)])
    article = db.session.scalar(sa.select(Article))
    assert [t.lang for t in article.translations] == ["cy", "en"]
    assert (article.status, article.owner) == ("draft", "Waste")


def test_a_translation_read_before_its_english_source_joins_it(app):
    result = import_records([record(lang="cy", title="Diwrnod bin", service_group=None), record()])
    article = db.session.scalar(sa.select(Article))
    assert [t.lang for t in article.translations] == ["cy", "en"]
    assert (result.created, result.updated) == (1, 1)


def test_new_article_without_service_group_stops_the_whole_import(app):
    good = record(slug="good")
    orphan = record(slug="orphan", lang="cy", service_group=None)
    try:
        import_records([good, orphan])
    except ValueError as error:
        assert "orphan (cy), service_group: is required" in str(error)
    else:
        raise AssertionError("expected the import to fail")
    assert count(Article) == 0


def test_export_lists_every_translation(app):
    import_records([record(), record(lang="cy", title="Diwrnod bin", service_group=None)])
    exported = export_records()
    assert [(r.slug, r.lang, r.service_group) for r in exported] == [
        ("bins", "cy", "environment"),
        ("bins", "en", "environment"),
    ]


def test_cli_import_content_is_quiet_and_idempotent(runner, content_records):
    first = runner.invoke(args=["kb", "import-content", "--quiet"])
    assert first.exit_code == 0, first.output
    assert first.output == ""
    assert count(Article) == len({r.slug for r in content_records})
    again = runner.invoke(args=["kb", "import-content"])
    assert "0 created, 0 updated" in again.output


def test_cli_csv_round_trip(runner, tmp_path):
    import_records([record(), record(slug="tax", title="Council tax", service_group="council-tax")])
    path = tmp_path / "articles.csv"
    assert runner.invoke(args=["kb", "export-csv", str(path)]).exit_code == 0
    text = path.read_text()
    assert text.splitlines()[0].startswith("slug,lang,title,body,questions,keywords,service_group")
    db.session.execute(sa.delete(Article))
    db.session.commit()
    result = runner.invoke(args=["kb", "import-csv", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    assert {r.slug for r in export_records()} == {"bins", "tax"}


def test_cli_bad_csv_names_row_and_column_and_imports_nothing(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "slug,lang,title,body,questions,keywords,service_group\n"
        "fine,en,Fine,Body,,,general\n"
        "broken,en,,Body,,,parking-and-stuff\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["kb", "import-csv", str(path)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "row 3, title: is required" in result.output
    assert "row 3, service_group: must be one of" in result.output
    assert count(Article) == 0
