"""The Open311 GeoReport v2 server at /open311/v2: thin views over intake, store and serialise.

Every resource answers in XML or JSON by its suffix. POST requests needs an api_key in the form body
(the blueprint is exempt from CSRF: the key authenticates it). The GETs need no key: without one they
answer about the request types the council publishes, with a partner's key about its own requests too
(store.Audience). Rate limits: portal/rate_limits.py; over a limit, a 429 in the error format."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for

from portal.db import utcnow
from portal.rate_limits import retry_after_seconds

from ..catalogue import default_catalogue
from ..configured import deliver_now, handoff_settings
from . import keys, serialise, store
from .intake import parse_query
from .serialise import Open311Error

open311 = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMAT = "<any(json, xml):fmt>"


def answer(fmt: str, root: str, payload: dict | list, status: int = 200) -> Response:
    if fmt == "xml":
        body = serialise.to_xml(root, payload)
        return Response(body, status, content_type=serialise.CONTENT_TYPES["xml"])
    response = current_app.json.response(payload)
    response.status_code = status
    response.content_type = serialise.CONTENT_TYPES["json"]
    return response


@open311.errorhandler(Open311Error)
def open311_error(error: Open311Error) -> Response:
    fmt = (request.view_args or {}).get("fmt") or ("xml" if request.path.endswith(".xml") else "json")
    return answer(fmt, "errors", serialise.error_list(error), error.status)


@open311.errorhandler(429)
def too_many_requests(_error) -> Response:
    seconds = retry_after_seconds()
    error = Open311Error(429, f"Too many requests: wait {seconds} seconds, then try again")
    response = open311_error(error)
    response.headers["Retry-After"] = str(seconds)
    return response


def api_key_sent() -> str | None:
    """POST: the form body only (a URL ends up in logs). GET: the X-Api-Key header, else ?api_key=."""
    if request.method == "POST":
        return request.form.get("api_key")
    return request.headers.get("X-Api-Key") or request.args.get("api_key")


def audience() -> store.Audience:
    """Who is asking; a key that is sent must be live (a mistyped key would quietly show less)."""
    sent = api_key_sent()
    api_key = keys.check_key(sent)
    if sent and api_key is None:
        raise Open311Error(403, "api_key is unknown or revoked: ask the council for a key, or send none")
    public = frozenset(current_app.config.get("OPEN311_PUBLIC_SERVICE_CODES", ()))
    return store.Audience(public, api_key.name if api_key else None)


@open311.get(f"/discovery.{FORMAT}")
def discovery(fmt: str) -> Response:
    config = current_app.config
    base = url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0]
    contact = f"{config.get('COUNCIL_NAME', '')}: {config.get('COUNCIL_EMAIL', '')}"
    key_service = f"Ask {config.get('COUNCIL_EMAIL', 'the council')} for an API key"
    return answer(fmt, "discovery", serialise.discovery(base, contact, key_service))


@open311.get(f"/services.{FORMAT}")
def services(fmt: str) -> Response:
    return answer(fmt, "services", serialise.services(default_catalogue()))


@open311.get(f"/services/<service_code>.{FORMAT}")
def service_definition(service_code: str, fmt: str) -> Response:
    request_type = store.request_type_for(service_code, default_catalogue())
    return answer(fmt, "service_definition", serialise.service_definition(request_type))


@open311.post(f"/requests.{FORMAT}")
def create_request(fmt: str) -> Response:
    api_key = keys.check_key(api_key_sent())
    if api_key is None:
        raise Open311Error(403, "api_key is missing, unknown or revoked: ask the council for a key")
    form = request.form.to_dict(flat=False)
    settings = handoff_settings(current_app.config)
    case, request_type = store.create_request(form, api_key.name, default_catalogue(), settings)
    deliver_now(case.id, current_app.config)
    return answer(fmt, "service_requests", serialise.created(case, request_type))


@open311.get(f"/requests.{FORMAT}")
def list_requests(fmt: str) -> Response:
    asker = audience()
    cases = store.find_requests(parse_query(request.args, utcnow()), asker)
    return answer(fmt, "service_requests", [_service_request(case, asker) for case in cases])


@open311.get(f"/requests/<service_request_id>.{FORMAT}")
def show_request(service_request_id: str, fmt: str) -> Response:
    asker = audience()
    case = store.find_request(service_request_id, asker)
    if case is None:  # unknown, or not the asker's to see: the same answer
        raise Open311Error(404, f"service_request_id {service_request_id} was not found")
    return answer(fmt, "service_requests", [_service_request(case, asker)])


@open311.get(f"/tokens/<token>.{FORMAT}")
def token(token: str, fmt: str) -> Response:
    case = store.find_by_token(token)
    if case is None:
        raise Open311Error(404, "token was not found")
    return answer(fmt, "service_requests", serialise.token_answer(case, token))


@open311.route("/<path:unknown>", methods=["GET", "POST"])
def unknown(unknown: str) -> Response:
    raise Open311Error(404, f"{unknown} is not an Open311 GeoReport v2 resource here (.json or .xml)")


def _service_request(case, asker: store.Audience) -> dict:
    request_type = default_catalogue().get(case.request_type)
    return serialise.service_request(case, request_type, with_details=asker.sent(case))
