"""gunicorn's settings for the portal (docs/deployment.md): `gunicorn -c gunicorn.conf.py`.

Every value can be set from the environment. Sizing: the portal mostly waits on the database, so each
worker process runs a few threads (gthread); but each process also holds its own search index in memory
(about 145 MB a worker with the sample content) and Python runs one thread at a time per process, so the
number of processes follows the CPUs (2 x cores + 1) unless memory runs out first."""

from __future__ import annotations

import os
import time
from pathlib import Path

CPU_WORKERS_PER_CORE = 2
MEMORY_SHARE = 0.5  # of the machine's memory for the portal; the rest for PostgreSQL, Redis, nginx, caches
WORKER_MEMORY_MB = 200  # a worker's resident size with headroom over the measured ~145 MB


def worker_count(
    cores: int, memory_mb: int | None = None, worker_mb: int = WORKER_MEMORY_MB, requested: int | None = None
) -> int:
    """GUNICORN_WORKERS when given; else 2 x cores + 1, fewer when MEMORY_SHARE of `memory_mb` cannot hold
    that many workers of `worker_mb`; never fewer than one."""
    if requested:
        return max(1, requested)
    by_cpu = CPU_WORKERS_PER_CORE * max(1, cores) + 1
    if not memory_mb:
        return by_cpu
    by_memory = int(memory_mb * MEMORY_SHARE // max(1, worker_mb))
    return max(1, min(by_cpu, by_memory))


def available_cores() -> int:
    """CPUs this process may run on (taskset, cgroup cpusets), and a container's CPU quota if lower."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cores = min(cores, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return cores


def memory_megabytes() -> int | None:
    """The machine's memory, or a container's limit if lower; None where neither can be read."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            total = min(total, int(limit))
    except (OSError, ValueError):
        pass
    return total // (1024 * 1024)


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


wsgi_app = os.environ.get("GUNICORN_APP", "portal.wsgi:app")
# Behind nginx on the same machine: loopback only. PORT (as platforms set it) or BIND (host:port, or
# unix:/run/portal.sock) to change it.
bind = [os.environ.get("BIND") or f"127.0.0.1:{_int('PORT', 8000)}"]
worker_class = "gthread"
workers = worker_count(
    available_cores(),
    memory_megabytes(),
    _int("GUNICORN_WORKER_MEMORY_MB", WORKER_MEMORY_MB),
    _int("GUNICORN_WORKERS", 0) or None,
)
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)  # a request taking longer has its worker restarted
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # on restart, requests in hand get this long
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Workers are replaced after this many requests (each at a slightly different count), so a slow leak
# never grows; the new worker builds its search index before taking requests (post_worker_init).
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# X-Forwarded-Proto and the like are believed only from these addresses (nginx on this machine).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "council-portal"
# The workers' heartbeat files: in memory, never on a slow or full disk (gunicorn makes them with mkstemp,
# private to this user, as its documentation advises for /dev/shm).
if Path("/dev/shm").is_dir():  # noqa: S108  # nosec B108
    worker_tmp_dir = "/dev/shm"  # noqa: S108  # nosec B108
# gunicornc's control socket, only where asked for: the default path is per user, so two instances of the
# portal (or the tests beside `make stack`) would fight over it.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

# Logs: gunicorn's own lines in the portal's JSON (or text) on standard output. The access log is the
# portal's own (portal.request_logging): one line a request, with its request id and no query string.
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "portal": {
            "()": "portal.request_logging.make_formatter",
            "log_format": (os.environ.get("LOG_FORMAT") or "json").lower(),
        }
    },
    "handlers": {"portal": {"()": "portal.request_logging.PortalHandler", "formatter": "portal"}},
    "root": {"level": loglevel.upper(), "handlers": ["portal"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        "alembic.runtime.plugins": {"level": "WARNING"},  # seven lines a worker start otherwise
    },
}


def on_starting(server) -> None:
    """Secrets come from the environment in production: refuse to start without SECRET_KEY (`make stack`
    passes the one generated into instance/)."""
    if not os.environ.get("SECRET_KEY"):
        raise SystemExit(
            "SECRET_KEY is not set: gunicorn serves the portal in production, where the key must come from "
            "the environment (docs/deployment.md)."
        )
    server.log.info(
        "%s workers of %s threads (%s cores, %s MB of memory)",
        server.cfg.workers,
        server.cfg.threads,
        available_cores(),
        memory_megabytes(),
    )


def post_worker_init(worker) -> None:
    """Build the search index before the first request, so no resident waits for it; a database not yet
    answering only delays that to the first search."""
    from knowledge_base.search.language import detect_query_language
    from portal.extensions import kb_search

    app = worker.wsgi
    started = time.perf_counter()
    detect_query_language("when is my bin collected")  # the detector loads its models on first use (~1 s)
    try:
        with app.app_context():
            engine = kb_search.service(app).engine()
        worker.log.info(
            "search index built: %s languages in %.1f s", len(engine.indexes), time.perf_counter() - started
        )
    except Exception:  # noqa: BLE001 - the worker must start whatever the database does
        worker.log.warning(
            "the search index could not be built at start; the first search will build it", exc_info=True
        )
