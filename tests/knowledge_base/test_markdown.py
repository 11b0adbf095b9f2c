from knowledge_base.markdown import plain_text, render_markdown, summary


def test_markdown_renders_with_govuk_classes():
    html = render_markdown("Intro.\n\n## Heading\n\n- one\n\n[link](https://example.org)")
    assert '<h2 class="govuk-heading-m">Heading</h2>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert 'class="govuk-link"' in html


def test_raw_html_and_scripts_never_survive():
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n<b>bold</b>')
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html


def test_dangerous_link_schemes_are_removed():
    html = render_markdown("[a](javascript:alert(1)) [b](data:text/html,x) [c](mailto:a@example.org)")
    assert "javascript:" not in html.replace("[a](javascript:alert(1))", "")
    assert 'href="data:' not in html
    assert 'href="mailto:a@example.org"' in html


def test_plain_text_and_summary_are_unescaped_text():
    body = "You can pay **online** & by phone.\n\n## More\n\nDetails."
    assert plain_text(body) == "You can pay online & by phone. More Details."
    assert summary(body) == "You can pay online & by phone."


def test_long_summary_is_cut_at_a_word():
    text = summary("word " * 200, limit=50)
    assert len(text) <= 50
    assert text.endswith("…")
