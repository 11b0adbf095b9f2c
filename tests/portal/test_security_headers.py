"""Security headers on every kind of answer, HSTS only over https as a trusted proxy reports it, Secure
cookies behind https, CSRF on htmx requests, and templates the Content-Security-Policy can allow."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from crm_bridge.audit import AuditEvent
from portal import create_app
from portal.db import db
from portal.security import CONTENT_SECURITY_POLICY, HSTS, SECURITY_HEADERS
from tests.conftest import TEST_CONFIG

from .helpers import page, rows, text

ROOT = Path(__file__).resolve().parents[2]
HTMX = {"HX-Request": "true"}
HTTPS_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def make_app(app):
    """make_app(**config) -> another application over the same database, made from the environment as
    set now (monkeypatch it first), with `config` on top of the tests' settings."""
    made = []

    def make(**config):
        other = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            **config})  # fmt: skip
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def article(create_article):
    return create_article(slug="bin-collection-day", title="Bin collection day", keywords=("bins",))


def assert_security_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))

    assert "unsafe" not in CONTENT_SECURITY_POLICY and "nonce" not in CONTENT_SECURITY_POLICY
    assert directives["default-src"] == directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == directives["object-src"] == directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"


def test_resident_page_has_every_header(client, article):
    response = client.get("/articles/bin-collection-day")

    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")  # public advice may be cached


def test_htmx_fragment_has_every_header(client, article):
    response = client.get("/search", query_string={"q": "bins"}, headers=HTMX)

    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/report/missed-bin", "/track", "/ask"])
def test_pages_with_personal_data_are_never_stored(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_staff_page_has_every_header_and_is_never_stored(staff_client, create_case):
    client, _user = staff_client("advisor")
    create_case()

    response = client.get("/staff/cases")

    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_kiosk_page_has_every_header_and_is_never_stored(kiosk_client):
    response = kiosk_client.get("/kiosk")

    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/search?q=bins", 200),
        ("/open311/v2/services.json", 200),
        ("/open311/v2/services.xml", 200),
        ("/static/portal.js", 200),
        ("/kiosk/static/idle.js", 200),
        ("/healthz", 200),
        ("/no-such-page", 404),
        ("/api/search?limit=many", 400),
    ],
)
def test_every_other_answer_has_every_header(client, article, url, status):
    response = client.get(url)

    assert response.status_code == status
    assert_security_headers(response)


def test_error_page_has_every_header(client):
    response = client.post("/contact")

    assert response.status_code == 405
    assert text(page(response).h1)
    assert_security_headers(response)


def test_hsts_when_a_trusted_proxy_reports_https(make_app):
    client = make_app(TRUSTED_PROXY_COUNT=1).test_client()

    over_https = client.get("/contact", headers=HTTPS_PROXY)
    over_http = client.get("/contact", headers={"X-Forwarded-Proto": "http"})
    direct = client.get("/contact")

    assert over_https.headers["Strict-Transport-Security"] == HSTS
    assert "Strict-Transport-Security" not in over_http.headers
    assert "Strict-Transport-Security" not in direct.headers
    assert over_https.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_no_hsts_when_the_proxy_is_not_trusted(make_app):
    client = make_app(TRUSTED_PROXY_COUNT=0).test_client()

    response = client.get("/contact", headers=HTTPS_PROXY)

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https_directly(client):
    response = client.get("/contact", base_url="https://localhost")

    assert response.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize("trusted, recorded", [(1, "203.0.113.9"), (0, "127.0.0.1")])
def test_client_address_is_believed_only_from_a_trusted_proxy(make_app, create_staff, trusted, recorded):
    """The address in the audit log (and the one rate limits count) is the forwarded one only when the
    proxy in front is trusted: otherwise anyone could write any address there."""
    create_staff("advisor", email="ann@northdale.example")
    client = make_app(TRUSTED_PROXY_COUNT=trusted).test_client()

    response = client.post(
        "/staff/sign-in",
        data={"email": "ann@northdale.example", "password": "wrong password"},
        headers=HTTPS_PROXY,
    )

    assert response.status_code in (200, 422)
    [failure] = [event for event in rows(AuditEvent) if event.action == "sign_in_failed"]
    assert failure.ip_address == recorded


def test_trusted_proxy_count_comes_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    assert make_app().config["TRUSTED_PROXY_COUNT"] == 1
    monkeypatch.delenv("TRUSTED_PROXY_COUNT")
    assert make_app().config["TRUSTED_PROXY_COUNT"] == 0


def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def every_cookie(app) -> dict[str, str]:
    """The session and language cookies (choosing a language) and the kiosk's device cookie (enrolling)."""
    from kiosk.registry import register_kiosk

    client = app.test_client()
    cookies = set_cookies(client.get("/language/cy"))
    with app.app_context():
        _kiosk, code = register_kiosk("Reception kiosk", "Reception", None)
        db.session.commit()
    cookies |= set_cookies(client.get(f"/kiosk/enrol/{code}"))
    assert set(cookies) == {"session", "lang", "kiosk_device"}
    return cookies


@pytest.mark.parametrize(
    "base_url, setting, secure",
    [
        ("https://council.example", None, True),
        ("http://127.0.0.1:5000", None, False),
        ("https://council.example", "false", False),
        ("http://127.0.0.1:5000", "true", True),
    ],
)
def test_cookies_are_secure_behind_https(make_app, monkeypatch, base_url, setting, secure):
    monkeypatch.setenv("PUBLIC_BASE_URL", base_url)
    if setting is None:
        monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", setting)

    cookies = every_cookie(make_app())

    for name, header in cookies.items():
        attributes = [part.strip().lower() for part in header.split(";")[1:]]
        assert ("secure" in attributes) == secure, name
        assert "httponly" in attributes, name
        assert {"samesite=lax", "samesite=strict"} & set(attributes), name


def test_htmx_post_without_a_token_is_refused(csrf_client, article):
    response = csrf_client.post("/ask", data={"question": "bin day"}, headers=HTMX)

    assert response.status_code == 400
    assert response.headers["HX-Refresh"] == "true"
    assert_security_headers(response)


def test_htmx_post_with_the_token_from_the_meta_tag_passes(csrf_client, article):
    meta = page(csrf_client.get("/ask")).find("meta", attrs={"name": "csrf-token"})

    response = csrf_client.post(
        "/ask", data={"question": "bin day"}, headers={**HTMX, "X-CSRFToken": meta["content"]}
    )

    assert response.status_code == 200
    assert page(response).find(id="latest")


def test_portal_js_sends_the_meta_tag_token_with_every_htmx_request():
    script = (ROOT / "portal/static/portal.js").read_text()

    assert 'addEventListener("htmx:configRequest"' in script
    assert 'meta[name="csrf-token"]' in script
    assert 'headers["X-CSRFToken"]' in script


def test_htmx_is_configured_for_the_policy(client):
    meta = page(client.get("/contact")).find("meta", attrs={"name": "htmx-config"})

    config = json.loads(meta["content"])
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert {"code": "422", "swap": True} in config["responseHandling"]


# --- Templates the policy can allow -----------------------------------------------------------------


def template_folders() -> list[Path]:
    """Every templates/ folder of the project, wherever it is (not in installed packages)."""
    found = []
    for folder, subfolders, _files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if not name.startswith(".") and name != "node_modules"]
        if Path(folder).name == "templates":
            found.append(Path(folder))
    return sorted(found)


TEMPLATE_FOLDERS = template_folders()
TEMPLATES = sorted(file for folder in TEMPLATE_FOLDERS for file in folder.rglob("*.html"))
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE = {
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=|[\"']style[\"']\s*:", re.IGNORECASE),
    "an event-handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"'{]|\bhx-on\b", re.IGNORECASE),
    "a javascript: address": re.compile(r"javascript\s*:", re.IGNORECASE),
}


JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


def inline_code_in(markup: str) -> list[str]:
    markup = JINJA_COMMENT.sub("", markup)  # never sent to the browser
    found = [
        f"an inline <script{attributes}>"
        for attributes in SCRIPT_TAG.findall(markup)
        if "src=" not in attributes and 'type="application/json"' not in attributes
    ]
    return found + [what for what, pattern in INLINE.items() if pattern.search(markup)]


def test_the_template_scan_finds_what_it_looks_for():
    assert inline_code_in("<script>alert(1)</script>") == ["an inline <script>"]
    assert inline_code_in('<p style="color: red">') == ["a style attribute"]
    assert inline_code_in("<style>p {}</style>") == ["a <style> element"]
    assert inline_code_in('<button onclick="go()">') == ["an event-handler attribute"]
    assert inline_code_in('<a href="javascript:go()">') == ["a javascript: address"]
    assert inline_code_in('<script type="application/json">{}</script><script src="/a.js">') == []
    assert inline_code_in("{# no <style> or onclick='' here #}<p>") == []


def test_no_template_has_inline_script_or_style():
    assert len(TEMPLATES) > 50 and {folder.parent.name for folder in TEMPLATE_FOLDERS} >= {"portal", "kiosk"}
    found = {
        str(template.relative_to(ROOT)): problems
        for template in TEMPLATES
        if (problems := inline_code_in(template.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize(
    "url", ["/", "/search?q=bins", "/ask", "/report/fly-tipping", "/track", "/contact", "/no-such-page"]
)
def test_rendered_pages_have_no_inline_script_or_style(client, article, url):
    """The GOV.UK macros' markup too, as residents get it."""
    soup = page(client.get(url))

    assert soup.find("script", src=False, type=lambda kind: kind != "application/json") is None
    assert soup.find("style") is None
    assert soup.find(style=True) is None
    assert [tag.name for tag in soup.find_all(lambda tag: any(a.startswith("on") for a in tag.attrs))] == []
    assert [script["src"] for script in soup.find_all("script")][0].endswith("/static/js-enabled.js")


def test_our_page_template_is_govuk_frontend_jinjas_but_for_the_inline_script():
    """govuk_template.html copies the package's page template to move its one inline script into a file:
    after an upgrade of govuk-frontend-jinja this fails until the copy is made again from the new one."""
    import govuk_frontend_jinja

    package = (Path(govuk_frontend_jinja.__file__).parent / "templates/template.html").read_text()
    ours = (ROOT / "portal/templates/govuk_template.html").read_text()
    ours = ours.split("-#}\n", 1)[1]  # our comment on top
    inline = re.compile(r"    <script \{%- if cspNonce %\}.*</script>\n")
    external = "    <script src=\"{{ url_for('static', filename='js-enabled.js') }}\"></script>\n"
    in_our_words = {
        "GOV.UK - The best place to find government services and information": "{{ page_title }}",
        "'text': 'Skip to main content'": "'text': _('Skip to main content')",
    }

    assert len(inline.findall(package)) == 1
    package = inline.sub(lambda _match: external, package)
    for theirs, our_words in in_our_words.items():
        assert package.count(theirs) == 1
        package = package.replace(theirs, our_words)
    assert ours == package
