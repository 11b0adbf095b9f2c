"""Residents sending the missed-bin e-form through the real pages, for the fault benchmark (bench/faults.py).

Unlike the load benchmark's residents (bench/residents.py), these persist: a page that fails because the
server was killed (connection refused or dropped) or answered 5xx is tried again, from its GET, as a
person would press the button again, until the form is sent and the confirmation page shows the
reference. Each resident has its own aiohttp session and cookie jar (its own Flask session and CSRF
token) and a marker in the details, unique to it, by which the benchmark finds its case afterwards."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import aiohttp

CODE = "missed-bin"
CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
REFERENCE = re.compile(r"<strong[^>]*>([A-Z]+-\d{2}-\d{6})</strong>")
RETRY_PAUSE_S = 0.3
REQUEST_TIMEOUT_S = 60
GIVE_UP_AFTER_S = 180  # a resident still failing after this long is reported, not retried for ever


class GaveUp(Exception):
    pass


@dataclass
class Tally:
    """What every resident of a burst shares."""

    url: str
    acknowledged: int = 0
    connection_errors: int = 0  # refused, reset or dropped: the server was down or killed mid-request
    server_errors: list[tuple[str, int]] = field(default_factory=list)  # (path, status)
    in_flight: dict[int, str] = field(default_factory=dict)  # resident -> "METHOD path" outstanding now


@dataclass
class Resident:
    number: int
    tag: str  # the run's tag: markers, emails and phone numbers differ between runs
    reference: str | None = None
    interrupted_pages: int = 0
    submit_interrupted: bool = False  # the send itself failed at least once and was pressed again
    submit_seconds: float | None = None  # pressing "send" to the confirmation page, the last try
    gave_up: str | None = None

    @property
    def marker(self) -> str:
        return f"faults-{self.tag}-{self.number:04d}"

    @property
    def email(self) -> str:
        return f"resident{self.number}.{self.tag}@example.org"

    @property
    def answers(self) -> dict[str, str]:
        return {"bin": "blue", "collection_date": self.collection_date.isoformat(), "out_by_time": "yes"}

    @property
    def collection_date(self) -> date:
        return date.today() - timedelta(days=2)

    def fields(self, step: str) -> list[tuple[str, str]]:
        if step == "questions":
            day = self.collection_date
            dates = [("collection_date", str(part)) for part in (day.day, day.month, day.year)]
            return [
                ("bin", "blue"),
                *dates,
                ("out_by_time", "yes"),
                ("details", f"{self.marker} Bin left out."),
            ]
        if step == "location":
            return [("address", f"{self.number} Station Road, Northdale"), ("postcode", "ND1 2AB")]
        if step == "your-details":
            phone = f"01632 96{self.number % 10000:04d}"
            return [
                ("name", f"Resident {self.number}"),
                ("email", self.email),
                ("phone", phone),
                ("preferred_contact", "email"),
                ("address", ""),
                ("interpreter", "no"),
            ]
        return []  # the photos page: none added


class Visit:
    """One resident's way through the form, pressing again whatever failed."""

    def __init__(self, resident: Resident, tally: Tally, http: aiohttp.ClientSession):
        self.resident, self.tally, self.http = resident, tally, http
        self.deadline = time.monotonic() + GIVE_UP_AFTER_S

    async def send_form(self) -> None:
        location = await self.page(f"/report/{CODE}")
        for _ in range(10):
            if location.endswith(("/check-answers", "/confirmation")):
                break
            location = await self.page(location, self.resident.fields(location.rsplit("/", 1)[-1]))
        if location.endswith("/check-answers"):
            location = await self.page(location, submit=True)
        _status, body, _ = await self.call("GET", location)
        found = REFERENCE.search(body)
        if found is None:
            raise GaveUp(f"no reference on {location}")
        self.resident.reference = found.group(1)
        self.tally.acknowledged += 1

    async def page(self, path: str, fields: list | None = None, submit: bool = False) -> str:
        """GET the page for its CSRF token, POST it; where it leads. Any failure: the whole page again."""
        while True:
            status, body, location = await self.call("GET", path)
            if status == 302:
                return location  # sent already (the confirmation), or a page not yet reachable
            token = CSRF_FIELD.search(body)
            if status != 200 or token is None:
                raise GaveUp(f"GET {path}: {status}")
            started = time.perf_counter()
            data = [("csrf_token", token.group(1)), *(fields or [])]
            status, body, location = await self.call("POST", path, data, once=True)
            if status == 302:
                if submit:
                    self.resident.submit_seconds = time.perf_counter() - started
                return location
            if status == 0:  # the request failed: press again
                self.resident.submit_interrupted |= submit
                self.resident.interrupted_pages += 1
                continue
            raise GaveUp(f"POST {path}: {status} {body[:200]}")

    async def call(self, method: str, path: str, data=None, once: bool = False) -> tuple[int, str, str]:
        """(status, body, the path redirected to); a GET is repeated until it gets an answer that is not
        5xx; `once`: a failed request returns status 0 for the caller to decide."""
        while True:
            if time.monotonic() > self.deadline:
                raise GaveUp(f"{method} {path}: still failing after {GIVE_UP_AFTER_S} s")
            self.tally.in_flight[self.resident.number] = f"{method} {path}"
            try:
                async with self.http.request(
                    method, self.tally.url + path, data=data, allow_redirects=False
                ) as response:
                    body = await response.text()
                    status, location = response.status, response.headers.get("Location", "")
            except (aiohttp.ClientError, TimeoutError):
                self.tally.connection_errors += 1
                status, body, location = 0, "", ""
            finally:
                self.tally.in_flight.pop(self.resident.number, None)
            if status >= 500:
                self.tally.server_errors.append((path, status))
                status = 0
            if status or once:
                return status, body, location.removeprefix(self.tally.url)
            await asyncio.sleep(RETRY_PAUSE_S)


async def send_forms(residents: list[Resident], tally: Tally, concurrency: int) -> None:
    """Every resident sends the form, at most `concurrency` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(resident: Resident) -> None:
        async with (
            gate,
            aiohttp.ClientSession(
                cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: keep cookies from an IP address
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
            ) as http,
        ):
            try:
                await Visit(resident, tally, http).send_form()
            except GaveUp as reason:
                resident.gave_up = str(reason)

    await asyncio.gather(*(one(resident) for resident in residents))
