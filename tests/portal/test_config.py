import stat

from portal import config


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(str(tmp_path))
    assert len(first) == 64
    assert config.secret_key(str(tmp_path)) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_database_defaults_to_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path / 'portal.db'}"


def test_postgres_urls_use_psycopg_3(tmp_path, monkeypatch):
    for given in ("postgres://u@db/council", "postgresql://u@db/council"):
        monkeypatch.setenv("DATABASE_URL", given)
        assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u@db/council"


def test_app_factory_reads_the_environment(tmp_path, monkeypatch):
    from portal import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("SEARCH_CONFIDENCE_THRESHOLD", "0.7")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert app.extensions["knowledge_base_search"].config.confidence_threshold == 0.7
    assert (tmp_path / "secret_key").exists()
