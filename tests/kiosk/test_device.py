"""Registered kiosks: enrolment, recognising the device, its own layout, and contacts attributed to it."""

from __future__ import annotations

from datetime import timedelta

from crm_bridge.catalogue import default_catalogue
from crm_bridge.models import Case, Contact
from kiosk.device import DEVICE_COOKIE
from kiosk.registry import enrol_device, register_kiosk, revoke_kiosk
from portal.db import db, utcnow
from portal.eforms.models import FormDraft
from portal.eforms.services import submit

from ..portal.helpers import assert_well_formed, page, rows


def test_enrolment_sets_a_device_cookie_once(app, client):
    kiosk, code = register_kiosk("Reception", "Council offices", None)
    response = client.get(f"/kiosk/enrol/{code}")
    assert response.status_code == 302 and response.location.endswith("/kiosk")
    cookie = client.get_cookie(DEVICE_COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    assert kiosk.token_hash and cookie.value not in (kiosk.token_hash, code)  # only hashes are stored
    assert assert_well_formed(client.get("/kiosk"), 200) == "How can we help you today?"
    assert app.test_client().get(f"/kiosk/enrol/{code}").status_code == 404  # used once


def test_an_expired_enrolment_code_is_refused(app, client):
    kiosk, code = register_kiosk("Reception", "", None)
    kiosk.enrolment_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/kiosk/enrol/{code}").status_code == 404
    assert enrol_device(code) is None


def test_an_unregistered_browser_cannot_pose_as_a_kiosk(app, client):
    client.set_cookie(DEVICE_COOKIE, "made-up-token", domain="localhost")
    response = client.get("/kiosk")
    assert response.status_code == 403
    assert "app-kiosk" not in (page(response).body.get("class") or [])


def test_a_revoked_kiosk_is_a_kiosk_no_more(kiosk_client):
    assert kiosk_client.get("/kiosk").status_code == 200
    revoke_kiosk(kiosk_client.kiosk, None)
    assert kiosk_client.get("/kiosk").status_code == 403


def test_resident_pages_use_the_kiosk_layout_on_a_kiosk_only(kiosk_client, client, sample_content):
    on_kiosk = page(kiosk_client.get("/search?q=council+tax", follow_redirects=True))
    assert "app-kiosk" in on_kiosk.body["class"]
    assert on_kiosk.select_one(".govuk-footer") is None
    on_web = page(client.get("/search?q=council+tax"))
    assert "app-kiosk" not in (on_web.body.get("class") or [])


def test_a_case_made_at_a_kiosk_is_counted_as_a_kiosk_contact(kiosk_client):
    kiosk_client.post("/report/missed-bin")
    draft = rows(FormDraft)[0]
    assert draft.channel == "kiosk" and draft.kiosk_id == kiosk_client.kiosk.id
    draft.answers = {"bin": "green", "collection_date": "2026-11-20", "out_by_time": "yes"}
    draft.customer = {"name": "Kim", "email": "kim@example.org"}
    db.session.commit()
    case = submit(draft, default_catalogue().get("missed-bin"))
    assert case.channel == "kiosk"
    (contact,) = rows(Contact)
    assert (contact.channel, contact.kiosk_id, contact.case_id) == ("kiosk", kiosk_client.kiosk.id, case.id)
    assert rows(Case)[0].id == case.id
