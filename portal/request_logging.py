"""Structured logs (docs/deployment.md): one line per event on standard output, JSON by default, every line
written during a request carrying that request's id; and one access line per request with nothing personal
in it (no query string, no form body, no tokens from the path, no email address).

The request id comes from the X-Request-ID header when it looks like one (nginx sets it to $request_id),
else a new one is made; the response echoes it, so a resident's "something went wrong" can be matched to
the log lines of that very request."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
LOG_FORMATS = ("json", "text")
EMAIL_ADDRESS = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")

# URL arguments that are never secret nor personal; every other argument (tracking tokens, kiosk enrolment
# codes, photo names, anything added later) is logged as its name only: "/track/<token>".
SAFE_ARGUMENTS = frozenset({"slug", "lang", "fmt", "filename", "table", "step", "service_code", "reference"})
RULE_ARGUMENT = re.compile(r"<(?:[^>]*:)?(\w+)>")
QUIET_ENDPOINTS = frozenset({"main.check_health", "main.check_readiness"})  # load balancers poll them

access_log = logging.getLogger("portal.access")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record written while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g and not hasattr(record, "request_id"):
            record.request_id = g.request_id
        return True


class WerkzeugRequestLineFilter(logging.Filter):
    """The development server's own request lines carry query strings; the access line replaces them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and " - - [" in record.getMessage())


class PortalHandler(logging.StreamHandler):
    """Standard output, looked up when written to (never a stream closed since); marked as ours, so the
    logging is set up once per process however many applications are made."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.addFilter(WerkzeugRequestLineFilter())

    @property
    def stream(self):
        return sys.__stdout__ or sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def redact(text: str) -> str:
    """A safety net under every line: an email address (in an SMTP server's refusal, say) never reaches
    the logs."""
    return EMAIL_ADDRESS.sub("<email>", text)


class RedactingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingJsonFormatter(JsonFormatter):
    def process_log_record(self, log_data: dict) -> dict:
        return {key: redact(value) if isinstance(value, str) else value for key, value in log_data.items()}


def make_formatter(log_format: str = "json") -> logging.Formatter:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    if log_format == "text":
        return RedactingTextFormatter(
            "%(asctime)s %(levelname)s [%(name)s] [%(request_id)s] %(message)s", defaults={"request_id": "-"}
        )
    return RedactingJsonFormatter(
        ["levelname", "name", "message"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,  # ISO 8601 in UTC, to the microsecond
    )


def configure_logging(log_format: str = "json", level: str = "INFO") -> None:
    """Our handler on the root logger (added once, its format set each time) at `level`."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, PortalHandler)), None)
    if handler is None:
        handler = PortalHandler()
        root.addHandler(handler)
    handler.setFormatter(make_formatter(log_format))
    root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # seven lines a worker start


def init_app(app: Flask) -> None:
    """LOG_FORMAT json (the default) or text (the default only in Flask's debug mode); LOG_LEVEL INFO."""
    log_format = (app.config.get("LOG_FORMAT") or ("text" if app.debug else "json")).lower()
    configure_logging(log_format, (app.config.get("LOG_LEVEL") or "INFO").upper())
    # Registered first, so it runs before any other hook and its after_request last (the final status).
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.log_exception = _log_exception.__get__(app)  # Flask's own message would name the raw path


def _log_exception(app: Flask, exc_info) -> None:
    app.logger.error("Exception on %s %s", request.method, loggable_path(), exc_info=exc_info)


def request_id_from(header: str | None) -> str:
    """The incoming id when it is safe to write into logs and headers, else a new one."""
    if header and SAFE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def loggable_path() -> str:
    """The path as its route is written, with only the safe arguments filled in; a path no route matched
    is cut to its first segment (it may be anything a client typed)."""
    rule = request.url_rule
    if rule is None:
        first, _, rest = request.path.lstrip("/").partition("/")
        return f"/{first[:40]}" + ("/<unmatched>" if rest else "")
    values = request.view_args or {}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        return str(values[name]) if name in SAFE_ARGUMENTS and name in values else f"<{name}>"

    return RULE_ARGUMENT.sub(fill, rule.rule)


def _start_request() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    if "request_id" not in g:  # a hook that ran before ours answered early
        _start_request()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    path = loggable_path()
    status = response.status_code
    fields = {"method": request.method, "path": path, "status": status, "duration_ms": duration_ms}
    user = g.get("_login_user")  # only when the request loaded it: never an extra query
    if user is not None and getattr(user, "is_authenticated", False):
        fields["user_id"] = user.id
    level = logging.DEBUG if request.endpoint in QUIET_ENDPOINTS else logging.INFO
    access_log.log(level, "%s %s %s %.1f ms", request.method, path, status, duration_ms, extra=fields)
    return response
