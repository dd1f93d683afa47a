"""RESULTS.md: the machine and versions, the budgets table, every section's
tables, and how it was all measured."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from datetime import datetime
from importlib import metadata
from pathlib import Path

from bench.harness import PROXY_DELAY_S, Bench, Check, Table, result


def version_of(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except OSError:
        return "not installed"
    text = out.stdout.strip() or out.stderr.strip()
    return text.splitlines()[0] if out.returncode == 0 and text else "?"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def package_versions(*names: str) -> str:
    parts = []
    for name in names:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (missing)")
    return ", ".join(parts)


def header(b: Bench, pg_version: str, started: datetime, elapsed: float, commit: str) -> str:
    todo_version = version_of([b.todo, "--version"]).removeprefix("todo ")
    rows = [
        ("date", started.strftime("%Y-%m-%d %H:%M %Z")),
        ("cores", f"{os.cpu_count()} (`os.cpu_count()`); CPU: {cpu_model()}"),
        ("load average at the start", b.facts.get("loadavg", "unknown")),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("PostgreSQL", f"{pg_version} (server); autovacuum {b.facts.get('autovacuum', '?')}"),
        ("todo", f"{todo_version} (this tree: {commit})"),
        (
            "libraries",
            package_versions(
                "typer", "rich", "sqlalchemy", "sqlmodel", "pydantic", "psycopg2-binary"
            ),
        ),
        ("taskwarrior", version_of([b.task, "--version"]) if b.task else "not installed"),
        ("hyperfine", version_of([b.hyperfine, "--version"]) if b.hyperfine else "not installed"),
        ("PgBouncer", version_of([b.pgbouncer, "--version"]) if b.pgbouncer else "not installed"),
        ("bench run time", f"{elapsed:.0f} s"),
    ]
    lines = ["| machine and versions | |", "|---|---|"]
    lines += [f"| {k} | {v.replace('|', '/')} |" for k, v in rows]
    return "\n".join(lines)


def budgets(checks: list[Check]) -> str:
    lines = ["| budget | measured | limit | result |", "|---|---|---|---|"]
    lines += [f"| {c.name} | {c.measured} | {c.limit} | {result(c.ok)} |" for c in checks]
    return "\n".join(lines)


HOW_MEASURED = """\
## How measured

`bench/run` builds a venv for the run (`bench/.work/venv`: `pip install` of this
repository, not editable, and sqlmodel for the naive CLI), then runs `python -m bench`
from the repository root with that venv's Python. Every command runs as a fresh process
from that venv (stdin, stdout and stderr not a terminal; stdout discarded), with a
private HOME and an empty working directory. Each timing is the median wall time of
{runs} runs per command unless its table says otherwise. hyperfine (`-N`: no shell)
times the tables of fixed commands; its runs are split into {rounds} calls, the
commands in a rotated order in each, each call warming up {warmup} run(s) per command,
so a noisy minute (the machine is shared) does not fall on one command alone. Where
commands change from run to run (`todo done N` on a different N) or their round trips
are counted per run, a Python loop interleaves them round-robin instead. Each table
says which. Ratios divide two medians from the same run; no budget judges an absolute
time. Round trips are counted by `tests/support/tcp_proxy.py` between the client and
PostgreSQL: a burst of client->server data after server data (or that opens the
connection) is one round trip, however many packets it takes, the final Terminate
included. The latency table through the proxy adds {delay_ms} ms before each client
burst, a stand-in for a client far from its Neon endpoint.

PostgreSQL is the local server: a scratch database for the run, and more of them for
the batch, scale, load and import sections, each created, upgraded with `todo db
upgrade`, seeded with SQL where it needs volume, and dropped at the end. None is
vacuumed or analysed after seeding (the server runs with autovacuum off, and the
plans must not depend on statistics). Plain TCP (`sslmode=disable`) through the proxy.
The naive CLI gets a `postgresql+psycopg2://` URL (SQLAlchemy 2.1's default driver for
`postgresql://` is psycopg 3), so both CLIs use the same driver. SQLite rows use the
embedded default file under a private HOME, or files seeded with SQL. The load section
runs `python -m bench.loadgen` against PgBouncer on the same machine: the load
generator, the pooler and the server share the cores, so its latencies include that
contention and anything else the machine was doing. The bench reports budgets as
PASS/FAIL; it does not fail the process.
"""


def document(
    *, head: str, started: datetime, tables: list[Table], runs: int, warmup: int, rounds: int
) -> str:
    checks = [c for t in tables for c in t.checks]
    passed = sum(c.ok for c in checks)
    parts = [
        "# todo benchmarks",
        f"Written by `bench/run` on {started:%Y-%m-%d}. Timings are medians; ratios compare "
        "medians measured in the same run.",
        head,
        f"## Budgets: {passed} of {len(checks)} pass",
        budgets(checks),
        "## Results",
        *(t.markdown() for t in tables),
        HOW_MEASURED.format(
            runs=runs, warmup=warmup, rounds=rounds, delay_ms=round(PROXY_DELAY_S * 1000)
        ).rstrip(),
    ]
    return "\n\n".join(parts) + "\n"
