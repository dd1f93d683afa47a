"""What every section shares: commands, timing them, tables and budgets.

A section builds Cmds, times them with Bench.time() (hyperfine -N when it is
installed, else a Python loop), and returns Tables; a Table's Checks are its
budget rows, which the run collects into the budgets table of RESULTS.md.
Every figure a budget judges is a ratio of two medians from the same run, or
a count (round trips, rows, bytes): never an absolute time.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support.tcp_proxy import TCPProxy

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
REFS = BENCH / "refs"
TITLE = "Call the bank"
PROXY_DELAY_S = 0.020  # the latency table's round trip: a client far from its Neon endpoint
HYPERFINE_ROUNDS = 3  # hyperfine runs split into rounds, the order rotated each round


class BenchError(RuntimeError):
    """A command failed or a figure cannot be trusted: the run stops with this message."""


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

    def budget(self, name: str, value: float, limit: float, *, unit: str = "x") -> bool:
        """A ratio (or count, unit "") that must be at most `limit`: adds the Check."""
        ok = value <= limit
        shown = times(value, limit) if unit == "x" else f"{value:g}{unit}"
        self.checks.append(Check(name, shown, f"<= {limit:g}{unit}", ok))
        return ok


def result(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x"


def times(value: float, limit: float | None = None) -> str:
    """A ratio as "1.23x"; with three decimals where two would hide which side
    of the limit it is on (1.702 shown as 1.70 against a limit of 1.7)."""
    if limit is not None and (round(value, 2) <= limit) != (value <= limit):
        return f"{value:.3f}x"
    return f"{value:.2f}x"


def fmt_int(n: float) -> str:
    return f"{round(n):,}"


def code(label: str) -> str:
    """A command's label in a table: `todo ...` as code, references as they are."""
    return f"`{label}`" if label.startswith(("todo", "task")) else label


# --- running and timing commands -------------------------------------------------


@dataclass
class Cmd:
    label: str
    argv: list[str]
    env: dict[str, str]
    prepare: list[str] | None = None  # run (untimed) before each run of argv
    # A regular expression its stdout must match in full before it is timed:
    # a command that answers nothing is quick, and timing it proves nothing.
    # Required of every timed command ("" for one that truly prints nothing).
    expect: str | None = None


def check_output(cmd: Cmd, *, cwd: Path) -> None:
    """Run cmd once (after its prepare), untimed; raise BenchError unless it
    exits 0 and prints what cmd.expect says."""
    if cmd.expect is None:
        raise BenchError(f"{cmd.label}: a timed command must say what it prints (Cmd.expect)")
    _prepared(cmd, cwd)
    out = run_checked(cmd, cwd=cwd, capture=True).stdout
    if not re.fullmatch(cmd.expect, out, re.DOTALL):
        raise BenchError(
            f"{cmd.label}: printed {out[:500]!r}, not what it should ({cmd.expect!r})\n"
            f"  argv: {shlex.join(cmd.argv)}"
        )


@dataclass
class Timing:
    label: str
    times: list[float]
    round_trips: list[int] = field(default_factory=list)  # per run, when through a proxy
    method: str = "python"  # or "hyperfine"
    rounds: int = 1  # hyperfine calls the runs were split into

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def runs(self) -> int:
        return len(self.times)

    def round_trip_range(self) -> str:
        rts = sorted(set(self.round_trips))
        return "-".join(str(n) for n in dict.fromkeys([rts[0], rts[-1]])) if rts else ""


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
        timeout=600,
    )
    if proc.returncode != 0:
        raise BenchError(
            f"{cmd.label}: exit {proc.returncode}\n  argv: {shlex.join(cmd.argv)}\n"
            f"  stderr: {proc.stderr.strip()}"
        )
    return proc


def _prepared(cmd: Cmd, cwd: Path) -> None:
    if cmd.prepare:
        run_checked(Cmd(f"{cmd.label} (prepare)", cmd.prepare, cmd.env), cwd=cwd)


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
        check_output(cmd, cwd=cwd)
        if proxy is not None:
            proxy.wait_idle()
        for _ in range(warmup):
            _prepared(cmd, cwd)
            run_checked(cmd, cwd=cwd)
            if proxy is not None:
                proxy.wait_idle()
    timings = {c.label: Timing(c.label, []) for c in cmds}
    for i in range(runs):
        for cmd in cmds[i % len(cmds) :] + cmds[: i % len(cmds)]:
            _prepared(cmd, cwd)
            if proxy is not None:
                proxy.wait_idle()
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
    on a different N each time): each factory returns the next command (one
    more than runs + warmup: the first is the check of its output)."""
    labels = list(factories)
    for label in labels:
        check_output(factories[label](), cwd=cwd)
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


def _one_environment(cmds: list[Cmd]) -> tuple[dict[str, str], list[Cmd]]:
    """hyperfine runs every command in one environment: when the commands'
    differ, each runs under `env -i` with its own (the same small cost for all)."""
    env = cmds[0].env
    if all(c.env == env for c in cmds):
        return env, cmds
    wrapped = []
    for c in cmds:
        prefix = [
            shutil.which("env") or "/usr/bin/env",
            "-i",
            *(f"{k}={v}" for k, v in c.env.items()),
        ]
        prepare = [*prefix, *c.prepare] if c.prepare else None
        wrapped.append(Cmd(c.label, [*prefix, *c.argv], c.env, prepare, c.expect))
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, wrapped


def time_hyperfine(
    hyperfine: str,
    cmds: list[Cmd],
    *,
    runs: int,
    warmup: int,
    cwd: Path,
    work: Path,
    rounds: int = HYPERFINE_ROUNDS,
) -> dict[str, Timing]:
    """Medians measured by hyperfine -N (no shell), in `rounds` calls of
    runs/rounds runs each, the commands in a rotated order each time, so a
    noisy minute does not fall on one command alone. Each round warms up."""
    for cmd in cmds:
        check_output(cmd, cwd=cwd)
    env, cmds = _one_environment(cmds)
    rounds = max(1, min(rounds, runs))
    per_round = -(-runs // rounds)
    times: dict[str, list[float]] = {c.label: [] for c in cmds}
    true = shutil.which("true") or "/bin/true"
    for r in range(rounds):
        order = cmds[r % len(cmds) :] + cmds[: r % len(cmds)]
        out = work / f"hyperfine-{uuid.uuid4().hex[:8]}.json"
        argv = [hyperfine, "-N", "--style", "none", "--warmup", str(warmup)]
        argv += ["--runs", str(per_round), "--export-json", str(out)]
        if any(c.prepare for c in order):
            for c in order:
                argv += ["--prepare", shlex.join(c.prepare or [true])]
        for c in order:
            argv += ["-n", c.label, shlex.join(c.argv)]
        proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            raise BenchError(f"hyperfine failed (exit {proc.returncode}): {proc.stderr.strip()}")
        data = json.loads(out.read_text())
        out.unlink()
        for c, r_ in zip(order, data["results"], strict=True):
            times[c.label] += r_["times"]
    return {
        label: Timing(label, t, method="hyperfine", rounds=rounds) for label, t in times.items()
    }


# --- the shared context ------------------------------------------------------------


@dataclass
class Bench:
    python: str  # the bench venv's interpreter: runs the refs and `python -c pass`
    todo: str  # the bench venv's `todo`
    pg_url: str  # the run's scratch database, at head, direct (no proxy)
    admin_url: str  # may create and drop databases
    runs: int
    warmup: int
    work: Path  # a temporary directory for homes, task data and hyperfine output
    hyperfine: str | None
    task: str | None
    task_note: str = ""
    pgbouncer: str | None = None
    pgbouncer_note: str = ""
    baseline: str | None = None  # --baseline REV
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

    def run(self, cmd: Cmd, **kw: Any) -> subprocess.CompletedProcess[str]:
        return run_checked(cmd, cwd=self.cwd, **kw)

    def time(
        self,
        cmds: list[Cmd],
        *,
        proxy: TCPProxy | None = None,
        runs: int | None = None,
        warmup: int | None = None,
    ) -> dict[str, Timing]:
        """hyperfine when installed (and no proxy counts round trips per run),
        else the interleaved Python loop."""
        runs = self.runs if runs is None else runs
        warmup = self.warmup if warmup is None else warmup
        if self.hyperfine and proxy is None:
            return time_hyperfine(
                self.hyperfine, cmds, runs=runs, warmup=warmup, cwd=self.cwd, work=self.work
            )
        return time_interleaved(cmds, runs=runs, warmup=warmup, cwd=self.cwd, proxy=proxy)


def how_timed(timings: dict[str, Timing], warmup: int) -> str:
    """One sentence for a table's notes: how its timings were taken."""
    first = next(iter(timings.values()))
    runs = first.runs
    if first.method == "hyperfine":
        return (
            f"Timed with hyperfine -N (no shell): {runs} runs per command in {first.rounds} "
            f"hyperfine calls, the commands in a rotated order in each, {warmup} warmup "
            "run(s) per command in each call; medians shown."
        )
    return (
        f"Timed with a Python loop, the commands interleaved round-robin: {warmup} "
        f"warmup run(s) and {runs} timed runs per command; medians shown."
    )
