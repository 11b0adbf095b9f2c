"""Finishing a visit at the kiosk (the Finish button, or the idle prompt left unanswered): the visitor's
conversation, unsent forms and photos are deleted, the session is emptied, the device stays a kiosk."""

from __future__ import annotations

import io
import re

from PIL import Image

from crm_bridge.catalogue import default_catalogue
from crm_bridge.models import Case
from kiosk.device import DEVICE_COOKIE
from kiosk.session import draft_keys_of, visit_in_progress, wipe_visit
from portal.chat.models import ChatMessage, ChatSession
from portal.eforms import services
from portal.eforms.models import FormDraft
from tests.portal.helpers import count, page, rows

ANSWERS = {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"}


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, "JPEG")
    return out.getvalue()


def _photo_files() -> set:
    folder = services.upload_folder()
    return {path.name for path in folder.glob("*.jpg")} if folder.exists() else set()


def _visit(kiosk_client) -> FormDraft:
    """A visitor asks the assistant, searches, starts a form and adds a photo to it."""
    kiosk_client.post("/ask", data={"question": "when is my bin collected"})
    kiosk_client.post("/report/fly-tipping", data={"q": "a sofa dumped at 12 Elm Road"})
    (draft,) = rows(FormDraft)
    services.add_photo(draft, _jpeg())
    return draft


def test_finish_deletes_the_visit_and_returns_to_the_start_screen(kiosk_client, sample_content):
    draft = _visit(kiosk_client)
    assert count(ChatSession) == 1 and count(ChatMessage) >= 2
    photo = draft.photos[0]["stored_name"]
    assert photo in _photo_files()

    response = kiosk_client.post("/kiosk/finish")

    assert response.status_code == 303 and response.location == "/kiosk"
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert response.headers["Cache-Control"] == "no-store"
    assert (count(ChatSession), count(ChatMessage), count(FormDraft)) == (0, 0, 0)
    assert photo not in _photo_files()
    with kiosk_client.session_transaction() as session:
        assert dict(session) == {}
    assert kiosk_client.get_cookie(DEVICE_COOKIE) is not None  # still a kiosk
    start = kiosk_client.get("/kiosk")
    assert start.status_code == 200 and page(start).body["data-idle-active"] == "false"


def test_after_finish_the_pages_of_the_last_visit_show_nothing_of_it(kiosk_client, sample_content):
    _visit(kiosk_client)
    kiosk_client.post("/report/fly-tipping/questions", data={"what": "furniture", "amount": "car-boot",
                                                             "saw_it_happen": "no"})  # fmt: skip
    kiosk_client.post("/kiosk/finish")

    chat = kiosk_client.get("/ask")
    assert chat.status_code == 200 and "when is my bin collected" not in chat.get_data(as_text=True)
    for path in ("/report/fly-tipping/questions", "/report/fly-tipping/location",
                 "/report/fly-tipping/check-answers"):  # fmt: skip
        response = kiosk_client.get(path)
        assert response.status_code == 302 and response.location == "/report/fly-tipping", path
    start = kiosk_client.get("/report/fly-tipping")
    assert "12 Elm Road" not in start.get_data(as_text=True)
    assert kiosk_client.get("/report/fly-tipping/confirmation").status_code == 404


def test_a_sent_form_keeps_its_case_and_photos(kiosk_client, sample_content):
    kiosk_client.post("/report/missed-bin")
    (draft,) = rows(FormDraft)
    services.add_photo(draft, _jpeg())
    draft.answers = ANSWERS
    draft.customer = {"name": "Kim", "email": "kim@example.org"}
    services.submit(draft, default_catalogue().get("missed-bin"))
    photo = draft.photos[0]["stored_name"]

    kiosk_client.post("/kiosk/finish")

    assert [case.reference for case in rows(Case)] == [draft.case_reference]
    assert photo in _photo_files()


def test_finish_needs_a_post_a_get_never_wipes(kiosk_client, sample_content):
    _visit(kiosk_client)

    assert kiosk_client.get("/kiosk/finish").status_code == 405

    assert count(FormDraft) == 1 and count(ChatSession) == 1


def test_finish_checks_the_csrf_token_and_the_next_visit_gets_a_new_one(csrf_app, create_kiosk):
    kiosk, token = create_kiosk()
    client = csrf_app.test_client()
    client.set_cookie(DEVICE_COOKIE, token, domain="localhost")
    start = client.get("/kiosk").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', start).group(1)

    assert client.post("/kiosk/finish").status_code == 400
    response = client.post("/kiosk/finish", headers={"X-CSRFToken": csrf})  # as idle.js sends it

    assert response.status_code == 303
    again = client.get("/kiosk").get_data(as_text=True)
    assert re.search(r'name="csrf-token" content="([^"]+)"', again).group(1) != csrf


def test_wipe_visit_touches_only_what_the_visit_pointed_at(app, kiosk_client, sample_content):
    _visit(kiosk_client)
    with kiosk_client.session_transaction() as session:
        chat_token, drafts = session["chat_token"], session["drafts"]
    other = app.test_client()  # another visitor (on the web) with a form of their own
    other.post("/report/missed-bin")
    assert count(FormDraft) == 2

    wiped = wipe_visit(chat_token, draft_keys_of(drafts), services.upload_folder())

    assert (wiped.chats, wiped.drafts, wiped.photos) == (1, 1, 1)
    assert [draft.request_type for draft in rows(FormDraft)] == ["missed-bin"]
    assert wipe_visit(None, [], services.upload_folder()).drafts == 0


def test_what_counts_as_a_visit_in_progress():
    assert not visit_in_progress(["csrf_token", "kiosk_visit", "_fresh"])
    assert visit_in_progress(["csrf_token", "lang"])
    assert draft_keys_of({"missed-bin": "abc", "broken": None}) == ["abc"]
    assert draft_keys_of(None) == []
