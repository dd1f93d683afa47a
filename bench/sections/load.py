"""Load: 1,000 clients through PgBouncer (transaction mode), each one user,
an open loop of list/add/done as `todo` runs them (`python -m bench.loadgen`),
and the closed-loop ceiling with 50 clients."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any
from urllib.parse import urlsplit

from bench.harness import ROOT, Bench, BenchError, Check, Table, fmt_int, result
from bench.pg import scratch_database, upgraded
from bench.seed import seed_load

NAME = "load"
ORDER = 60
LOAD_CLIENTS = 1000
LOAD_MEAN_INTERVAL = 5.0  # seconds between one client's operations, on average
LOAD_DURATION = 60.0
LOAD_USERS_SEEDED = 20  # open todos per user at the start
LOAD_P95_BUDGET_MS = 200.0
LOAD_POOL_SIZE = 20
CLOSED_CLIENTS = 50
LIGHT_DURATION = 10.0  # first, a tenth of the clients: the latency without queueing
LOAD_PROCESSES = 4  # worker processes the load generator spreads its threads over
CLOSED_DURATION = 15.0


def run(b: Bench) -> list[Table]:
    """`python -m bench.loadgen` drives the data layer through PgBouncer (transaction mode)."""
    title = (
        f"Load: {fmt_int(LOAD_CLIENTS)} clients through PgBouncer (transaction mode), "
        f"one operation every {LOAD_MEAN_INTERVAL:g} s each"
    )
    if not b.pgbouncer:
        note = b.pgbouncer_note or "pgbouncer is not installed"
        table = Table(title, ["what", "measured"], notes=[f"**Not measured:** {note}."])
        table.checks.append(Check("load: p95 latency", "not measured", "< 200 ms", False))
        return [table]
    from tests.support.pgservers import PgBouncer

    host, port = b.pg_target()
    if host not in ("127.0.0.1", "localhost"):
        raise BenchError("the load section starts PgBouncer in front of 127.0.0.1 only")
    with scratch_database(b.admin_url) as url:
        upgraded(b, url, "load")
        seed_load(url, LOAD_CLIENTS, LOAD_USERS_SEEDED)  # not vacuumed nor analysed
        bouncer = PgBouncer(target_port=port, pool_size=LOAD_POOL_SIZE)
        try:
            bouncer.start()
            argv = [
                b.python, "-m", "bench.loadgen", bouncer.url(urlsplit(url).path.lstrip("/")),
                "--clients", str(LOAD_CLIENTS), "--mean-interval", str(LOAD_MEAN_INTERVAL),
                "--duration", str(LOAD_DURATION), "--seeded", str(LOAD_USERS_SEEDED),
                "--closed-clients", str(CLOSED_CLIENTS),
                "--closed-duration", str(CLOSED_DURATION), "--processes", str(LOAD_PROCESSES),
                "--light-duration", str(LIGHT_DURATION),
                "--pooler-match", str(bouncer.directory),
            ]  # fmt: skip
            env = {**b.env("load"), "PYTHONUNBUFFERED": "1"}
            proc = subprocess.run(
                argv,
                env=env,
                cwd=ROOT,  # python -m bench.loadgen
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=None,  # progress lines go straight to the bench's stderr
                text=True,
                timeout=LOAD_DURATION + CLOSED_DURATION + 180,
            )
        finally:
            bouncer.stop()
    if proc.returncode != 0:
        raise BenchError(f"python -m bench.loadgen exited {proc.returncode}")
    data = json.loads(proc.stdout)
    data["open"]["processes"] = data.get("processes", 1)
    return [_load_table(title, data["open"], data.get("closed"), data.get("light"))]


def cpu_row(phase: dict[str, Any]) -> str:
    """Where the machine's CPU went during a phase, per operation and in cores."""
    cpu = phase.get("cpu")
    if not cpu or not phase["ops"] or cpu["wall_s"] <= 0:
        return "not measured"
    n, wall = phase["ops"], cpu["wall_s"]

    def per_op(key: str) -> str:
        return f"{cpu[key] / n * 1000:.2f} ms/op ({cpu[key] / wall:.2f} cores)"

    return (
        f"machine {cpu['machine_s'] / wall:.2f} of {os.cpu_count()} cores busy: "
        f"load generator {per_op('loadgen_s')}, PostgreSQL {per_op('postgres_s')}, "
        f"PgBouncer {per_op('pgbouncer_s')}, anything else {cpu['other_s'] / wall:.2f} cores"
    )


def _load_table(
    title: str,
    open_: dict[str, Any],
    closed: dict[str, Any] | None,
    light: dict[str, Any] | None,
) -> Table:
    p95_ok = open_.get("p95_ms", float("inf")) < LOAD_P95_BUDGET_MS
    errors_ok = open_["errors"] == 0
    table = Table(title, ["what", "measured", "budget", "result"])
    processes = open_.get("processes", 1)

    def pct(d: dict[str, Any]) -> str:
        if "p50_ms" not in d:
            return "no operations"
        return f"p50 {d['p50_ms']:.1f} / p95 {d['p95_ms']:.1f} / p99 {d['p99_ms']:.1f} ms"

    if light is not None:
        table.rows += [
            [
                f"first, light load: {fmt_int(light['clients'])} clients "
                f"({light['offered_ops_per_s']:.0f} ops/s offered), {light['elapsed_s']:.0f} s",
                f"{pct(light)}; {light['errors']} errors",
                "",
                "",
            ],
            ["light load: CPU", cpu_row(light), "", ""],
        ]
    table.rows += [
        [
            "open loop: operations (offered -> achieved)",
            f"{fmt_int(open_['ops'])} in {open_['elapsed_s']:.0f} s "
            f"({open_['offered_ops_per_s']:.0f} -> {open_['ops_per_s']:.1f} ops/s)",
            "",
            "",
        ],
        ["open loop: latency, all operations", pct(open_), "", ""],
        [
            "open loop: p95 latency",
            f"{open_.get('p95_ms', float('nan')):.1f} ms (max {open_.get('max_ms', 0):.0f} ms)",
            f"< {LOAD_P95_BUDGET_MS:.0f} ms",
            result(p95_ok),
        ],
        [
            "open loop: errors",
            f"{open_['errors']} ({', '.join(f'{k} x{v}' for k, v in open_['error_kinds'].items()) or 'none'}); "
            f"{open_['retries']} retries hidden by the data layer",
            "0",
            result(errors_ok),
        ],
    ]
    for kind, d in open_["by_kind"].items():
        table.rows.append([f"open loop: {kind} ({fmt_int(d['ops'])})", pct(d), "", ""])
    table.rows += [
        [
            "open loop: client threads / most operations in flight at once / "
            "p99 of how late an operation started",
            f"{open_['threads']} threads in {processes} processes / "
            f"{open_.get('max_in_flight', 0)} / {open_.get('late_start_p99_ms', 0):.1f} ms",
            "",
            "",
        ],
    ]
    table.rows.append(["open loop: CPU", cpu_row(open_), "", ""])
    if closed is not None:
        table.rows += [
            [
                f"closed loop, {closed['clients']} clients back to back: throughput",
                f"{closed['ops_per_s']:.0f} ops/s ({fmt_int(closed['ops'])} in "
                f"{closed['elapsed_s']:.0f} s), {closed['errors']} errors",
                "",
                "",
            ],
            [f"closed loop, {closed['clients']} clients: latency", pct(closed), "", ""],
            ["closed loop: CPU", cpu_row(closed), "", ""],
        ]
    table.notes.append(
        "`python -m bench.loadgen` (`bench/loadgen.py`, `loadclients.py`, `loadstats.py`) "
        f"in the bench venv, from the repository root: {fmt_int(LOAD_CLIENTS)} threads, each "
        f"one user (seeded with {LOAD_USERS_SEEDED} open todos; the database neither "
        "vacuumed nor analysed), sleeping an exponential random interval (mean "
        f"{LOAD_MEAN_INTERVAL:g} s) before each operation for {LOAD_DURATION:g} s (after a "
        f"light phase with a tenth of the clients for {LIGHT_DURATION:g} s: the latency "
        "without queueing): 60% list (the default list's query, 50 rows and the total), "
        "30% add, 10% done of one of the user's open todos. The threads are spread over "
        f"{processes} worker processes started together (real clients are separate "
        "processes; one interpreter's GIL would add queueing of its own). Each operation is "
        "what a `todo` command does after parsing its arguments: `todo_cli.store.runner.run` "
        "(a new connection, one transaction sent as one message, in the mode the command "
        "uses). Latency counts from when the operation was due, so a thread that wakes late "
        "is charged for it. Any exception is an error. PgBouncer "
        f"(`tests/support/pgservers.py`): transaction mode, pool size {LOAD_POOL_SIZE}, in "
        "front of the local server. The closed loop then shows the ceiling of this setup: "
        "the load generator, PgBouncer and PostgreSQL on the same cores. CPU: busy time of "
        "the whole machine (`/proc/stat`), the load generator's processes (`getrusage`), the "
        "PostgreSQL backends serving the load database and this PgBouncer (`/proc/PID/stat`); "
        "*anything else* is the rest (PostgreSQL's background processes, the kernel, and "
        "whatever else the machine was running). The p95 budget is the issue's, in "
        "milliseconds (kept as it was given)."
    )
    if open_["errors"]:
        samples = "; ".join(f"`{s}`" for s in open_["error_samples"])
        table.notes.append(f"First errors: {samples}.")
    table.checks += [
        Check(
            f"load: p95 latency, {fmt_int(LOAD_CLIENTS)} clients via PgBouncer",
            f"{open_.get('p95_ms', float('nan')):.1f} ms",
            f"< {LOAD_P95_BUDGET_MS:.0f} ms",
            p95_ok,
        ),
        Check("load: errors", str(open_["errors"]), "0", errors_ok),
    ]
    return table
