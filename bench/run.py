"""The todo benchmark suite: prints one table per section and writes bench/RESULTS.md.

Run it through `bench/run`, which builds a fresh venv with the project and
starts this script with that venv's Python. Everything the script times runs
in that venv: `todo`, the reference scripts in bench/refs/, and `python -c pass`.

Every timing is the median of repeated runs, and every comparison is a ratio
against a reference measured in the same run, so the numbers compare across
machines even when the milliseconds do not.

Sections are plain functions registered with @section; each gets the shared
Bench context and returns tables. To add one, write a function and decorate it.

    python bench/run.py [--runs N] [--warmup N] [--only SECTION ...] [--no-hyperfine]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
REFS = BENCH / "refs"
sys.path.insert(0, str(ROOT / "tests"))

from tcp_proxy import TCPProxy, proxied_url  # noqa: E402  (tests/ is on the path from here on)

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STARTUP_BUDGET = 1.3  # todo --help / minimal Typer --help
ROUND_TRIP_BUDGET_EXTRA = 2  # round trips above the psycopg2 floor
LATENCY_BUDGET = 0.85  # todo add / naive add, through the 20 ms proxy
PROXY_DELAY_S = 0.020
TITLE = "Call the bank"


# --- results -------------------------------------------------------------------


@dataclass
class Check:
    """One budget: what was measured against which limit."""

    name: str
    measured: str
    limit: str
    ok: bool


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def markdown(self) -> str:
        def cell(value: str) -> str:
            return value.replace("|", "\\|")

        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(cell(c) for c in self.columns) + " |")
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        for row in self.rows:
            lines.append("| " + " | ".join(cell(c) for c in row) + " |")
        if self.notes:
            lines.append("")
            lines.append("\n\n".join(self.notes))
        return "\n".join(lines)


def result(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x"


# --- running and timing commands -------------------------------------------------


@dataclass
class Cmd:
    label: str
    argv: list[str]
    env: dict[str, str]


@dataclass
class Timing:
    label: str
    times: list[float]
    round_trips: list[int] = field(default_factory=list)  # per run, when through a proxy
    method: str = "python loop"

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def runs(self) -> int:
        return len(self.times)


class BenchError(RuntimeError):
    pass


def run_checked(
    cmd: Cmd, *, cwd: Path, capture: bool = False, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command (stdin: this text, or nothing); raise BenchError unless it exits 0."""
    proc = subprocess.run(
        cmd.argv,
        env=cmd.env,
        cwd=cwd,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        raise BenchError(
            f"{cmd.label}: exit {proc.returncode}\n  argv: {shlex.join(cmd.argv)}\n"
            f"  stderr: {proc.stderr.strip()}"
        )
    return proc


def time_interleaved(
    cmds: list[Cmd], *, runs: int, warmup: int, cwd: Path, proxy: TCPProxy | None = None
) -> dict[str, Timing]:
    """Median wall time of each command, run round-robin.

    Each round runs every command once, starting one further along the list
    each time, so a slow patch of a noisy machine hits all of them alike.
    With a proxy, each run's connection has closed before the next starts
    (outside the timed interval), and its round trips are recorded.
    """
    for cmd in cmds:
        for _ in range(warmup):
            run_checked(cmd, cwd=cwd)
            if proxy is not None:
                proxy.wait_idle()
    timings = {c.label: Timing(c.label, []) for c in cmds}
    for i in range(runs):
        for cmd in cmds[i % len(cmds) :] + cmds[: i % len(cmds)]:
            if proxy is not None:
                proxy.reset()
            start = time.perf_counter()
            run_checked(cmd, cwd=cwd)
            elapsed = time.perf_counter() - start
            timing = timings[cmd.label]
            timing.times.append(elapsed)
            if proxy is not None:
                proxy.wait_idle()
                timing.round_trips.append(proxy.round_trips)
    return timings


def time_varying(
    factories: dict[str, Callable[[], Cmd]], *, runs: int, warmup: int, cwd: Path
) -> dict[str, Timing]:
    """time_interleaved for commands that change from run to run (`todo done N`
    on a different N each time): each factory returns the next command."""
    labels = list(factories)
    for label in labels:
        for _ in range(warmup):
            run_checked(factories[label](), cwd=cwd)
    timings = {label: Timing(label, []) for label in labels}
    for i in range(runs):
        for label in labels[i % len(labels) :] + labels[: i % len(labels)]:
            cmd = factories[label]()
            start = time.perf_counter()
            run_checked(cmd, cwd=cwd)
            timings[label].times.append(time.perf_counter() - start)
    return timings


def time_hyperfine(
    hyperfine: str, cmds: list[Cmd], *, runs: int, warmup: int, cwd: Path, work: Path
) -> dict[str, Timing]:
    """The same medians measured by hyperfine (no shell; one shared environment)."""
    env = cmds[0].env
    if any(c.env != env for c in cmds):
        raise BenchError("hyperfine runs every command in one environment")
    out = work / f"hyperfine-{uuid.uuid4().hex[:8]}.json"
    argv = [hyperfine, "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs)]
    argv += ["--export-json", str(out)]
    for cmd in cmds:
        argv += ["-n", cmd.label, shlex.join(cmd.argv)]
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise BenchError(f"hyperfine failed (exit {proc.returncode}): {proc.stderr.strip()}")
    data = json.loads(out.read_text())
    out.unlink()
    return {
        cmd.label: Timing(cmd.label, r["times"], method="hyperfine")
        for cmd, r in zip(cmds, data["results"], strict=True)
    }


# --- PostgreSQL ------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def as_psycopg2(url: str) -> str:
    """SQLAlchemy 2.1 maps postgresql:// to psycopg 3; the naive CLI uses the same driver as todo."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql+psycopg2{sep}{rest}" if scheme in ("postgres", "postgresql") else url


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    name = f"todo_bench_{uuid.uuid4().hex[:10]}"
    conn = psycopg2.connect(admin_url, connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield with_database(admin_url, name)
    finally:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        conn.close()


def server_version(url: str) -> str:
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            row = cur.fetchone()
            return str(row[0]) if row else "unknown"
    finally:
        conn.close()


# --- the shared context ------------------------------------------------------------


@dataclass
class Bench:
    python: str  # the bench venv's interpreter: runs the refs and `python -c pass`
    todo: str  # the bench venv's `todo`
    pg_url: str  # the scratch database, at head, direct (no proxy)
    runs: int
    warmup: int
    work: Path  # a temporary directory for homes, task data and hyperfine output
    hyperfine: str | None
    task: str | None
    task_note: str
    admin_url: str = DEFAULT_ADMIN_URL  # may create and drop databases
    pgbouncer: str | None = None
    pgbouncer_note: str = ""
    # Figures one section measures and a later one (optimisations) reports.
    facts: dict[str, Any] = field(default_factory=dict)

    def env(self, name: str, **extra: str) -> dict[str, str]:
        """A minimal environment with a private HOME: nothing of the user's config leaks in."""
        home = self.work / f"home-{name}"
        home.mkdir(exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "USER": "bench",
            "LOGNAME": "bench",
            "TODO_CONFIG_DIR": str(home / "config"),
            "TODO_USER": "bench",
        }
        env.update(extra)
        return env

    @property
    def cwd(self) -> Path:
        """An empty working directory: no .env for todo to read."""
        path = self.work / "cwd"
        path.mkdir(exist_ok=True)
        return path

    def pg_target(self) -> tuple[str, int]:
        parts = urlsplit(self.pg_url)
        return parts.hostname or "127.0.0.1", parts.port or 5432

    def ref(self, script: str, *args: str) -> list[str]:
        return [self.python, str(REFS / script), *args]

    def time(self, cmds: list[Cmd], *, proxy: TCPProxy | None = None) -> dict[str, Timing]:
        return time_interleaved(cmds, runs=self.runs, warmup=self.warmup, cwd=self.cwd, proxy=proxy)


Section = Callable[[Bench], list[Table]]
SECTIONS: dict[str, Section] = {}


def section(name: str) -> Callable[[Section], Section]:
    def register(fn: Section) -> Section:
        SECTIONS[name] = fn
        return fn

    return register


# --- sections ----------------------------------------------------------------------


@section("startup")
def startup(b: Bench) -> list[Table]:
    env = b.env("startup")  # no DATABASE_URL: nothing here connects
    cmds = [
        Cmd("python -c pass", [b.python, "-c", "pass"], env),
        Cmd('python -c "import typer"', [b.python, "-c", "import typer"], env),
        Cmd("minimal Typer app --help", b.ref("minimal_typer.py", "--help"), env),
        Cmd(
            "minimal Typer app --help, Rich off",
            b.ref("minimal_typer_plain.py", "--help"),
            env,
        ),
        Cmd("todo --help", [b.todo, "--help"], env),
        Cmd("todo --version", [b.todo, "--version"], env),
        Cmd("todo whoami", [b.todo, "whoami"], env),
    ]
    if b.hyperfine:
        t = time_hyperfine(b.hyperfine, cmds, runs=b.runs, warmup=b.warmup, cwd=b.cwd, work=b.work)
    else:
        t = b.time(cmds)
    python = t["python -c pass"].median
    minimal = t["minimal Typer app --help"].median
    plain = t["minimal Typer app --help, Rich off"].median
    help_ratio = t["todo --help"].median / minimal
    ok = help_ratio <= STARTUP_BUDGET
    table = Table(
        "Startup: commands that never connect",
        [
            "what",
            "median ms",
            "runs",
            "ratio vs python -c pass",
            "ratio vs minimal Typer --help",
            "budget",
            "result",
        ],
    )
    for cmd in cmds:
        timing = t[cmd.label]
        is_todo = cmd.label.startswith("todo") or cmd.label.endswith("Rich off")
        row = [
            f"`{cmd.label}`",
            ms(timing.median),
            str(timing.runs),
            "reference" if cmd.label == "python -c pass" else ratio(timing.median, python),
            ratio(timing.median, minimal) if is_todo else "",
            "",
            "",
        ]
        if cmd.label == "minimal Typer app --help":
            row[4] = "reference"
        if cmd.label == "todo --help":
            row[5:] = [f"<= {STARTUP_BUDGET}x", result(ok)]
        table.rows.append(row)
    method = t["todo --help"].method
    table.notes.append(
        f"Timed with {'hyperfine -N (no shell)' if method == 'hyperfine' else 'a Python loop, commands interleaved'}"
        f", {b.warmup} warmups and {b.runs} runs each. The minimal app is "
        "`bench/refs/minimal_typer.py`: two commands, Typer's defaults (Rich help if Rich "
        "is installed, which it is: Typer depends on it). todo turns Rich help off "
        "(`rich_markup_mode=None`); next to `bench/refs/minimal_typer_plain.py`, the same "
        f"app with Rich off too, `todo --help` is {ratio(t['todo --help'].median, plain)}."
    )
    table.checks.append(
        Check(
            "startup: `todo --help` / minimal Typer `--help`",
            f"{help_ratio:.2f}x",
            f"<= {STARTUP_BUDGET}x",
            ok,
        )
    )
    return [table]


@section("round-trips")
def round_trips(b: Bench) -> list[Table]:
    host, port = b.pg_target()
    with TCPProxy(host, port) as proxy:
        url = proxied_url(b.pg_url, proxy.port)
        env = b.env("round-trips", DATABASE_URL=url, TODO_USER="rt")
        naive_env = {**env, "DATABASE_URL": as_psycopg2(url)}

        @dataclass
        class Count:
            label: str
            round_trips: int
            connections: int
            stdout: str

        def count(label: str, argv: list[str], run_env: dict[str, str]) -> Count:
            proxy.reset()
            proc = run_checked(Cmd(label, argv, run_env), cwd=b.cwd, capture=True)
            proxy.wait_idle()
            if proxy.errors:
                raise BenchError(f"{label}: proxy errors {proxy.errors}")
            return Count(label, proxy.round_trips, proxy.connections, proc.stdout)

        floor_runs = [
            count("psycopg2", b.ref("psycopg2_add.py", url, TITLE), env) for _ in range(2)
        ]
        if floor_runs[0].round_trips != floor_runs[1].round_trips:
            raise BenchError(f"the psycopg2 floor is not deterministic: {floor_runs}")
        floor = floor_runs[0].round_trips
        naive_add = count("naive add", b.ref("naive_cli.py", "add", TITLE), naive_env)
        naive_list = count("naive list", b.ref("naive_cli.py", "list"), naive_env)
        first = count("todo add (user's first)", [b.todo, "add", TITLE], env)
        add = count("todo add", [b.todo, "add", "Pay rent"], env)
        todo_list = count("todo list", [b.todo, "list"], env)
        done = count("todo done N", [b.todo, "done", first.stdout.strip()], env)
        rm = count("todo rm N --yes", [b.todo, "rm", add.stdout.strip(), "--yes"], env)

    limit = floor + ROUND_TRIP_BUDGET_EXTRA
    table = Table(
        "Round trips per command (client->server bursts, counted by a TCP proxy)",
        [
            "what",
            "round trips",
            "connections",
            "vs psycopg2 floor",
            "naive CLI, same operation",
            "budget",
            "result",
        ],
    )
    table.rows.append(
        [
            "psycopg2 add: connect, INSERT ... RETURNING, commit",
            str(floor),
            "1",
            "floor",
            "",
            "",
            "",
        ]
    )
    blank = ["", "", ""]
    for c in (naive_add, naive_list):
        table.rows.append(
            [c.label, str(c.round_trips), str(c.connections), f"{c.round_trips - floor:+d}", *blank]
        )
    naive_same = {add.label: naive_add, first.label: naive_add, todo_list.label: naive_list}
    for c in (first, add, todo_list, done, rm):
        ok = c.round_trips <= limit
        same = naive_same.get(c.label)
        table.rows.append(
            [
                f"`{c.label}`",
                str(c.round_trips),
                str(c.connections),
                f"{c.round_trips - floor:+d}",
                str(same.round_trips) if same else "(none)",
                f"<= {limit} (floor + {ROUND_TRIP_BUDGET_EXTRA})",
                result(ok),
            ]
        )
        table.checks.append(
            Check(f"round trips: `{c.label}`", str(c.round_trips), f"<= {limit}", ok)
        )
    table.notes.append(
        "A round trip is a burst of client->server data after server data (or opening the "
        "connection): each is one wait on the network. The final Terminate message counts "
        "too, for every row alike. Counts are deterministic: each command ran once (the "
        "floor twice, and both agreed)."
    )
    return [table]


@section("latency")
def latency(b: Bench) -> list[Table]:
    tables = [_latency_postgres(b), _latency_sqlite(b)]
    return tables


def _latency_postgres(b: Bench) -> Table:
    host, port = b.pg_target()
    with TCPProxy(host, port, delay_s=PROXY_DELAY_S) as proxy:
        url = proxied_url(b.pg_url, proxy.port)
        env = b.env("latency", DATABASE_URL=url, TODO_USER="latency")
        naive_env = {**env, "DATABASE_URL": as_psycopg2(url)}
        cmds = [
            Cmd("psycopg2 add", b.ref("psycopg2_add.py", url, TITLE), env),
            Cmd("naive add", b.ref("naive_cli.py", "add", TITLE), naive_env),
            Cmd("todo add", [b.todo, "add", TITLE], env),
            Cmd("naive list", b.ref("naive_cli.py", "list"), naive_env),
            Cmd("todo list", [b.todo, "list"], env),
        ]
        t = b.time(cmds, proxy=proxy)

    delay_ms = round(PROXY_DELAY_S * 1000)
    table = Table(
        f"Latency: PostgreSQL through a proxy adding {delay_ms} ms per round trip",
        ["what", "median ms", "runs", "round trips", "ratio vs reference", "budget", "result"],
    )
    refs = {
        "psycopg2 add": "naive add",
        "todo add": "naive add",
        "todo list": "naive list",
    }
    add_ratio = t["todo add"].median / t["naive add"].median
    ok = add_ratio <= LATENCY_BUDGET
    for cmd in cmds:
        timing = t[cmd.label]
        ref = refs.get(cmd.label)
        rts = timing.round_trips
        row = [
            f"`{cmd.label}`" if cmd.label.startswith("todo") else cmd.label,
            ms(timing.median),
            str(timing.runs),
            "-".join(str(n) for n in sorted({min(rts), max(rts)})) if rts else "",
            f"{ratio(timing.median, t[ref].median)} of {ref}" if ref else "reference",
            "",
            "",
        ]
        if cmd.label == "todo add":
            row[5:] = [f"<= {LATENCY_BUDGET}x", result(ok)]
        table.rows.append(row)
    table.notes.append(
        f"Each round: every command once, interleaved; {b.warmup} warmups and {b.runs} runs "
        "each. naive = `bench/refs/naive_cli.py` (Typer + SQLModel as the tutorials write it: "
        "`create_engine(url)`, `Session`, `add`, `commit`, `refresh`; `select(Todo)` to "
        "list), psycopg2 add = `bench/refs/psycopg2_add.py`. The lists return the rows the "
        "adds before them created (tens of rows each)."
    )
    table.checks.append(
        Check(
            f"latency: `todo add` / naive add through +{delay_ms} ms per round trip",
            f"{add_ratio:.2f}x",
            f"<= {LATENCY_BUDGET}x",
            ok,
        )
    )
    return table


def _latency_sqlite(b: Bench) -> Table:
    env = b.env("sqlite", TODO_USER="bench")  # no DATABASE_URL: the embedded SQLite default
    cmds = [
        Cmd("python -c pass", [b.python, "-c", "pass"], env),
        Cmd("todo add", [b.todo, "add", TITLE], env),
    ]
    if b.task:
        data = b.work / "taskdata"
        data.mkdir(exist_ok=True)
        rc = b.work / "taskrc"
        rc.write_text(
            f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\n",
            encoding="utf-8",
        )
        task_env = {**env, "TASKRC": str(rc), "TASKDATA": str(data)}
        cmds.insert(
            0,
            Cmd(
                "task add",
                [b.task, "rc.confirmation=off", "rc.verbose=nothing", "add", TITLE],
                task_env,
            ),
        )
    t = b.time(cmds)
    table = Table(
        "Local SQLite: `todo add` next to taskwarrior's `task add`",
        ["what", "median ms", "runs", "ratio vs task add", "budget", "result"],
    )
    task = t.get("task add")
    for cmd in cmds:
        timing = t[cmd.label]
        if cmd.label == "task add":
            vs = "reference"
        elif task is not None:
            vs = ratio(timing.median, task.median)
        else:
            vs = "n/a"
        table.rows.append([f"`{cmd.label}`", ms(timing.median), str(timing.runs), vs, "", ""])
    table.notes.append(
        "taskwarrior is the speed anchor of the field (a C++ binary, no interpreter); no "
        "budget. `todo add` uses its embedded SQLite default in a private HOME; `task add` "
        "a private TASKDATA and TASKRC with `confirmation=off`, `verbose=nothing`. "
        "`python -c pass` shows how much of `todo add` is the interpreter starting."
    )
    if not b.task:
        table.notes.append(f"**taskwarrior was not measured:** {b.task_note or 'not installed'}.")
    return table


# --- batch, scale, load -------------------------------------------------------------


def upgraded(b: Bench, url: str, name: str) -> None:
    """`todo db upgrade` on a scratch database (as a user would create the schema)."""
    env = b.env(name, DATABASE_URL=url)
    run_checked(Cmd(f"todo db upgrade ({name})", [b.todo, "db", "upgrade"], env), cwd=b.cwd)


def pg_run(url: str, *statements: str, autocommit: bool = False) -> list[tuple[Any, ...]]:
    """Run statements on one connection (one transaction unless autocommit);
    return the last one's rows, if it has any."""
    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = autocommit
    rows: list[tuple[Any, ...]] = []
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
                rows = cur.fetchall() if cur.description else []
        if not autocommit:
            conn.commit()
        return rows
    finally:
        conn.close()


def fmt_int(n: float) -> str:
    return f"{round(n):,}"


BATCH_LINES = 10_000
BATCH_ROUND_TRIP_BUDGET = 20
BATCH_TIME_BUDGET = 3.0  # seconds, local PostgreSQL
BATCH_RUNS = 5


@section("batch")
def batch(b: Bench) -> list[Table]:
    """`todo add -` with 10,000 lines: round trips through the counting proxy,
    wall time on the local server (each run into a fresh user)."""
    lines = "".join(f"Batch todo {i}\n" for i in range(1, BATCH_LINES + 1))
    host, port = b.pg_target()
    argv = [b.todo, "add", "-"]
    with TCPProxy(host, port) as proxy:
        env = b.env(
            "batch", DATABASE_URL=proxied_url(b.pg_url, proxy.port), TODO_USER="batch-proxy"
        )
        proxy.reset()
        proc = run_checked(Cmd("todo add -", argv, env), cwd=b.cwd, capture=True, stdin=lines)
        proxy.wait_idle()
        round_trips, connections = proxy.round_trips, proxy.connections
    numbers = proc.stdout.split()
    if numbers != [str(n) for n in range(1, BATCH_LINES + 1)]:
        raise BenchError(f"todo add - printed {len(numbers)} numbers, not 1..{BATCH_LINES}")
    (saved,) = pg_run(
        b.pg_url,
        "SELECT count(*) FROM todos JOIN users ON users.id = todos.user_id "
        "WHERE users.name = 'batch-proxy'",
    )[0]

    one: list[float] = []
    many: list[float] = []
    for i in range(1 + BATCH_RUNS):  # the first round is a warmup
        for label, stdin, times in (("one", "Batch todo 1\n", one), ("many", lines, many)):
            env = b.env("batch", DATABASE_URL=b.pg_url, TODO_USER=f"batch-{label}-{i}")
            start = time.perf_counter()
            run_checked(Cmd("todo add -", argv, env), cwd=b.cwd, stdin=stdin)
            if i:
                times.append(time.perf_counter() - start)
    wall = statistics.median(many)
    rt_ok = round_trips <= BATCH_ROUND_TRIP_BUDGET
    time_ok = wall <= BATCH_TIME_BUDGET
    b.facts["batch_round_trips"] = round_trips
    b.facts["batch_wall"] = wall
    b.facts["batch_one_wall"] = statistics.median(one)
    table = Table(
        f"Batch: `todo add -` with {fmt_int(BATCH_LINES)} lines on stdin",
        ["what", "measured", "runs", "budget", "result"],
    )
    table.rows += [
        [
            "round trips (counting proxy, no delay)",
            f"{round_trips} on {connections} connection(s); {fmt_int(saved)} todos saved",
            "1",
            f"<= {BATCH_ROUND_TRIP_BUDGET}",
            result(rt_ok),
        ],
        [
            f"wall time, {fmt_int(BATCH_LINES)} lines, local PostgreSQL",
            f"{ms(wall)} ms (min {ms(min(many))}, max {ms(max(many))})",
            str(len(many)),
            f"<= {BATCH_TIME_BUDGET:g} s",
            result(time_ok),
        ],
        [
            "wall time, 1 line, local PostgreSQL (same command, for scale)",
            f"{ms(statistics.median(one))} ms",
            str(len(one)),
            "",
            "",
        ],
    ]
    table.notes.append(
        "Each timed run adds into a fresh user (so every run creates the user row and "
        "numbers from 1), the 1-line and 10,000-line runs alternating, after one warmup "
        "round; medians are shown. The round-trip run went "
        "through `tests/tcp_proxy.py` and printed exactly the numbers 1 to "
        f"{fmt_int(BATCH_LINES)}. The 1-line row is the same command with one title: the "
        f"difference is what the other {fmt_int(BATCH_LINES - 1)} titles cost."
    )
    table.checks += [
        Check(
            f"batch: round trips of `todo add -` with {fmt_int(BATCH_LINES)} lines",
            str(round_trips),
            f"<= {BATCH_ROUND_TRIP_BUDGET}",
            rt_ok,
        ),
        Check(
            f"batch: wall time of `todo add -` with {fmt_int(BATCH_LINES)} lines (local PG)",
            f"{wall:.2f} s",
            f"<= {BATCH_TIME_BUDGET:g} s",
            time_ok,
        ),
    ]
    return [table, _import_table(b)]


def _import_table(b: Bench) -> Table:
    """`todo import` of 10,000 todo.txt lines: round trips, wall time, and the undo."""
    source = b.work / "import.todo.txt"
    source.write_text(
        "".join(
            f"(B) 2026-11-01 Imported todo {i} +bulk @home due:2027-01-15\n"
            for i in range(1, BATCH_LINES + 1)
        )
    )
    argv = [b.todo, "import", str(source)]
    host, port = b.pg_target()
    with TCPProxy(host, port) as proxy:
        url = proxied_url(b.pg_url, proxy.port)
        counted = {}
        for label, args in (("import", argv), ("undo", [b.todo, "undo"])):
            proxy.reset()
            env = b.env("import", DATABASE_URL=url, TODO_USER="import-proxy")
            run_checked(Cmd(f"todo {label}", args, env), cwd=b.cwd)
            proxy.wait_idle()
            counted[label] = proxy.round_trips
    walls: dict[str, list[float]] = {"import": [], "again": [], "undo": []}
    for i in range(1 + BATCH_RUNS):  # the first round is a warmup
        env = b.env("import", DATABASE_URL=b.pg_url, TODO_USER=f"import-{i}")
        for label, args in (("import", argv), ("again", argv), ("undo", [b.todo, "undo"])):
            start = time.perf_counter()
            run_checked(Cmd(f"todo {label}", args, env), cwd=b.cwd)
            if i:
                walls[label].append(time.perf_counter() - start)
    b.facts["import_round_trips"] = counted["import"]
    b.facts["import_wall"] = statistics.median(walls["import"])
    table = Table(
        f"Import: `todo import` of {fmt_int(BATCH_LINES)} todo.txt lines",
        ["what", "round trips", "median ms", "runs"],
    )
    for label, what in (
        ("import", f"import {fmt_int(BATCH_LINES)} new todos (one transaction)"),
        ("again", "the same file again: every line skipped as already imported"),
        ("undo", "`todo undo`: the whole import taken back"),
    ):
        table.rows.append(
            [
                what,
                str(counted.get(label, "")),
                f"{ms(statistics.median(walls[label]))} (min {ms(min(walls[label]))}, "
                f"max {ms(max(walls[label]))})",
                str(len(walls[label])),
            ]
        )
    table.notes.append(
        "Lines like `(B) 2026-11-01 Imported todo 1 +bulk @home due:2027-01-15`, on local "
        "PostgreSQL, each run into a fresh user after one warmup round. Round trips through "
        "`tests/tcp_proxy.py`: one read of the keys already imported, one message per "
        "batch of 2,000 todos, one for the journal entry, plus the connection, BEGIN, "
        "COMMIT and Terminate. No budget in the issue; reported for the record."
    )
    return table


SCALE_USERS = 10_000
SCALE_TODOS = 1_000_000
HEAVY_OPEN = 100_000
LIGHT_TODOS = 40  # the "handful" of the nearly empty database's user
SCALE_RATIO_BUDGET = 1.1
RSS_BUDGET_MB = 150
SCREENFUL = 47  # the default list in a pipe: 50 lines (no $LINES) less 3


# Every 7th todo has a priority and every 5th a due date, a tenth of those
# overdue: the default list order has all its keys to sort on.
MIX = (
    "CASE WHEN n % 7 = 0 THEN 1 + n % 3 END, "
    "CASE WHEN n % 5 = 0 THEN now() + (n % 100 - 10) * interval '1 day' END"
)


def seed_scale(url: str) -> dict[str, float]:
    """10,000 users and 1,000,000 todos with generate_series: `heavy` holds
    HEAVY_OPEN open todos (after a few done ones), everyone else the same
    small number, a third of them done."""
    others = SCALE_USERS - 1
    per_user = (SCALE_TODOS - HEAVY_OPEN) // others
    heavy_done = SCALE_TODOS - HEAVY_OPEN - per_user * others
    heavy_total = HEAVY_OPEN + heavy_done
    started = time.perf_counter()
    pg_run(
        url,
        "INSERT INTO users (name, created_at, last_number) "
        f"SELECT 'user' || u, now(), {per_user} FROM generate_series(1, {others}) AS u",
        f"INSERT INTO users (name, created_at, last_number) VALUES ('heavy', now(), {heavy_total})",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, completed_at, "
        f"priority, due) SELECT u.id, n, 'todo ' || n, n % 3 = 0, now() - interval '1 day', "
        f"now() - interval '1 day', CASE WHEN n % 3 = 0 THEN now() END, {MIX} "
        f"FROM users AS u, generate_series(1, {per_user}) AS n WHERE u.name <> 'heavy'",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, completed_at, "
        f"priority, due) SELECT u.id, n, 'heavy ' || n, n <= {heavy_done}, "
        f"now() - interval '1 day', now() - interval '1 day', "
        f"CASE WHEN n <= {heavy_done} THEN now() END, {MIX} "
        f"FROM users AS u, generate_series(1, {heavy_total}) AS n WHERE u.name = 'heavy'",
    )
    inserted = time.perf_counter()
    pg_run(url, "VACUUM ANALYZE", autocommit=True)
    return {
        "insert": inserted - started,
        "vacuum": time.perf_counter() - inserted,
        "heavy_done": heavy_done,
        "per_user": per_user,
    }


def capture_page_sql(url: str, user: str, sort: str = "default") -> str:
    """The SQL the default `todo list` sends (or with --sort SORT), as the
    installed data layer writes it (captured from SQLAlchemy, parameters
    inlined), for EXPLAIN."""
    from sqlalchemy import event

    from todo_cli import db
    from todo_cli.dburl import parse_database_url

    sys.path.insert(0, str(BENCH))
    from loadgen import page_function

    page = page_function(SCREENFUL, sort)
    engine = db.make_engine(parse_database_url(url, source="bench"))
    captured: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def capture(_c: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append(cursor.mogrify(statement, parameters).decode())

    try:
        with engine.connect() as conn, conn.begin() as trans:
            page(db.Session(conn, user))
            trans.rollback()
    finally:
        engine.dispose()
    if len(captured) != 1:
        raise BenchError(f"expected one statement for the list page, got {len(captured)}")
    return captured[0]


def plan_summary(lines: list[str]) -> list[str]:
    """The plan's scans, sorts and timing, without the planner's cost estimates."""
    keep = ("Scan", "Sort", "Execution Time", "Heap Fetches", "Rows Removed", "Limit")
    return [
        re.sub(r"\s*\(cost=[^)]*\)", "", line).rstrip()
        for line in lines
        if any(k in line for k in keep)
    ]


def plan_nodes(lines: list[str]) -> str:
    """The scans of todos in a plan, in order, on one line."""
    scans = [
        re.sub(r"\s*\(.*", "", line).strip().removeprefix("->").strip()
        for line in lines
        if "Scan" in line and " on todos" in line
    ]
    return "; ".join(dict.fromkeys(scans))


ORDER_INDEX = "ix_todos_user_open_order"
OPEN_INDEX = "ix_todos_user_open"


def index_comparison(
    url: str, page_sql: str, drop: tuple[str, ...], repeats: int = 7
) -> dict[str, Any]:
    """The list query's time with the indexes `drop` and without them, alternating
    (without = dropped inside a savepoint that is rolled back each round, all in
    a transaction that is rolled back: nothing changes)."""
    # The data layer may send statements ahead of the query in the same message
    # (e.g. set_config for row-level security): run those first, then time and
    # EXPLAIN the query alone.
    setup, _, page_sql = page_sql.rpartition(";\n")
    conn = psycopg2.connect(url, connect_timeout=10)
    times: dict[str, list[float]] = {"with": [], "without": []}
    plans: dict[str, list[str]] = {}
    try:
        with conn.cursor() as cur:
            if setup:
                cur.execute(setup)
            cur.execute(page_sql)  # warm the cache
            for _ in range(repeats):
                for label in ("with", "without"):
                    if label == "without":
                        cur.execute(f"SAVEPOINT no_index; DROP INDEX {', '.join(drop)}")
                    start = time.perf_counter()
                    cur.execute(page_sql)
                    cur.fetchall()
                    times[label].append(time.perf_counter() - start)
                    if label not in plans:
                        cur.execute("EXPLAIN (ANALYZE, TIMING OFF) " + page_sql)
                        plans[label] = [str(r[0]) for r in cur.fetchall()]
                    if label == "without":
                        cur.execute("ROLLBACK TO SAVEPOINT no_index")
        conn.rollback()
    finally:
        conn.close()
    return {
        label: {"median": statistics.median(times[label]), "plan": plans[label]} for label in times
    }


def peak_rss(b: Bench, cmd: Cmd, out: Path) -> tuple[int, float]:
    """(peak RSS in bytes, wall seconds) of one run of cmd, its stdout to `out`:
    ru_maxrss of the only child of a fresh interpreter."""
    code = (
        "import resource, subprocess, sys, time\n"
        "with open(sys.argv[1], 'wb') as out:\n"
        "    t = time.perf_counter()\n"
        "    p = subprocess.run(sys.argv[2:], stdout=out, stdin=subprocess.DEVNULL)\n"
        "    t = time.perf_counter() - t\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode, t)\n"
    )
    wrapper = Cmd(cmd.label, [b.python, "-c", code, str(out), *cmd.argv], cmd.env)
    kib, code_, wall = run_checked(wrapper, cwd=b.cwd, capture=True).stdout.split()
    if code_ != "0":
        raise BenchError(f"{cmd.label}: exit {code_}")
    return int(kib) * 1024, float(wall)


@section("scale")
def scale(b: Bench) -> list[Table]:
    started = time.perf_counter()
    with scratch_database(b.admin_url) as big, scratch_database(b.admin_url) as small:
        upgraded(b, big, "scale")
        upgraded(b, small, "scale-small")
        print("   seeding 1,000,000 todos", file=sys.stderr, flush=True)
        seeding = seed_scale(big)
        pg_run(
            small,
            "INSERT INTO users (name, created_at, last_number) "
            "SELECT 'user' || u, now(), 10 FROM generate_series(1, 10) AS u",
            "INSERT INTO users (name, created_at, last_number) "
            f"VALUES ('light', now(), {LIGHT_TODOS})",
            "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, priority, "
            f"due) SELECT u.id, n, 'todo ' || n, FALSE, now(), now(), {MIX} FROM users AS u, "
            f"generate_series(1, {LIGHT_TODOS}) AS n WHERE n <= u.last_number",
        )
        pg_run(small, "VACUUM ANALYZE", autocommit=True)
        counts = pg_run(big, "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM todos)")
        n_users, n_todos = counts[0]

        heavy_env = b.env("scale", DATABASE_URL=big, TODO_USER="heavy")
        light_env = b.env("scale-small", DATABASE_URL=small, TODO_USER="light")
        # What the default list prints for heavy: a screenful and a footer.
        shown = run_checked(Cmd("heavy list", [b.todo, "list"], heavy_env), cwd=b.cwd, capture=True)
        shown_lines = shown.stdout.splitlines()
        footer = shown.stderr.strip().splitlines()[-1] if shown.stderr.strip() else "(none)"

        heavy_next = iter(range(int(seeding["heavy_done"]) + HEAVY_OPEN // 2, 10**9))
        light_next = iter(range(1, LIGHT_TODOS + 1))
        factories: dict[str, Callable[[], Cmd]] = {
            "light: todo list": lambda: Cmd("light list", [b.todo, "list"], light_env),
            "heavy: todo list": lambda: Cmd("heavy list", [b.todo, "list"], heavy_env),
            "light: todo done N": lambda: Cmd(
                "light done", [b.todo, "done", str(next(light_next))], light_env
            ),
            "heavy: todo done N": lambda: Cmd(
                "heavy done", [b.todo, "done", str(next(heavy_next))], heavy_env
            ),
        }
        runs = min(b.runs, LIGHT_TODOS - b.warmup)
        t = time_varying(factories, runs=runs, warmup=b.warmup, cwd=b.cwd)

        (heavy_total,) = pg_run(
            big,
            "SELECT count(*) FROM todos JOIN users ON users.id = todos.user_id "
            "WHERE users.name = 'heavy'",
        )[0]
        json_out = b.work / "heavy.json"
        rss, json_wall = peak_rss(
            b,
            Cmd("heavy list --all --json", [b.todo, "list", "--all", "--json"], heavy_env),
            json_out,
        )
        items = json.loads(json_out.read_text(encoding="utf-8"))
        json_out.unlink()
        base_rss, _ = peak_rss(
            b,
            Cmd(
                "heavy list --json --limit 1", [b.todo, "list", "--json", "--limit", "1"], heavy_env
            ),
            json_out,
        )
        limited = run_checked(
            Cmd("heavy --json --limit 10", [b.todo, "list", "--json", "--limit", "10"], heavy_env),
            cwd=b.cwd,
            capture=True,
        )
        n_limited = len(json.loads(limited.stdout))

        explain_note = ""
        try:
            comparison = index_comparison(big, capture_page_sql(big, "heavy"), (ORDER_INDEX,))
            plan = plan_summary(comparison["with"]["plan"])
            b.facts["index"] = comparison
            by_number = capture_page_sql(big, "heavy", "number")
            if by_number != capture_page_sql(big, "heavy"):
                b.facts["index_by_number"] = index_comparison(
                    big, by_number, (ORDER_INDEX, OPEN_INDEX)
                )
        except Exception as exc:  # the product's API moved: report, do not fail the section
            explain_note = f"EXPLAIN skipped: {type(exc).__name__}: {exc}"
            comparison = None
    elapsed = time.perf_counter() - started

    tables = []
    seed = Table(
        "Scale: the seeded database",
        ["what", "measured"],
        rows=[
            ["users", fmt_int(n_users)],
            ["todos", fmt_int(n_todos)],
            [
                "`heavy`",
                f"{fmt_int(HEAVY_OPEN)} open, {fmt_int(seeding['heavy_done'])} done",
            ],
            ["everyone else", f"{fmt_int(seeding['per_user'])} todos each, a third done"],
            ["seeding: INSERT ... generate_series, one transaction", f"{seeding['insert']:.1f} s"],
            ["VACUUM ANALYZE", f"{seeding['vacuum']:.1f} s"],
            ["whole section (both databases, every command below)", f"{elapsed:.0f} s"],
        ],
        notes=[
            "Seeded with SQL straight into the schema `todo db upgrade` created (all indexes "
            "in place), `users.last_number` set to each user's highest number. The nearly "
            f"empty database holds `light` with {LIGHT_TODOS} open todos and 10 users with "
            "10 each. In both, every 7th todo has a priority and every 5th a due date (a "
            "tenth of those overdue), so the default order sorts on all its keys."
        ],
    )
    tables.append(seed)

    table = Table(
        "Scale: `heavy` (100,000 open todos in 1,000,000) next to a nearly empty database",
        ["what", "median ms", "runs", "ratio heavy / light", "budget", "result"],
    )
    for verb in ("todo list", "todo done N"):
        light = t[f"light: {verb}"].median
        heavy = t[f"heavy: {verb}"].median
        r = heavy / light
        ok = r <= SCALE_RATIO_BUDGET
        table.rows.append([f"light: `{verb}`", ms(light), str(runs), "reference", "", ""])
        table.rows.append(
            [
                f"heavy: `{verb}`",
                ms(heavy),
                str(runs),
                f"{r:.2f}x",
                f"<= {SCALE_RATIO_BUDGET}x",
                result(ok),
            ]
        )
        table.checks.append(
            Check(f"scale: heavy / light `{verb}`", f"{r:.2f}x", f"<= {SCALE_RATIO_BUDGET}x", ok)
        )
    bounded = len(shown_lines) <= SCREENFUL and "more" in footer
    table.rows.append(
        [
            "heavy: what `todo list` printed in a pipe",
            f"{len(shown_lines)} lines; stderr: {footer}",
            "1",
            "",
            f"<= {SCREENFUL} lines and a footer",
            result(bounded),
        ]
    )
    table.checks.append(
        Check(
            "scale: default `todo list` bounded, with a footer",
            f"{len(shown_lines)} lines",
            f"<= {SCREENFUL} + footer",
            bounded,
        )
    )
    complete = len(items) == heavy_total and len(items) >= HEAVY_OPEN
    rss_ok = rss <= RSS_BUDGET_MB * 1_000_000
    table.rows += [
        [
            "heavy: `todo list --all --json` (items / peak RSS)",
            f"{ms(json_wall)} ms; {fmt_int(len(items))} items of {fmt_int(heavy_total)}; "
            f"peak RSS {rss / 1e6:.1f} MB",
            "1",
            "",
            f"all items; RSS <= {RSS_BUDGET_MB} MB",
            result(complete and rss_ok),
        ],
        [
            "heavy: `todo list --json --limit 1` (peak RSS, for scale)",
            f"peak RSS {base_rss / 1e6:.1f} MB",
            "1",
            "",
            "",
            "",
        ],
        [
            "heavy: `todo list --json --limit 10`",
            f"{n_limited} items",
            "1",
            "",
            "10",
            result(n_limited == 10),
        ],
    ]
    table.checks += [
        Check(
            "scale: `todo list --all --json` is complete",
            f"{fmt_int(len(items))} items",
            f"= {fmt_int(heavy_total)}",
            complete,
        ),
        Check(
            "scale: peak RSS of `todo list --all --json` (heavy)",
            f"{rss / 1e6:.1f} MB",
            f"<= {RSS_BUDGET_MB} MB",
            rss_ok,
        ),
    ]
    b.facts["rss"] = (rss, base_rss, len(items))
    table.notes.append(
        f"Medians of {runs} runs after {b.warmup} warmups, the four commands interleaved. "
        "`todo list` is the default list with stdout a pipe (plain lines, no `$LINES`: a "
        f"screenful is {SCREENFUL} todos). Each `todo done N` completes a different open todo "
        "(heavy: from the middle of its list; light: 1, 2, 3, ...). Peak RSS is `ru_maxrss` "
        "of the `todo` process, the only child of a fresh interpreter; MB = 10^6 bytes."
    )
    if comparison is not None:
        table.notes.append(
            "The default list's statement for heavy (captured from the installed data layer), "
            "`EXPLAIN (ANALYZE, TIMING OFF)`, scan lines:\n\n```\n" + "\n".join(plan) + "\n```"
        )
    elif explain_note:
        table.notes.append(explain_note)
    tables.append(table)
    return tables


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


@section("load")
def load(b: Bench) -> list[Table]:
    """bench/loadgen.py drives the data layer through PgBouncer (transaction mode)."""
    title = (
        f"Load: {fmt_int(LOAD_CLIENTS)} clients through PgBouncer (transaction mode), "
        f"one operation every {LOAD_MEAN_INTERVAL:g} s each"
    )
    if not b.pgbouncer:
        note = b.pgbouncer_note or "pgbouncer is not installed"
        table = Table(title, ["what", "measured"], notes=[f"**Not measured:** {note}."])
        table.checks.append(Check("load: p95 latency", "not measured", "< 200 ms", False))
        return [table]
    from pgservers import PgBouncer

    host, port = b.pg_target()
    if host not in ("127.0.0.1", "localhost"):
        raise BenchError("the load section starts PgBouncer in front of 127.0.0.1 only")
    with scratch_database(b.admin_url) as url:
        upgraded(b, url, "load")
        pg_run(
            url,
            "INSERT INTO users (name, created_at, last_number) "
            f"SELECT 'user' || u, now(), {LOAD_USERS_SEEDED} "
            f"FROM generate_series(1, {LOAD_CLIENTS}) AS u",
            "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
            "SELECT u.id, n, 'todo ' || n, FALSE, now(), now() "
            f"FROM users AS u, generate_series(1, {LOAD_USERS_SEEDED}) AS n",
        )
        pg_run(url, "VACUUM ANALYZE", autocommit=True)
        bouncer = PgBouncer(target_port=port, pool_size=LOAD_POOL_SIZE)
        try:
            bouncer.start()
            argv = [
                b.python, str(BENCH / "loadgen.py"), bouncer.url(urlsplit(url).path.lstrip("/")),
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
                cwd=b.cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=None,  # progress lines go straight to the bench's stderr
                text=True,
                timeout=LOAD_DURATION + CLOSED_DURATION + 180,
            )
        finally:
            bouncer.stop()
    if proc.returncode != 0:
        raise BenchError(f"bench/loadgen.py exited {proc.returncode}")
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
        f"`bench/loadgen.py` in the bench venv: {fmt_int(LOAD_CLIENTS)} threads, each one user "
        f"(seeded with {LOAD_USERS_SEEDED} open todos), sleeping an exponential random "
        f"interval (mean {LOAD_MEAN_INTERVAL:g} s) before each operation for "
        f"{LOAD_DURATION:g} s (after a light phase with a tenth of the clients for "
        f"{LIGHT_DURATION:g} s: the latency without queueing): 60% list (the default list's query, 50 rows and the total), "
        "30% add, 10% done of one of the user's open todos. The threads are spread over "
        f"{processes} worker processes started together (real clients are separate processes; "
        "one interpreter's GIL would add queueing of its own). Each operation is what a `todo` "
        "command does after parsing its arguments: `todo_cli.db.run` (a new engine, one "
        "connection, one transaction, commit). Latency counts from when the operation was "
        "due, so a thread that wakes late is charged for it. Any exception is an error. "
        f"PgBouncer (`tests/pgservers.py`): transaction mode, pool size {LOAD_POOL_SIZE}, in "
        "front of the local server. The closed loop then shows the ceiling of this setup: "
        "the load generator, PgBouncer and PostgreSQL on the same cores. CPU: busy time of "
        "the whole machine (`/proc/stat`), the load generator's processes (`getrusage`), the "
        "PostgreSQL backends serving the load database and this PgBouncer (`/proc/PID/stat`); "
        "*anything else* is the rest (PostgreSQL's background processes, the kernel, and "
        "whatever else the machine was running)."
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


@section("optimisations")
def optimisations(b: Bench) -> list[Table]:
    """What each optimisation bought, measured in this run where it can be."""
    host, port = b.pg_target()
    rtt_ms = round(PROXY_DELAY_S * 1000)
    with TCPProxy(host, port) as proxy:
        url = proxied_url(b.pg_url, proxy.port)
        env = b.env("optimisations", TODO_USER="opt")

        def rts(label: str, argv: list[str]) -> tuple[int, str]:
            proxy.reset()
            out = run_checked(Cmd(label, argv, env), cwd=b.cwd, capture=True).stdout
            proxy.wait_idle()
            return proxy.round_trips, out

        lean, _ = rts("lean dialect", b.ref("dialect_probe.py", url, "lean"))
        stock, _ = rts("stock dialect", b.ref("dialect_probe.py", url, "stock"))
        probe = "batching_probe.py"
        add_one, out = rts("add batched", b.ref(probe, url, "opt", "add", "batched"))
        number, add_statements = out.split()
        add_many, _ = rts("add one by one", b.ref(probe, url, "opt", "add", "one-by-one"))
        done_one, out = rts("done batched", b.ref(probe, url, "opt", "done", "batched", number))
        done_statements = out.split()[1]
        done_many, _ = rts(
            "done one by one", b.ref(probe, url, "opt", "done", "one-by-one", str(int(number) + 1))
        )

    env = b.env("optimisations")
    imports = [
        Cmd("python -c pass", [b.python, "-c", "pass"], env),
        Cmd("import sqlalchemy", [b.python, "-c", "import sqlalchemy"], env),
        Cmd("import sqlmodel", [b.python, "-c", "import sqlmodel"], env),
        Cmd("import pydantic", [b.python, "-c", "import pydantic"], env),
    ]
    t = b.time(imports)
    base = t["python -c pass"].median
    core = t["import sqlalchemy"].median - base
    model = t["import sqlmodel"].median - base
    pyd = t["import pydantic"].median - base

    def statements(n: str) -> str:
        return "1 statement: nothing to batch" if n == "1" else f"{n} statements in one message"

    def at_rtt(n: int) -> str:
        return f"{n} x {rtt_ms} ms = {n * rtt_ms} ms per command at a {rtt_ms} ms round trip"

    table = Table(
        "Optimisations: what each one bought",
        ["optimisation", "without", "with", "bought", "source"],
    )
    table.rows += [
        [
            "lean psycopg2 dialect (`LeanPGDialect`: no first-connect probes)",
            f"{stock} round trips (stock `postgresql+psycopg2` dialect)",
            f"{lean} round trips",
            f"{stock - lean} round trips: {at_rtt(stock - lean)}",
            "this run: connect, `SELECT 1`, commit via SQLAlchemy + NullPool "
            "(`bench/refs/dialect_probe.py`), counting proxy; 14 vs 5 measured before",
        ],
        [
            "SQLAlchemy Core instead of SQLModel on the hot path",
            f"{ms(model)} ms (`import sqlmodel`)",
            f"{ms(core)} ms (`import sqlalchemy`)",
            f"{ms(model - core)} ms on every command that touches the database",
            f"this run: median wall time of `python -c ...` less `python -c pass` "
            f"({ms(base)} ms), {t['python -c pass'].runs} runs each",
        ],
        [
            "Typer pinned below 0.29 (0.29 imports pydantic for every option)",
            "`todo list` 0.85 s with Typer 0.29",
            "0.46 s with Typer 0.28",
            f"about 0.4 s per command; `import pydantic` alone costs {ms(pyd)} ms here",
            "whole-command figures quoted (measured before, not re-run: it needs another "
            "Typer); the pydantic import is this run",
        ],
        [
            "statements of one step sent as one message (`Session.execute`)",
            f"add: {add_many} round trips; done: {done_many}",
            f"add: {add_one}; done: {done_one}",
            f"add: {add_many - add_one} round trips ({statements(add_statements)}); "
            f"done: {done_many - done_one} ({statements(done_statements)}); "
            f"for add, {at_rtt(add_many - add_one)}",
            "this run: the data layer's add and complete with the product's Session vs a "
            "subclass that sends each statement alone (`bench/refs/batching_probe.py`), whole "
            "process (connect to close) through the counting proxy",
        ],
    ]
    index = b.facts.get("index")
    if index:
        for key, which, what in (
            (
                "index",
                "default `todo list`",
                f"index `{ORDER_INDEX}` in the default order (after overdue) WHERE done = false, "
                "read by two LIMITed walks (overdue, all)",
            ),
            (
                "index_by_number",
                "`--sort number`",
                f"partial indexes `{OPEN_INDEX}` (user_id, number) and `{ORDER_INDEX}` "
                "WHERE done = false",
            ),
        ):
            if key not in b.facts:
                continue
            w, wo = b.facts[key]["with"], b.facts[key]["without"]
            table.rows.append(
                [
                    f"{what}: {which}",
                    f"{ms(wo['median'])} ms: {plan_nodes(wo['plan'])}",
                    f"{ms(w['median'])} ms: {plan_nodes(w['plan'])}",
                    f"{ms(wo['median'] - w['median'])} ms per {which} of heavy's "
                    f"{SCREENFUL} first todos and the count ({wo['median'] / w['median']:.1f}x)"
                    + (
                        ": nothing measurable for this statement"
                        if abs(wo["median"] / w["median"] - 1) < 0.1
                        else ""
                    ),
                    "this run, scale section: the statement the data layer sends for heavy "
                    "(100,000 open todos), median time of 7 runs each on a local connection, "
                    "with and without alternating; without = the indexes dropped inside a "
                    "savepoint that was rolled back",
                ]
            )
    else:
        table.rows.append(
            ["partial indexes on open todos", "", "", "not measured", "run the scale section"]
        )
    if "batch_round_trips" in b.facts:
        one = b.facts["batch_one_wall"]
        table.rows.append(
            [
                f"`todo add -`: a batch in one statement ({fmt_int(BATCH_LINES)} titles)",
                f"{fmt_int(BATCH_LINES)} x `todo add`: {fmt_int(BATCH_LINES * add_one)} round "
                f"trips, about {BATCH_LINES * one / 60:.0f} min",
                f"{b.facts['batch_round_trips']} round trips, {b.facts['batch_wall']:.2f} s",
                "one process and one transaction instead of 10,000",
                "this run, batch section; the without column is computed (10,000 x one "
                f"`todo add`: {add_one} round trips, {ms(one)} ms on local PostgreSQL)",
            ]
        )
    if "rss" in b.facts:
        rss, base_rss, n = b.facts["rss"]
        table.rows.append(
            [
                "`list --json` streams (rows become JSON one at a time)",
                "",
                f"peak RSS {rss / 1e6:.1f} MB for {fmt_int(n)} todos; "
                f"{base_rss / 1e6:.1f} MB for 1",
                f"{(rss - base_rss) / 1e6:.1f} MB for {fmt_int(n)} todos",
                "this run, scale section",
            ]
        )
    table.notes.append(
        "Round trips are counted by `tests/tcp_proxy.py` as in the round-trip table; the "
        f"milliseconds they are worth assume the latency table's {rtt_ms} ms per round trip "
        "(a client far from its Neon endpoint). Import costs are wall time of a fresh "
        "interpreter importing the package, less an empty interpreter's."
    )
    return [table]


# --- the run -------------------------------------------------------------------------


def version_of(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except OSError:
        return "not installed"
    return (
        (out.stdout.strip() or out.stderr.strip()).splitlines()[0] if out.returncode == 0 else "?"
    )


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


def find_pgbouncer() -> str | None:
    found = shutil.which("pgbouncer")
    if found:
        return found
    return "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None


def header(b: Bench, pg_version: str, started: datetime, elapsed: float) -> str:
    todo_version = version_of([b.todo, "--version"]).removeprefix("todo ")
    rows = [
        ("date", started.strftime("%Y-%m-%d %H:%M %Z")),
        ("cores", f"{os.cpu_count()} (`os.cpu_count()`); CPU: {cpu_model()}"),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("PostgreSQL", f"{pg_version} (server)"),
        ("todo", todo_version),
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


HOW_MEASURED = """\
## How measured

Every command runs as a fresh process (stdin, stdout and stderr not a terminal; stdout
discarded) from a venv built for the run (`bench/.work/venv`: `pip install` of this
repository, not editable), with a private HOME and an empty working directory. Each
timing is the median wall time of {runs} runs after {warmup} warmups per command; the
Python loop interleaves the commands of a table round-robin so a noisy moment hits them
alike, and hyperfine (when installed, startup section only) runs them one after another
without a shell. Ratios divide two medians from the same run. Round trips are counted by
`tests/tcp_proxy.py` between the client and PostgreSQL: a burst of client->server data
after server data (or that opens the connection) is one round trip, however many packets
it takes. The latency table uses the same proxy with {delay_ms} ms of delay before each
client burst, a stand-in for a client far from its Neon endpoint. PostgreSQL is a
scratch database on the local server, created for the run, upgraded with
`todo db upgrade`, and dropped at the end; plain TCP (`sslmode=disable`) through the
proxy. The naive CLI gets a `postgresql+psycopg2://` URL (SQLAlchemy 2.1's default
driver for `postgresql://` is psycopg 3), so both CLIs use the same driver.

The batch, scale and load sections each work in scratch databases of their own on the
same server (created, upgraded with `todo db upgrade`, seeded with SQL where they need
volume, and dropped at the end). The batch section's wall times and the scale
section's ratios are medians; its RSS figures are single runs (`ru_maxrss` is
deterministic enough). The load section runs `bench/loadgen.py` against PgBouncer on
the same machine as PostgreSQL: the load generator, the pooler and the server share
the cores, so its latencies include that contention (and anything else the machine
was doing). The optimisations table takes its figures from this run where the bench
can measure them, and says which ones are quoted from earlier measurements. The
bench reports budgets as PASS/FAIL; it does not fail the process.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (>= 15)")
    parser.add_argument("--warmup", type=int, default=2, help="warmup runs per command")
    parser.add_argument(
        "--only", action="append", choices=sorted(SECTIONS), help="run only these sections"
    )
    parser.add_argument("--no-hyperfine", action="store_true", help="time startup in Python")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()

    bindir = Path(sys.executable).parent
    todo = bindir / "todo"
    if not todo.exists():
        print(f"bench: no todo next to {sys.executable}; run bench/run", file=sys.stderr)
        return 2
    admin_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_ADMIN_URL
    hyperfine = None if args.no_hyperfine else shutil.which("hyperfine")
    started = datetime.now().astimezone()
    t0 = time.monotonic()
    tables: list[Table] = []
    with (
        tempfile.TemporaryDirectory(prefix="todo-bench-") as tmp,
        scratch_database(admin_url) as pg_url,
    ):
        b = Bench(
            python=sys.executable,
            todo=str(todo),
            pg_url=pg_url,
            runs=args.runs,
            warmup=args.warmup,
            work=Path(tmp),
            hyperfine=hyperfine,
            task=shutil.which("task"),
            task_note=os.environ.get("BENCH_TASK_NOTE", ""),
            admin_url=admin_url,
            pgbouncer=find_pgbouncer(),
            pgbouncer_note=os.environ.get("BENCH_PGBOUNCER_NOTE", ""),
        )
        setup_env = b.env("setup", DATABASE_URL=pg_url)
        print("== setup: todo db upgrade, naive CLI table", file=sys.stderr, flush=True)
        run_checked(Cmd("todo db upgrade", [b.todo, "db", "upgrade"], setup_env), cwd=b.cwd)
        naive_env = {**setup_env, "DATABASE_URL": as_psycopg2(pg_url)}
        run_checked(Cmd("naive init", b.ref("naive_cli.py", "init"), naive_env), cwd=b.cwd)
        pg_version = server_version(pg_url)
        for name, fn in SECTIONS.items():
            if args.only and name not in args.only:
                continue
            print(f"== {name}", file=sys.stderr, flush=True)
            section_start = time.monotonic()
            for table in fn(b):
                tables.append(table)
                print("\n" + table.markdown() + "\n", flush=True)
            print(f"   ({time.monotonic() - section_start:.0f} s)", file=sys.stderr, flush=True)
        elapsed = time.monotonic() - t0
        head = header(b, pg_version, started, elapsed)

    checks = [c for t in tables for c in t.checks]
    summary = ["| budget | measured | limit | result |", "|---|---|---|---|"]
    summary += [f"| {c.name} | {c.measured} | {c.limit} | {result(c.ok)} |" for c in checks]
    passed = sum(c.ok for c in checks)
    parts = [
        "# todo benchmarks",
        f"Written by `bench/run` on {started:%Y-%m-%d}. Timings are medians; ratios compare "
        "medians measured in the same run.",
        head,
        f"## Budgets: {passed} of {len(checks)} pass",
        "\n".join(summary),
        "## Results",
        *(t.markdown() for t in tables),
        HOW_MEASURED.format(
            runs=args.runs, warmup=args.warmup, delay_ms=round(PROXY_DELAY_S * 1000)
        ).rstrip(),
    ]
    document = "\n\n".join(parts) + "\n"
    args.output.write_text(document, encoding="utf-8")
    print(head + "\n")
    print("\n".join(summary) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        sys.exit(1)
