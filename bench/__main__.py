"""All the benchmarks, one after the other:  .venv/bin/python -m bench   (or: make bench)

Retrieval quality beside BM25, then latency beside SQLite FTS5, then the managers' dashboard over 1,000,000
demo contacts (filled once, then kept), each in a process of its own so that the latency run's memory figures
are its own; paste the tables into docs/benchmarks.md."""

from __future__ import annotations

import subprocess
import sys


def main() -> int:
    benchmarks = (
        ("Retrieval quality", "bench.retrieval"),
        ("Latency", "bench.latency"),
        ("Dashboard", "bench.dashboard"),
    )
    for title, module in benchmarks:
        print(f"## {title}\n", flush=True)
        status = subprocess.run([sys.executable, "-m", module], check=False).returncode
        if status:
            return status
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
