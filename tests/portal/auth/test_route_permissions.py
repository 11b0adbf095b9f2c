"""The route table, walked with every role: no staff route is unguarded, none lets in a role it should not.

Generic on purpose: it reads `app.url_map`, so every route any blueprint adds is checked without being
listed here. A route whose URL takes an argument this file does not know fails with a message saying
where to add it (WORLD below)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.routing.converters import AnyConverter

from crm_bridge.models import Attachment, Contact, Customer
from crm_bridge.photos import store_photo
from crm_bridge.staff.roles import Permission, Role, role_permissions
from kiosk import visits as kiosk_visits
from kiosk.registry import register_kiosk
from portal.auth.access import access_of
from portal.db import db
from tests.conftest import sign_in_as

# Blueprints residents (and partner apps, and the kiosk) use: outside /staff, no sign-in.
RESIDENT_BLUEPRINTS = {"main", "search", "api", "articles", "chat", "eforms", "tracking", "open311", "kiosk",
                       "reception", "performance", "satisfaction"}  # fmt: skip
OPEN = "open"
SIGNED_IN = "signed_in"
ANONYMOUS = "anonymous"


def staff_rules(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")), key=lambda r: r.rule
    )


def test_every_staff_route_carries_an_access_marker(app):
    unmarked = [
        rule.endpoint for rule in staff_rules(app) if access_of(app.view_functions[rule.endpoint]) is None
    ]

    assert unmarked == [], (
        "staff views without @permission_required / @signed_in_required / @open_to_everyone "
        f"(from portal.auth.access): {unmarked}"
    )


def test_every_staff_blueprint_is_guarded_as_a_whole(app):
    blueprints = {rule.endpoint.partition(".")[0] for rule in staff_rules(app) if "." in rule.endpoint}
    unguarded = [
        name
        for name in sorted(blueprints)
        if "_refuse_unmarked_views" not in [f.__name__ for f in app.before_request_funcs.get(name, [])]
    ]

    assert unguarded == [], (
        f"call portal.auth.access.guard_staff_blueprint() on these blueprints: {unguarded}"
    )
    assert all(rule.endpoint != "static" for rule in staff_rules(app))


def test_every_other_route_belongs_to_a_resident_blueprint(app):
    strangers = sorted(
        {
            f"{rule.endpoint.partition('.')[0]} ({rule.rule})"
            for rule in app.url_map.iter_rules()
            if not rule.rule.startswith("/staff")
            and rule.endpoint != "static"
            and rule.endpoint.partition(".")[0] not in RESIDENT_BLUEPRINTS
        }
    )

    assert strangers == [], (
        "routes outside /staff from a blueprint that is neither a staff blueprint (put it under /staff and "
        "guard it) nor a known resident blueprint (add it to RESIDENT_BLUEPRINTS in this test if residents "
        f"really should reach it without signing in): {strangers}"
    )


def test_the_walk_covers_the_staff_areas(app):
    endpoints = {rule.endpoint for rule in staff_rules(app)}

    assert {"auth.sign_in", "auth.sign_out", "admin.list_users", "admin.show_audit_log"} <= endpoints


def _tiny_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def world(app, create_case, create_staff, create_article):
    """One of everything, twice where a service officer's scope matters: `inside` is in the officer's
    service group (environment), `outside` is not (parking). Values by URL argument name."""
    inside = create_case(request_type="missed-bin")
    outside = create_case(
        request_type="parking-permit",
        answers={"registration": "AB12 CDE", "vehicle_number": "first"},
        customer=None,
    )
    folder = Path(app.config.get("UPLOAD_FOLDER") or Path(app.instance_path) / "uploads")
    for case in (inside, outside):
        photo = store_photo(_tiny_jpeg(), folder)
        db.session.add(
            Attachment(
                case=case, stored_name=photo.stored_name, content_type=photo.content_type, size=photo.size
            )
        )
    db.session.commit()
    target = create_staff("advisor", name="Target Of Admin Actions")
    article = create_article(slug="walked-article")
    kiosk, _code = register_kiosk("Walked kiosk", "Reception", None)
    check_in = kiosk_visits.check_in(kiosk.id, "general", "Walked visitor", "en")
    other_customer = Customer(name="Other Customer", email="other@example.org")
    db.session.add(other_customer)
    db.session.commit()

    def values(case) -> dict:
        contact = db.session.scalar(db.select(Contact).where(Contact.case_id == case.id))
        return {
            "reference": case.reference,
            "customer_id": inside.customer_id,
            "other_id": other_customer.id,
            "user_id": target.id,
            "slug": article.slug,
            "lang": "en",
            "attachment_id": case.attachments[0].id,
            "contact_id": contact.id if contact else 1,
            "event_id": case.events[0].id,
            "fmt": "json",
            "kiosk_id": kiosk.id,
            "check_in_id": check_in.id,
            "table": "channels",
        }

    return {"inside": values(inside), "outside": values(outside)}


def _arguments(rule, values: dict) -> dict:
    unknown = sorted(rule.arguments - set(values))
    if unknown:
        pytest.fail(
            f"{rule.endpoint} ({rule.rule}) takes URL arguments {unknown} this test does not know: use the "
            "agreed names (reference, customer_id, other_id, user_id, slug, lang, attachment_id, contact_id, "
            "event_id, fmt) or add a value to the `world` fixture in "
            "tests/portal/auth/test_route_permissions.py",
            pytrace=False,
        )
    arguments = {name: values[name] for name in rule.arguments}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter) and arguments[name] not in converter.items:
            arguments[name] = sorted(converter.items)[0]
    return arguments


def _request(app, user, rule, values):
    """GET for rules that answer GET, POST for POST-only rules: a fresh client each time, signed in as
    `user` (a POST such as sign-out must not change what the next request sees)."""
    client = app.test_client()
    if user is not None:
        sign_in_as(client, user)
    url = app.url_for(rule.endpoint, **_arguments(rule, values))
    method = "get" if "GET" in rule.methods else "post"
    try:
        return getattr(client, method)(url), method.upper(), url
    except Exception as error:  # a route that crashes is reported with the others, by name
        return error, method.upper(), url


def _walk(app, user, values) -> list[tuple]:
    return [(rule, *_request(app, user, rule, values)) for rule in staff_rules(app)]


def _expected(access, role: str) -> str:
    if access == OPEN:
        return "allowed"
    if role == ANONYMOUS:
        return "sign-in"
    if access == SIGNED_IN or access in role_permissions(role):
        return "allowed"
    return "403"


def _problem(response, expected: str) -> str | None:
    if isinstance(response, Exception):
        return f"raised {type(response).__name__}: {response}"
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if expected == "403" and status != 403:
        return f"answered {status}, expected 403"
    if expected == "allowed" and status == 403:
        return "answered 403, expected access"
    if expected == "sign-in" and not (status == 302 and response.location.startswith("/staff/sign-in")):
        return f"answered {status} {response.location or ''}, expected a redirect to sign in"
    return None


@pytest.mark.parametrize("role", [ANONYMOUS, *[role.value for role in Role]])
def test_each_role_reaches_exactly_the_routes_its_permissions_allow(app, create_staff, world, role):
    user = None if role == ANONYMOUS else create_staff(role)

    problems = []
    for rule, response, method, url in _walk(app, user, world["inside"]):
        access = access_of(app.view_functions[rule.endpoint])
        problem = _problem(response, _expected(access, role))
        if problem:
            problems.append(f"{role}: {method} {url} ({rule.endpoint}, needs {access}) {problem}")

    assert problems == [], "\n".join(problems)


def test_service_officer_cannot_reach_cases_outside_their_groups(app, create_staff, world):
    officer = create_staff("service_officer", service_groups=["environment"])
    case_rules = [rule for rule in staff_rules(app) if "reference" in rule.arguments]

    problems = []
    for rule in case_rules:
        access = access_of(app.view_functions[rule.endpoint])
        if isinstance(access, Permission) and not officer.can(access):
            continue
        outside, method, url = _request(app, officer, rule, world["outside"])
        if isinstance(outside, Exception) or outside.status_code != 404:
            problems.append(f"{method} {url} ({rule.endpoint}): {getattr(outside, 'status_code', outside)}, "
                            "expected 404 for a case outside the officer's service groups")  # fmt: skip
        inside, method, url = _request(app, officer, rule, world["inside"])
        if isinstance(inside, Exception) or inside.status_code in (403, 404) or inside.status_code >= 500:
            problems.append(f"{method} {url} ({rule.endpoint}): {getattr(inside, 'status_code', inside)}, "
                            "expected access to a case in the officer's service group")  # fmt: skip

    assert problems == [], "\n".join(problems)


def test_the_case_lists_leave_out_cases_outside_an_officers_groups(app, create_staff, world):
    officer = create_staff("service_officer", service_groups=["environment"])
    client = app.test_client()
    sign_in_as(client, officer)

    listing = client.get("/staff/cases").get_data(as_text=True)

    assert world["inside"]["reference"] in listing
    assert world["outside"]["reference"] not in listing
