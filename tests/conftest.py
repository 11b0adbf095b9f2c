"""Shared fixtures: a fresh application per test on SQLite and on PostgreSQL, emptied after each test.

Every test that uses `app` runs once per database. PostgreSQL is at TEST_POSTGRES_URL (default: this
machine's 127.0.0.1:5432, database `test`); where none answers the PostgreSQL runs are skipped with a
message, except under CI, where that is a failure."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_bridge.audit import AuditEvent
from knowledge_base.models import Article, ArticleTranslation
from knowledge_base.operations import import_records
from knowledge_base.records import read_content_dir
from portal import create_app
from portal.db import db

CONTENT_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "content"
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "SERVER_NAME": "localhost",
    "RATELIMIT_ENABLED": False,  # tests/portal/test_rate_limits.py turns rate limits on where it tests them
}
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_problem(url: str) -> str | None:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        return
    problem = _postgres_problem(POSTGRES_URL)
    if problem:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL} ({problem})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the PostgreSQL suite", pytrace=False)
        pytest.skip(f"{message}: PostgreSQL runs skipped here; CI runs them")
    # A schema of its own per test session, so two runs at once never empty each other's tables.
    schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url):
    """The schema is made once per database; each test then starts from empty tables."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield database_url
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(_schema, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": _schema})
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                if table.name == AuditEvent.__tablename__:
                    # Append-only: its triggers refuse DELETE, so the table is made anew (triggers too).
                    table.drop(connection)
                    table.create(connection)
                else:
                    connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    """The application as residents meet it, with CSRF protection on, over the same database as `app`."""
    protected = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "WTF_CSRF_ENABLED": True})  # fmt: skip
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def content_records():
    return read_content_dir(CONTENT_DIR)


@pytest.fixture
def sample_content(app, content_records):
    """The council's sample articles, imported as set-up imports them."""
    import_records(content_records)


@pytest.fixture
def create_article(app):
    """Factory: create_article(slug="...", title="...", lang="en", **overrides) -> Article."""

    def create(
        slug: str = "test-article",
        title: str = "Test article",
        lang: str = "en",
        body: str = "An answer.",
        questions: tuple[str, ...] = (),
        keywords: tuple[str, ...] = (),
        translations: dict[str, dict] | None = None,
        **overrides,
    ) -> Article:
        fields = {
            "service_group": "general",
            "owner": "Customer services",
            "status": "published",
            "review_due": date(2027, 1, 31),
        } | overrides
        article = Article(slug=slug, **fields)
        article.translations.append(
            ArticleTranslation(
                lang=lang, title=title, body=body, questions=list(questions), keywords=list(keywords)
            )
        )
        for other_lang, values in (translations or {}).items():
            article.translations.append(ArticleTranslation(lang=other_lang, **values))
        db.session.add(article)
        db.session.commit()
        return article

    return create


@pytest.fixture
def create_case(app):
    """Factory: create_case(**overrides) -> a case made by the one hand-off, with its customer and contact.

    Overrides are Submission fields (request_type, channel, lang, answers, details, customer, location...)
    plus status and created_at, set after the hand-off."""
    counter = iter(range(1, 100_000))

    def create(status: str = "new", created_at=None, **overrides):
        from crm_bridge.handoff import CustomerDetails, Location, Submission, hand_off

        fields = {
            "request_type": "missed-bin",
            "submission_key": f"test-case-{next(counter)}",
            "channel": "web",
            "answers": {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"},
            "details": "Bin left at the kerb.",
            "customer": CustomerDetails(name="Ann Smith", email="ann@example.org", phone="01632 960123"),
            "location": Location(postcode="ND1 1AA", address="14 Acacia Avenue", lat=54.5, lng=-1.55),
        } | overrides
        case = hand_off(Submission(**fields))
        case.status = status
        if created_at is not None:
            case.created_at = created_at
        db.session.commit()
        return case

    return create


STAFF_PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def staff_password_hash():
    """One real Argon2 hash of STAFF_PASSWORD for every account the factory makes: Argon2 is slow on
    purpose (about 0.2 s a hash), and sign-ins still verify it for real."""
    from crm_bridge.staff.accounts import hash_password

    return hash_password(STAFF_PASSWORD)


@pytest.fixture
def create_staff(app, staff_password_hash, monkeypatch):
    """Factory: create_staff(role="advisor", email=None, service_groups=(), **overrides) -> StaffUser.

    Service officers get the environment group unless told otherwise. Password: STAFF_PASSWORD."""
    counter = iter(range(1, 100_000))

    def create(role: str = "advisor", email: str | None = None, service_groups=None, **overrides):
        from crm_bridge.staff import accounts
        from crm_bridge.staff.accounts import create_user

        if service_groups is None:
            service_groups = ("environment",) if role == "service_officer" else ()
        number = next(counter)
        with monkeypatch.context() as patch:
            patch.setattr(accounts, "hash_password", lambda password: staff_password_hash)
            user = create_user(
                email or f"{role.replace('_', '.')}{number}@northdale.example",
                overrides.pop("name", f"{role.replace('_', ' ').title()} {number}"),
                role,
                STAFF_PASSWORD,
                service_groups,
            )
        for field, value in overrides.items():
            setattr(user, field, value)
        db.session.commit()
        return user

    return create


def sign_in_as(client, user) -> None:
    """Puts `user` into the test client's session as Flask-Login does after a full sign-in."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def staff_client(app, create_staff):
    """staff_client(role="advisor", **create_staff overrides) -> (a test client signed in, the user)."""

    def make(role: str = "advisor", **overrides):
        user = create_staff(role, **overrides)
        client = app.test_client()
        sign_in_as(client, user)
        return client, user

    return make


@pytest.fixture
def create_kiosk(app):
    """Factory: create_kiosk(name="Reception", location=...) -> (Kiosk, device token), already enrolled."""
    counter = iter(range(1, 100_000))

    def create(name: str | None = None, location: str = "Reception, council offices"):
        from kiosk.registry import enrol_device, register_kiosk

        kiosk, code = register_kiosk(name or f"Reception kiosk {next(counter)}", location, None)
        return enrol_device(code)

    return create


@pytest.fixture
def kiosk_client(app, create_kiosk):
    """A test client on a registered kiosk: its device cookie set as enrolment sets it."""
    from kiosk.device import DEVICE_COOKIE

    kiosk, token = create_kiosk()
    client = app.test_client()
    client.set_cookie(DEVICE_COOKIE, token, domain="localhost")
    client.kiosk = kiosk
    return client
