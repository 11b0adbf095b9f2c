"""Simulated residents for the load benchmark (bench/load.py), run as a process of its own.

Run by bench.load; by hand:  .venv/bin/python -m bench.residents --url http://127.0.0.1:8000 --out run.json

Each resident is an asyncio task with its own aiohttp session and cookie jar (so its own Flask session and
CSRF token), making the requests a browser makes on the real pages, redirects followed by hand so that each
request is timed on its own:
- searching: the home page, then search as you type (the htmx partial `GET /search?q=…` with the headers
  htmx sends, one per pause in typing), or the whole results page; then perhaps the best article;
- chatting: the assistant's page, a question (an htmx POST), then "yes" or "no" to the answer offered;
- reporting: a missed bin, a complaint or fly-tipping, every page from the start page to the confirmation,
  answers drawn at random from the real catalogue (crm_bridge/data/request-types.yaml), the free-text
  details carrying a marker unique to the submission so that bench.load can find the case afterwards.
Between actions and pages a resident thinks for a random time (--think, 0.5 to 2 s by default).

Writes JSON: every request (operation, start, milliseconds, status or error) and every submission (what
was sent, how far it got, the reference the confirmation page showed)."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import aiohttp

from bench.latency import load_source, make_queries
from crm_bridge.catalogue import RequestType, default_catalogue
from portal.eforms.steps import find_step, plan

ACTIONS = {"search": 0.5, "chat": 0.25, "form": 0.25}
FORMS = {"missed-bin": 0.4, "complaint": 0.3, "fly-tipping": 0.3}
TIMEOUT_S = 30
CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
REFERENCE = re.compile(r"govuk-panel__body\">[^<]*<br><strong>([^<]+)</strong>")
ARTICLE = re.compile(r'<a class="govuk-link" href="(/articles/[^"]+)"')
REPLY = re.compile(
    r'name="message_id" value="(\d+)">\s*<input type="hidden" name="answered" value="(yes|no)">'
    r'\s*<input type="hidden" name="slug" value="([^"]*)">'
)
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class Finished(Exception):
    """The run is over: no new request is started."""


class Failed(Exception):
    """A request failed (recorded); the resident gives up this action and moves on."""


class Run:
    """What every resident shares: the clock, the queries, and what is recorded."""

    def __init__(self, args: argparse.Namespace):
        self.url = args.url.rstrip("/")
        self.run_id, self.phones = args.run_id, args.phones
        self.think = tuple(float(value) for value in args.think.split(","))
        self.queries = make_queries(load_source(), 330)
        self.catalogue = default_catalogue()
        self.samples: list[tuple[str, float, float, int | str]] = []
        self.errors: list[dict] = []
        self.submissions: list[dict] = []
        self.started = time.perf_counter()
        self.deadline = self.started + args.duration

    def over(self) -> bool:
        return time.perf_counter() >= self.deadline

    def record(self, op: str, started: float, outcome: int | str) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.samples.append((op, round(started - self.started, 4), round(elapsed_ms, 3), outcome))


def _first(pattern: re.Pattern, text: str) -> str:
    """What the page holds (a CSRF token, the reference): a page without it is a failure, recorded."""
    found = pattern.search(text)
    if found is None:
        raise Missing(pattern.pattern[:40])
    return found.group(1)


class Missing(Failed):
    """A page lacks what a resident needs from it."""


class Resident:
    def __init__(self, number: int, run: Run, http: aiohttp.ClientSession, seed: int):
        self.number, self.run, self.http = number, run, http
        self.rng = random.Random(seed * 100_003 + number)
        self.submitted = 0
        self.trace = SimpleNamespace(connection="")  # "new" or "reused", set by the tracing below
        self.last_done = 0.0

    async def live(self, ramp_s: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, ramp_s))  # residents arrive over the first seconds
        actions = {"search": self.search, "chat": self.chat, "form": self.report}
        while not self.run.over():
            action = self.rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
            try:
                await actions[action]()
                await self.pause()
            except Missing as missing:
                self.run.errors.append({"op": action, "outcome": f"page without {missing}"})
                await self.pause()
            except Failed:
                await self.pause()
            except Finished:
                return

    async def pause(self, low: float | None = None, high: float | None = None) -> None:
        low = self.run.think[0] if low is None else low
        high = self.run.think[-1] if high is None else high
        await asyncio.sleep(self.rng.uniform(low, high))

    async def call(self, op, method, path, *, data=None, headers=None, expect=(200,), late=False):
        """One request, timed and recorded; (body, the path redirected to). Raises Failed, or Finished
        when the run is over (unless `late`: a form sent is followed to its confirmation)."""
        if self.run.over() and not late:
            raise Finished
        if isinstance(data, dict):
            data = list(data.items())
        started = time.perf_counter()
        try:
            async with self.http.request(
                method,
                self.run.url + path,
                data=data,
                headers=headers,
                allow_redirects=False,
                trace_request_ctx=self.trace,
            ) as response:
                body = await response.text()
                status, location = response.status, response.headers.get("Location", "")
        except TimeoutError:
            self._failed(op, started, path, "timeout")
        except aiohttp.ClientError as error:
            self._failed(op, started, path, type(error).__name__, str(error))
        self.run.record(op, started, status)
        self.last_done = time.perf_counter()
        if status not in expect:
            self._failed(op, None, path, status, body)
        target = urlsplit(location)
        return body, target.path + (f"?{target.query}" if target.query else "")

    def _failed(self, op, started, path, outcome, body: str = ""):
        error = {"op": op, "path": path, "outcome": outcome, "body": body[:300]}
        if started is not None:
            self.run.record(op, started, outcome)
            # For a broken connection: was it new or kept alive, and idle for how long before
            error.update(
                at=round(started - self.run.started, 2),
                connection=self.trace.connection,
                idle=round(started - self.last_done, 2),
            )
        self.last_done = time.perf_counter()
        self.run.errors.append(error)
        raise Failed

    # Searching

    async def search(self) -> None:
        query = self.rng.choice(self.run.queries)
        if self.rng.random() < 0.7:
            body = await self.type_query(query)
        else:  # a link from elsewhere, or no JavaScript: the whole results page
            body, _ = await self.call("search page", "GET", "/search?" + urlencode({"q": query}))
        links = ARTICLE.findall(body)
        if links and self.rng.random() < 0.4:
            await self.pause()
            await self.call("article", "GET", links[0])

    async def type_query(self, query: str) -> str:
        """The home page, then the htmx requests its search box makes: one each time typing pauses for
        300 ms (hx-trigger "input changed delay:300ms"), the last for the whole query."""
        home, _ = await self.call("home page", "GET", "/")
        token = _first(CSRF_META, home)
        words = query.split()
        pauses = sorted(self.rng.sample(range(1, len(words)), min(len(words) - 1, self.rng.randint(0, 2))))
        body = ""
        for end in [*pauses, len(words)]:
            await self.pause(0.3, 0.8)  # typing, then the 300 ms htmx waits for
            partial = "/search?" + urlencode({"q": " ".join(words[:end])})
            headers = {
                "HX-Request": "true",
                "HX-Current-URL": self.run.url + "/",
                "HX-Target": "search-results",
                "X-CSRFToken": token,
            }
            body, _ = await self.call("search as you type", "GET", partial, headers=headers)
        return body

    # Chatting

    async def chat(self) -> None:
        page, _ = await self.call("chat page", "GET", "/ask")
        token = _first(CSRF_FIELD, page)
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": self.run.url + "/ask",
            "HX-Target": "conversation",
            "X-CSRFToken": _first(CSRF_META, page),
        }
        for _question in range(1 + (self.rng.random() < 0.3)):
            await self.pause()
            question = {"csrf_token": token, "question": self.rng.choice(self.run.queries)}
            body, _ = await self.call("chat question", "POST", "/ask", data=question, headers=headers)
            replies = REPLY.findall(body)
            if not replies:
                continue
            await self.pause()
            answered = "yes" if self.rng.random() < 0.6 else "no"
            message_id, answered, slug = next((r for r in replies if r[1] == answered), replies[0])
            data = {"csrf_token": token, "message_id": message_id, "answered": answered, "slug": slug}
            await self.call("chat reply", "POST", "/ask/reply", data=data, headers=headers)

    # Reporting

    async def report(self) -> None:
        code = self.rng.choices(list(FORMS), weights=list(FORMS.values()))[0]
        request_type = self.run.catalogue.get(code)
        self.submitted += 1
        sent = self.answers_for(request_type)
        start, _ = await self.call("form page", "GET", f"/report/{code}")
        await self.pause()
        token = _first(CSRF_FIELD, start)
        _, location = await self.call(
            "form start", "POST", f"/report/{code}", data={"csrf_token": token}, expect=(302,)
        )
        steps = plan(request_type, sent["answers"])
        for _page in range(len(steps)):
            if location.endswith("/check-answers"):
                break
            page, _ = await self.call("form page", "GET", location)
            await self.pause()
            fields = self.fields(request_type, steps, location, sent)
            data = [("csrf_token", _first(CSRF_FIELD, page)), *fields]
            _, location = await self.call("form step", "POST", location, data=data, expect=(302,))
        check, _ = await self.call("form page", "GET", f"/report/{code}/check-answers")
        await self.pause()
        token = _first(CSRF_FIELD, check)
        if self.run.over():
            raise Finished
        submission = {**sent, "state": "sent", "reference": None}
        self.run.submissions.append(submission)
        await self.call(
            "form submission", "POST", f"/report/{code}/check-answers",
            data={"csrf_token": token}, expect=(302,), late=True,
        )  # fmt: skip
        submission["state"] = "handed off"
        confirmation, _ = await self.call("confirmation", "GET", f"/report/{code}/confirmation", late=True)
        submission["reference"] = _first(REFERENCE, confirmation)
        submission["state"] = "acknowledged"

    def answers_for(self, request_type: RequestType) -> dict:
        """What this resident sends: valid answers to every question that applies, the details with
        the submission's marker, the place, and who they are."""
        marker = f"load-{self.run.run_id}-{self.number}-{self.submitted}"
        given: dict = {}
        for question in request_type.questions:  # conditions look backwards, so in order
            if question.applies(given):
                value = self.answer(question)
                given[question.code] = value.isoformat() if isinstance(value, date) else value
        location = None
        if request_type.location != "none":
            postcode = f"ND{self.rng.randint(1, 9)} {self.rng.randint(1, 9)}{self.rng.choice(LETTERS)}"
            postcode += self.rng.choice(LETTERS)
            address = f"{self.rng.randint(1, 200)} Station Road, Northdale"
            location = {"address": address, "postcode": postcode}
        return {
            "marker": marker,
            "resident": self.number,
            "code": request_type.code,
            "answers": given,  # what the case must hold: every answer that applies, dates as ISO text
            "details": f"{marker} It happened again this week; please sort it out.",
            "location": location,
            "customer": {
                "name": f"Resident {self.number}",
                "email": f"resident{self.number}.{self.run.run_id}@example.com",
                # Customers are matched on email or phone: a number of one's own (Ofcom's drama numbers)
                "phone": f"{self.run.phones} {self.number:03d}" if self.number < 1000 else "",
            },
        }

    def answer(self, question):
        if question.type in ("choice", "yes_no"):
            values = [value for value, _ in question.choices] or ["yes", "no"]
            return self.rng.choice(values)
        if question.type == "date":
            return date.today() - timedelta(days=self.rng.randint(1, 20))
        if not question.required and self.rng.random() < 0.3:
            return ""
        return f"Answer {self.rng.randint(1, 9999)}"[: question.max_length]

    def fields(self, request_type: RequestType, steps, location: str, sent: dict) -> list[tuple[str, str]]:
        """The fields of one page, as pairs: a date is three boxes of the same name."""
        step = find_step(steps, location.rstrip("/").rsplit("/", 1)[-1])
        if step is None:
            self.run.errors.append({"op": "form step", "path": location, "outcome": "unexpected page"})
            raise Failed
        if step.kind == "location":
            return list(sent["location"].items())
        if step.kind == "photos":
            return []
        if step.kind == "details":
            details = {**sent["customer"], "preferred_contact": "email", "address": "", "interpreter": "no"}
            return list(details.items())
        fields: list[tuple[str, str]] = []
        for question in step.questions:
            value = sent["answers"][question.code]
            if question.type == "date":
                day = date.fromisoformat(value)
                fields += [(question.code, str(part)) for part in (day.day, day.month, day.year)]
            else:
                fields.append((question.code, value))
        if step is steps[0]:
            fields.append(("details", sent["details"]))
        return fields


def connection_tracing() -> aiohttp.TraceConfig:
    """Notes in each request's trace context whether it opened a connection or reused a kept-alive one."""

    async def created(_session, context, _params) -> None:
        if context.trace_request_ctx is not None:
            context.trace_request_ctx.connection = "new"

    async def reused(_session, context, _params) -> None:
        if context.trace_request_ctx is not None:
            context.trace_request_ctx.connection = "reused"

    tracing = aiohttp.TraceConfig()
    tracing.on_connection_create_end.append(created)
    tracing.on_connection_reuseconn.append(reused)
    return tracing


async def main_async(args: argparse.Namespace) -> dict:
    run = Run(args)
    sessions = [
        aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: keep cookies from an IP address
            connector=aiohttp.TCPConnector(limit=2, force_close=not args.keep_alive),
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_S),
            trace_configs=[connection_tracing()],
        )
        for _ in range(args.residents)
    ]
    try:
        residents = [Resident(number, run, http, args.seed) for number, http in enumerate(sessions, 1)]
        await asyncio.gather(*(resident.live(ramp_s=run.think[-1]) for resident in residents))
    finally:
        await asyncio.gather(*(http.close() for http in sessions))
    return {
        "run_id": run.run_id,
        "residents": args.residents,
        "duration": args.duration,
        "think": run.think,
        "keep_alive": args.keep_alive,
        "elapsed": time.perf_counter() - run.started,
        "client_cpu_s": time.process_time(),
        "samples": run.samples,
        "errors": run.errors,
        "submissions": run.submissions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", default="0.5,2", help="seconds between actions: low,high (0 for none)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--run-id", default="bench")
    parser.add_argument(
        "--phones", default="01632 960", help="phone numbers: this, then the resident's number"
    )
    parser.add_argument(
        "--no-keep-alive", dest="keep_alive", action="store_false", help="a new connection for every request"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
