"""This tree next to an earlier revision (`--baseline REV`, e.g. the previous
release, 6de766f): `todo list --all --json` and `todo export` of 100,000
todos on SQLite, in the same run, and the same bytes out of both."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from bench import baseline
from bench.harness import (
    Bench,
    BenchError,
    Check,
    Cmd,
    Table,
    fmt_int,
    how_timed,
    ms,
    result,
    times,
)
from bench.seed import seed_sqlite, sqlite_file

NAME = "baseline"
ORDER = 90
TODOS = 100_000
BUDGET = 0.25  # this tree / the baseline
RUNS = 6
WARMUP = 1
COMMANDS = (("todo list --all --json", ["list", "--all", "--json"]), ("todo export", ["export"]))


def skip(b: Bench) -> str | None:
    return None if b.baseline else "it needs --baseline REV"


def _digest(b: Bench, cmd: Cmd) -> tuple[str, int]:
    """md5 and size of what the command writes to stdout (bytes, as they are)."""
    proc = subprocess.run(
        cmd.argv,
        env=cmd.env,
        cwd=b.cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise BenchError(f"{cmd.label}: exit {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return hashlib.md5(proc.stdout).hexdigest(), len(proc.stdout)


def run(b: Bench) -> list[Table]:
    assert b.baseline
    base_todo, sha = baseline.build(b.baseline, b.python)
    rev = f"{b.baseline} ({sha[:7]})" if not sha.startswith(b.baseline) else sha[:7]
    sides = {"this tree": b.todo, rev: base_todo}
    cmds: dict[tuple[str, str], Cmd] = {}
    for n, (side, todo) in enumerate(sides.items()):
        env = b.env(f"baseline-{n}", TODO_USER="bench")
        b.run(Cmd(f"{side}: todo list (creates the file)", [todo, "list"], env))
        seed_sqlite(sqlite_file(Path(env["HOME"])), "bench", TODOS, done_every=3)
        for label, args in COMMANDS:
            cmds[(side, label)] = Cmd(f"{side}: {label}", [todo, *args], env)
    digests = {key: _digest(b, cmd) for key, cmd in cmds.items()}
    t = b.time(list(cmds.values()), runs=RUNS, warmup=WARMUP)

    table = Table(
        f"Baseline: this tree next to {rev}, {fmt_int(TODOS)} todos on SQLite",
        [
            "what",
            "this tree ms",
            f"{rev} ms",
            "this tree / baseline",
            "same bytes",
            "budget",
            "result",
        ],
    )
    for label, _ in COMMANDS:
        ours, theirs = cmds[("this tree", label)], cmds[(rev, label)]
        mine, base = t[ours.label].median, t[theirs.label].median
        (md5, size), (base_md5, base_size) = digests[("this tree", label)], digests[(rev, label)]
        same = md5 == base_md5
        ok = mine / base <= BUDGET and same
        table.rows.append(
            [
                f"`{label}`",
                ms(mine),
                ms(base),
                times(mine / base, BUDGET),
                f"yes (md5 {md5[:12]}, {fmt_int(size)} bytes)"
                if same
                else f"NO: md5 {md5[:12]} ({fmt_int(size)} bytes) vs {base_md5[:12]} "
                f"({fmt_int(base_size)} bytes)",
                f"<= {BUDGET}x, same bytes",
                result(ok),
            ]
        )
        table.checks.append(
            Check(
                f"baseline: `{label}` of {fmt_int(TODOS)} todos (SQLite), this tree / {rev}",
                f"{times(mine / base, BUDGET)}, {'same bytes' if same else 'DIFFERENT bytes'}",
                f"<= {BUDGET}x, same bytes",
                ok,
            )
        )
    table.notes.append(
        how_timed(t, WARMUP) + f" {RUNS} runs here, not the run's default: each baseline run "
        f"takes seconds. The baseline is commit {sha[:12]}, installed from `git archive` into "
        f"`bench/.work/baseline-{sha[:12]}/venv` with every dependency pinned to the bench "
        "venv's versions. Each side has its own embedded SQLite file under a private HOME, "
        "created by its own `todo list` (so each has its own schema revision), then seeded "
        f"with the same SQL: {fmt_int(TODOS)} todos for one user, every 3rd done, the "
        "priority and due mix of the other tables, tags on every 4th and 6th, a note on "
        "every 10th, timestamps fixed (not the clock). The four commands differ in their "
        "environment (HOME), so each runs under `env -i` with its own. Same bytes: md5 of "
        "stdout of one untimed run of each."
    )
    return [table]
