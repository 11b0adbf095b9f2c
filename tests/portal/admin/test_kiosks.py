"""Admins register reception kiosks: name and location, a one-time enrolment address (with a QR code)
shown once, a new address for a replaced device, and revoking a kiosk at once."""

from __future__ import annotations

from urllib.parse import urlsplit

from crm_bridge.audit import AuditEvent
from kiosk.device import DEVICE_COOKIE
from kiosk.models import Kiosk
from kiosk.registry import register_kiosk
from tests.portal.helpers import assert_well_formed, count, page, rows, text


def _enrolment_path(response) -> str:
    return urlsplit(text(page(response).find(id="enrolment-address"))).path


def test_admins_see_every_kiosk_with_its_status(staff_client, create_kiosk):
    client, _admin = staff_client("admin")
    create_kiosk("Reception kiosk 1", "Reception, council offices")
    register_kiosk("Library kiosk", "Central library", None)

    response = client.get("/staff/admin/kiosks")

    assert assert_well_formed(response, 200) == "Kiosks"
    table = [text(row) for row in page(response).select("tbody tr")]
    assert "Library kiosk Central library Waiting to be enrolled" in table[0]
    assert "Reception kiosk 1 Reception, council offices Active" in table[1]
    navigation = [text(link) for link in page(response).select(".govuk-service-navigation__link")]
    assert "Kiosks" in navigation


def test_registering_a_kiosk_shows_its_enrolment_address_once(app, staff_client):
    client, admin = staff_client("admin")
    assert assert_well_formed(client.get("/staff/admin/kiosks/new"), 200) == "Register a kiosk"

    response = client.post("/staff/admin/kiosks/new", data={"name": "Reception kiosk 2", "location": "Foyer"})

    assert assert_well_formed(response, 200) == "Kiosk registered: Reception kiosk 2"
    soup = page(response)
    address = text(soup.find(id="enrolment-address"))
    assert address.startswith("http://localhost/kiosk/enrol/")
    qr = soup.select_one(".app-kiosk-enrolment__qr svg")
    assert qr is not None and qr["role"] == "img" and qr.find("title") is not None
    (kiosk,) = rows(Kiosk)
    assert (kiosk.name, kiosk.location, kiosk.created_by_id) == ("Reception kiosk 2", "Foyer", admin.id)
    assert address.rsplit("/", 1)[1] not in (kiosk.enrolment_code_hash, kiosk.token_hash)
    (event,) = rows(AuditEvent)
    assert (event.action, event.object_type, event.actor_id) == ("create", "kiosk", admin.id)
    assert "Reception kiosk 2" not in str(event.detail)

    device = app.test_client()
    assert device.get(urlsplit(address).path).status_code == 302
    assert device.get_cookie(DEVICE_COOKIE) is not None
    assert device.get("/kiosk").status_code == 200
    assert address.rsplit("/", 1)[1] not in client.get("/staff/admin/kiosks").get_data(as_text=True)


def test_a_kiosk_needs_a_name_and_a_name_of_its_own(staff_client, create_kiosk):
    client, _admin = staff_client("admin")
    create_kiosk("Reception")

    missing = client.post("/staff/admin/kiosks/new", data={"name": " ", "location": "Foyer"})
    taken = client.post("/staff/admin/kiosks/new", data={"name": "reception", "location": "Upstairs"})

    assert assert_well_formed(missing, 422) == "Register a kiosk"
    assert text(page(missing).select_one(".govuk-error-summary")).endswith("Enter a name for the kiosk")
    assert page(missing).find(id="location")["value"] == "Foyer"
    assert assert_well_formed(taken, 422) == "Register a kiosk"
    group = page(taken).find(id="name").find_parent(class_="govuk-form-group")
    assert "A kiosk with this name already exists" in text(group.find(class_="govuk-error-message"))
    assert page(taken).find(id="location")["value"] == "Upstairs"
    assert count(Kiosk) == 1


def test_a_new_enrolment_address_replaces_the_device(app, staff_client, create_kiosk):
    client, admin = staff_client("admin")
    kiosk, token = create_kiosk("Reception")
    old_device = app.test_client()
    old_device.set_cookie(DEVICE_COOKIE, token, domain="localhost")
    assert old_device.get("/kiosk").status_code == 200

    response = client.post(f"/staff/admin/kiosks/{kiosk.id}/renew-enrolment")

    assert assert_well_formed(response, 200) == "New enrolment address for Reception"
    assert old_device.get("/kiosk").status_code == 403
    new_device = app.test_client()
    new_device.get(_enrolment_path(response))
    assert new_device.get("/kiosk").status_code == 200
    actions = [(e.action, e.detail.get("change")) for e in rows(AuditEvent) if e.actor_id == admin.id]
    assert actions == [("update", "enrolment")]


def test_revoking_a_kiosk_stops_it_at_once(app, staff_client, create_kiosk):
    client, admin = staff_client("admin")
    kiosk, token = create_kiosk("Reception")
    device = app.test_client()
    device.set_cookie(DEVICE_COOKIE, token, domain="localhost")

    response = client.post(f"/staff/admin/kiosks/{kiosk.id}/revoke")

    assert response.status_code == 302 and response.location == "/staff/admin/kiosks"
    listing = client.get("/staff/admin/kiosks")
    assert "Reception is no longer a kiosk" in text(page(listing).select_one(".govuk-notification-banner"))
    assert "Revoked" in text(page(listing).select_one("tbody tr"))
    assert device.get("/kiosk").status_code == 403
    assert [(e.action, e.detail.get("change")) for e in rows(AuditEvent) if e.actor_id == admin.id] == [
        ("update", "revoked")
    ]


def test_only_admins_manage_kiosks(staff_client, create_kiosk):
    kiosk, _token = create_kiosk("Reception")
    for role in ("advisor", "manager", "service_officer", "kb_editor"):
        client, _user = staff_client(role)
        assert client.get("/staff/admin/kiosks").status_code == 403, role
        assert client.post("/staff/admin/kiosks/new", data={"name": "Mine"}).status_code == 403, role
        assert client.post(f"/staff/admin/kiosks/{kiosk.id}/revoke").status_code == 403, role
        home = page(client.get("/staff/", follow_redirects=True))
        nav = [text(link) for link in home.select(".govuk-service-navigation__link")]
        assert nav, role
        assert "Kiosks" not in nav, role
    assert rows(Kiosk)[0].active and count(Kiosk) == 1


def test_an_unknown_kiosk_is_not_found(staff_client):
    client, _admin = staff_client("admin")

    assert client.post("/staff/admin/kiosks/999/revoke").status_code == 404
    assert client.post("/staff/admin/kiosks/999/renew-enrolment").status_code == 404
