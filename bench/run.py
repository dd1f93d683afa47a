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
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
REFS = BENCH / "refs"
sys.path.insert(0, str(ROOT / "tests"))

from tcp_proxy import TCPProxy  # noqa: E402  (tests/ is on the path from here on)

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


def run_checked(cmd: Cmd, *, cwd: Path, capture: bool = False) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd.argv,
        env=cmd.env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
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


def proxied(url: str, port: int) -> str:
    """The same URL with 127.0.0.1:port as its host; sslmode=disable unless it names one."""
    parts = urlsplit(url)
    userinfo, at, _ = parts.netloc.rpartition("@")
    query = parts.query
    if "sslmode" not in dict(parse_qsl(query)):
        query = f"{query}&sslmode=disable" if query else "sslmode=disable"
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}127.0.0.1:{port}", query=query))


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
        url = proxied(b.pg_url, proxy.port)
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
        url = proxied(b.pg_url, proxy.port)
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
driver for `postgresql://` is psycopg 3), so both CLIs use the same driver. The bench
reports budgets as PASS/FAIL; it does not fail the process.
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
