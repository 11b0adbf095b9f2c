import io
from datetime import date

import pytest

from knowledge_base.records import (
    CSV_COLUMNS,
    ArticleRecord,
    InvalidContent,
    read_content_dir,
    read_csv,
    write_csv,
)

HEADER = ",".join(CSV_COLUMNS)


def csv_of(*rows: str) -> io.StringIO:
    return io.StringIO("\n".join([HEADER, *rows]) + "\n")


def write_file(root, lang, slug, text):
    path = root / lang / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_content_file_becomes_a_record(tmp_path):
    write_file(
        tmp_path,
        "en",
        "bin-day",
        "---\ntitle: Bin day\nservice_group: environment\nowner: Waste\nreview_due: 2027-03-31\n"
        "status: published\nquestions: [when is bin day, bin day]\nkeywords: [rubbish]\n---\nBody text.\n",
    )
    [record] = read_content_dir(tmp_path)
    assert record == ArticleRecord(
        slug="bin-day",
        lang="en",
        title="Bin day",
        body="Body text.",
        questions=["when is bin day", "bin day"],
        keywords=["rubbish"],
        service_group="environment",
        owner="Waste",
        review_due=date(2027, 3, 31),
        status="published",
    )


def test_translation_file_needs_only_its_texts(tmp_path):
    write_file(tmp_path, "cy", "bin-day", "---\ntitle: Diwrnod bin\nquestions: [pryd]\n---\nTestun.\n")
    [record] = read_content_dir(tmp_path)
    assert (record.lang, record.service_group, record.status) == ("cy", None, None)


def test_every_problem_in_content_files_is_reported_with_file_and_field(tmp_path):
    write_file(tmp_path, "en", "Bad_Slug", "---\ntitle: Fine\n---\n")
    write_file(tmp_path, "en", "no-title", "---\nservice_group: nowhere\nreview_due: soon\n---\n")
    with pytest.raises(InvalidContent) as error:
        read_content_dir(tmp_path)
    found = {(p.where, p.column) for p in error.value.problems}
    assert found == {
        ("en/Bad_Slug.md", "slug"),
        ("en/no-title.md", "title"),
        ("en/no-title.md", "service_group"),
        ("en/no-title.md", "review_due"),
    }


def test_unreadable_front_matter_names_the_file(tmp_path):
    write_file(tmp_path, "en", "broken", "---\ntitle: [unclosed\n---\n")
    with pytest.raises(InvalidContent, match="en/broken.md, front matter"):
        read_content_dir(tmp_path)


def test_csv_rows_become_records_with_lists_split_on_bars():
    [record] = read_csv(csv_of('bins,en,Bin day,"Body, with comma",when|what day,rubbish|refuse,environment'))
    assert record.questions == ["when", "what day"]
    assert record.keywords == ["rubbish", "refuse"]
    assert record.body == "Body, with comma"
    assert record.status is None


def test_bad_csv_rows_name_row_and_column_and_nothing_is_returned():
    rows = csv_of(
        "good,en,Fine,Body,,,general",
        "bad slug,en,Fine,Body,,,general",
        "also-bad,english,,Body,,,nowhere",
    )
    with pytest.raises(InvalidContent) as error:
        read_csv(rows)
    messages = [str(p) for p in error.value.problems]
    assert any(m.startswith("row 3, slug:") for m in messages)
    assert any(m.startswith("row 4, lang:") for m in messages)
    assert any(m.startswith("row 4, title:") for m in messages)
    assert any(m.startswith("row 4, service_group:") for m in messages)
    assert not any(m.startswith("row 2") for m in messages)


def test_repeated_slug_and_language_is_an_error():
    with pytest.raises(InvalidContent, match="row 3, slug: repeats row 2"):
        read_csv(csv_of("a,en,One,,,,general", "a,en,Two,,,,general"))


def test_missing_column_is_reported_against_the_header():
    with pytest.raises(InvalidContent, match="row 1, keywords: column is missing"):
        read_csv(io.StringIO("slug,lang,title,body,questions,service_group\n"))


def test_bad_optional_date_is_an_error():
    text = HEADER + ",review_due\nbins,en,Bins,,,,environment,next week\n"
    with pytest.raises(InvalidContent, match="row 2, review_due"):
        read_csv(io.StringIO(text))


def test_csv_round_trip_keeps_every_field():
    record = ArticleRecord(
        slug="bins",
        lang="en",
        title="Bin day",
        body="Line one.\n\n## Heading\n- a, b",
        questions=["q1", "q2"],
        keywords=["k"],
        service_group="environment",
        owner="Waste",
        review_due=date(2027, 1, 1),
        status="draft",
        related_form="missed-bin",
    )
    stream = io.StringIO()
    assert write_csv([record], stream) == 1
    stream.seek(0)
    assert read_csv(stream) == [record]
