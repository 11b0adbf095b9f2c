"""Rate limits (docs/rate-limits.md): each limited endpoint answers 429 after its limit, with Retry-After and
the wait in words; htmx gets something it swaps in, the API JSON; other addresses carry on; a kiosk counts
as its device; sign-in counts per address and username and per username; several processes share a count
through Redis. Every test makes its own application with small limits and memory storage of its own."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import redis
from flask import Flask
from flask_babel import Babel

from portal import create_app
from portal.config import DEFAULT_RATE_LIMITS
from portal.db import db
from portal.rate_limits import wait_in_words

from ..conftest import TEST_CONFIG
from .helpers import page, text

REDIS_URL = "redis://127.0.0.1:6379/0"
HTMX = {"HX-Request": "true"}
WAIT = re.compile(r"Wait (\d+) (seconds?|minutes?|hours?), then", re.IGNORECASE)


@pytest.fixture
def limited(app):
    """limited(name="2/minute", ..., storage="memory://", prefix=None, settings=None) -> an application
    over the same database as `app`, with rate limits on and those limits (and other settings) set."""
    made = []

    def make(storage: str = "memory://", prefix: str | None = None, settings: dict | None = None, **limits):
        config = {
            **TEST_CONFIG,
            **(settings or {}),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage,
            "RATE_LIMITS": limits,
        }
        if prefix:
            config["RATELIMIT_KEY_PREFIX"] = prefix
        made.append(create_app(config))
        return made[-1]

    yield make
    for each in made:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def client_at(application, address: str = "198.51.100.7"):
    client = application.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_limited_page(response) -> int:
    """The friendly page: 429, Retry-After, the wait in words; returns Retry-After."""
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    seconds = int(response.headers["Retry-After"])
    assert seconds >= 1
    soup = page(response)
    assert text(soup.find("h1")) == "You have made too many requests"
    assert WAIT.search(text(soup.main))
    return seconds


# --- Search: the page, search as you type, the API ---------------------------------------------------


def test_search_as_you_type_past_the_limit_shows_a_message_in_the_results(limited):
    client = client_at(limited(search="3/minute"))
    headers = {**HTMX, "HX-Target": "search-results"}
    for _ in range(3):
        assert client.get("/search?q=bins", headers=headers).status_code == 200

    response = client.get("/search?q=bins+coll", headers=headers)

    # htmx swaps 422 (layout.html's htmx-config) and no 4xx: the results area says what happened.
    assert response.status_code == 422
    assert int(response.headers["Retry-After"]) >= 1
    soup = page(response)
    assert soup.find(id="search-results") is not None
    assert WAIT.search(text(soup.find(id="search-results")))
    assert soup.find(id="search-status")["hx-swap-oob"] == "innerHTML"  # the live region announces it
    assert "HX-Reswap" not in response.headers
    assert soup.find("h1") is None  # a fragment, not a page


def test_the_results_page_and_the_api_share_the_search_count(limited):
    client = client_at(limited(search="2/minute"))
    assert client.get("/search?q=bins").status_code == 200
    assert client.get("/api/search?q=bins").status_code == 200

    assert_limited_page(client.get("/search?q=bins"))
    response = client.get("/api/search?q=bins")
    assert response.status_code == 429
    assert response.get_json()["retry_after"] == int(response.headers["Retry-After"])
    assert WAIT.search(response.get_json()["error"])


def test_head_requests_count_like_gets(limited):
    client = client_at(limited(tracking="2/minute"))
    assert client.head("/track/not-a-token").status_code == 404
    assert client.get("/track/not-a-token").status_code == 404
    assert client.head("/track/not-a-token").status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_count(limited):
    application = limited(settings={"TRUSTED_PROXY_COUNT": 1}, tracking="1/minute")
    nginx = client_at(application, "127.0.0.1")
    first, second = ({"X-Forwarded-For": address} for address in ("198.51.100.7", "203.0.113.9"))
    assert nginx.get("/track/not-a-token", headers=first).status_code == 404
    assert nginx.get("/track/not-a-token", headers=first).status_code == 429

    assert nginx.get("/track/not-a-token", headers=second).status_code == 404


def test_a_forged_forwarded_address_gives_no_fresh_count_without_a_trusted_proxy(limited):
    client = client_at(limited(settings={"TRUSTED_PROXY_COUNT": 0}, tracking="1/minute"))
    assert client.get("/track/not-a-token", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 404
    assert client.get("/track/not-a-token", headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 429


def test_another_address_is_not_affected(limited):
    application = limited(search="1/minute")
    first, second = client_at(application, "198.51.100.7"), client_at(application, "203.0.113.9")
    assert first.get("/search?q=bins").status_code == 200
    assert first.get("/search?q=bins").status_code == 429

    assert second.get("/search?q=bins").status_code == 200


# --- A kiosk counts as its device, with limits of its own --------------------------------------------


def test_a_kiosk_is_counted_by_its_device_with_its_own_limit(limited, create_kiosk):
    from kiosk.device import DEVICE_COOKIE

    application = limited(tracking="2/minute", tracking_kiosk="4/minute")
    kiosks = []
    for _ in range(2):
        _kiosk, token = create_kiosk()
        client = client_at(application, "192.0.2.50")  # reception: every kiosk behind one address
        client.set_cookie(DEVICE_COOKIE, token, domain="localhost")
        kiosks.append(client)
    resident = client_at(application, "192.0.2.50")  # a phone on the same public wi-fi
    look_up = {"reference": "NDC-26-000001", "email": "ann@example.org"}

    for _ in range(2):
        assert resident.post("/track", data=look_up).status_code == 422
    assert resident.post("/track", data=look_up).status_code == 429

    for _ in range(4):  # neither the resident's count nor the resident's limit
        assert kiosks[0].post("/track", data=look_up).status_code == 422
    assert kiosks[0].post("/track", data=look_up).status_code == 429
    assert kiosks[1].post("/track", data=look_up).status_code == 422  # the other kiosk counts on its own


# --- Tracking: enumeration is hopeless ---------------------------------------------------------------


def test_tracking_look_ups_share_one_count_and_stop_even_the_right_answer(limited, create_case):
    case = create_case()
    client = client_at(limited(tracking="3/hour"))
    assert client.get("/track").status_code == 200  # the empty form is not counted
    assert client.get("/track/not-a-token").status_code == 404
    wrong = {"reference": case.reference, "email": "someone@example.org"}
    assert client.post("/track", data=wrong).status_code == 422
    assert client.get(f"/track/{case.tracking_token}").status_code == 200

    right = {"reference": case.reference, "email": "ann@example.org"}
    response = client.post("/track", data=right)

    seconds = assert_limited_page(response)
    assert seconds > 60  # an hour's window
    assert WAIT.search(text(page(response).main)).group(0) == "Wait 1 hour, then"
    assert "What you sent has not been saved" in text(page(response).main)
    assert client.get(f"/track/{case.tracking_token}").status_code == 429


# --- Chat, e-forms, ratings --------------------------------------------------------------------------


def test_chat_questions_past_the_limit(limited):
    client = client_at(limited(chat="1/minute"))
    assert client.post("/ask", data={"question": "When is my bin collected?"}).status_code == 302

    headers = {**HTMX, "HX-Target": "conversation"}
    response = client.post("/ask", data={"question": "And the recycling?"}, headers=headers)

    assert response.status_code == 422
    assert response.headers["HX-Reswap"] == "afterbegin"  # on top of the conversation, which stays
    alert = page(response).find(role="alert")
    assert WAIT.search(text(alert))
    assert "What you sent has not been saved" in text(alert)
    assert alert.has_attr("data-focus-after-swap")
    assert_limited_page(client.post("/ask", data={"question": "And the recycling?"}))


def test_form_pages_and_sending_a_form_have_separate_limits(limited):
    client = client_at(limited(eform_step="2/minute", eform_submit="1/hour"))
    for _ in range(2):
        assert client.post("/report/missed-bin").status_code == 302  # starting a form
    assert_limited_page(client.post("/report/missed-bin/bin", data={"bin": "green"}))

    assert client.post("/report/missed-bin/check-answers").status_code == 302  # no draft: back to start
    assert_limited_page(client.post("/report/complaint/check-answers"))  # complaints are forms too


def test_ratings_and_feedback_past_the_limit(limited, create_article):
    create_article(slug="bins")
    client = client_at(limited(feedback="1/minute"))
    assert client.post("/rate-our-service", data={"token": "forged", "rating": "5"}).status_code == 400
    assert_limited_page(client.post("/rate-our-service", data={"token": "forged", "rating": "5"}))

    headers = {**HTMX, "HX-Target": "feedback"}
    assert client.post("/articles/bins/feedback", data={"helpful": "yes"}, headers=headers).status_code == 200
    response = client.post("/articles/bins/feedback", data={"helpful": "yes"}, headers=headers)
    assert response.status_code == 422  # each endpoint counts on its own
    assert response.headers["HX-Reswap"] == "afterbegin"


# --- Staff sign-in -----------------------------------------------------------------------------------


def sign_in(client, email: str):
    return client.post("/staff/sign-in", data={"email": email, "password": "not the password"})


def test_sign_in_is_limited_per_address_and_username(limited):
    client = client_at(limited(sign_in="1/minute", sign_in_address="100/minute"))
    assert sign_in(client, "ann@northdale.example").status_code == 422
    assert_limited_page(sign_in(client, "ANN@northdale.example "))

    assert sign_in(client, "bob@northdale.example").status_code == 422  # a colleague on the office address


def test_one_username_is_limited_across_addresses(limited):
    application = limited(sign_in_account="2/hour", sign_in="100/minute", sign_in_address="100/minute")
    for address in ("203.0.113.1", "203.0.113.2"):
        assert sign_in(client_at(application, address), "ann@northdale.example").status_code == 422

    assert sign_in(client_at(application, "203.0.113.99"), "ann@northdale.example").status_code == 429
    assert sign_in(client_at(application, "203.0.113.99"), "bob@northdale.example").status_code == 422


def test_one_address_trying_many_usernames_is_limited(limited):
    client = client_at(limited(sign_in_address="2/minute"))
    for name in ("ann", "bob"):
        assert sign_in(client, f"{name}@northdale.example").status_code == 422
    assert sign_in(client, "cat@northdale.example").status_code == 429


def test_the_security_code_step_is_limited_per_account(limited, create_staff):
    from crm_bridge.staff.accounts import new_totp_secret
    from portal.auth.views import PENDING

    user = create_staff("admin", totp_secret=new_totp_secret())
    application = limited(second_factor="2/minute")
    clients = [client_at(application, address) for address in ("203.0.113.1", "203.0.113.2")]
    for client in clients:
        with client.session_transaction() as session:
            session[PENDING] = user.get_id()

    assert clients[0].post("/staff/sign-in/code", data={"code": "000000"}).status_code == 422
    assert clients[1].post("/staff/sign-in/code", data={"code": "000001"}).status_code == 422
    assert_limited_page(clients[0].post("/staff/sign-in/code", data={"code": "000002"}))
    assert clients[1].post("/staff/sign-in/code", data={"code": "000003"}).status_code == 429


# --- Settings ----------------------------------------------------------------------------------------


def test_with_rate_limits_off_nothing_is_limited(client):
    # The suite's TEST_CONFIG: more look-ups than the default limit (10 a minute), none refused.
    assert {client.get("/track/not-a-token").status_code for _ in range(12)} == {404}


def test_a_mistyped_limit_stops_the_application_starting(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    config = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": True}
    with pytest.raises(ValueError, match="RATELIMIT_TRACKING='ten a minute'"):
        create_app({**config, "RATE_LIMITS": {"tracking": "ten a minute"}})


def test_limits_and_storage_come_from_the_environment(monkeypatch, tmp_path):
    from portal.config import from_environment

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("RATELIMIT_TRACKING", "5/minute;30/hour")
    config = from_environment(str(tmp_path))
    assert config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert config["RATE_LIMITS"]["tracking"] == "5/minute;30/hour"
    assert config["RATE_LIMITS"]["search"] == DEFAULT_RATE_LIMITS["search"]

    monkeypatch.delenv("REDIS_URL")
    assert from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"
    assert from_environment(str(tmp_path))["RATELIMIT_ENABLED"] is True
    for value, enabled in (("false", False), ("Off", False), ("treu", True), ("1", True)):
        monkeypatch.setenv("RATELIMIT_ENABLED", value)
        assert from_environment(str(tmp_path))["RATELIMIT_ENABLED"] is enabled


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (61, "1 minute"),
        (62, "2 minutes"),
        (3600, "1 hour"),
        (3601, "1 hour"),
        (3602, "2 hours"),
    ],
)
def test_the_wait_in_words(seconds, words):
    application = Flask(__name__)
    Babel(application)
    with application.test_request_context():
        assert wait_in_words(seconds) == words


# --- Several processes: one count in Redis; Redis gone: each process counts alone ---------------------


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the real Redis, and its keys removed afterwards."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def test_two_application_processes_share_one_count_in_redis(limited, redis_prefix, monkeypatch):
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    one, two = (limited(storage=REDIS_URL, prefix=redis_prefix, tracking="3/minute") for _ in range(2))
    first, second = client_at(one), client_at(two)

    assert first.get("/track/not-a-token").status_code == 404
    assert second.get("/track/not-a-token").status_code == 404
    assert first.get("/track/not-a-token").status_code == 404

    assert second.get("/track/not-a-token").status_code == 429
    assert first.get("/track/not-a-token").status_code == 429
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{redis_prefix}*")
    assert len(keys) == 1  # one count, kept in Redis


def test_without_redis_requests_are_still_answered_and_counted_in_memory(limited):
    client = client_at(limited(storage="redis://127.0.0.1:1/0", tracking="2/minute"))
    assert client.get("/track/not-a-token").status_code == 404
    assert client.get("/track/not-a-token").status_code == 404
    assert client.get("/track/not-a-token").status_code == 429
