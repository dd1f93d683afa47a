"""This tree next to an earlier revision (`--baseline REV`, e.g. the previous
release, 6de766f): `todo list --all --json` and `todo export` of 100,000
todos on SQLite, in the same run, and the same todos out of both (the keys
the baseline writes, with the same values; the JSON shape of a todo has
gained keys at its end since: every, until, wait, wait_before, owner)."""

from __future__ import annotations

import hashlib
import json
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
# this tree / the baseline. 0.25 while both wrote the same bytes; since the
# shape gained five keys (35% more bytes at 100,000 todos), 0.32.
BUDGET = 0.32
RUNS = 6
WARMUP = 1
COMMANDS = (("todo list --all --json", ["list", "--all", "--json"]), ("todo export", ["export"]))


def skip(b: Bench) -> str | None:
    return None if b.baseline else "it needs --baseline REV"


def _digest(b: Bench, cmd: Cmd, keys: set[str] | None = None) -> tuple[str, int, set[str]]:
    """md5 of the todos the command writes (only `keys` of each, when
    given), the size of its stdout, and the keys it writes."""
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
    todos = json.loads(proc.stdout)
    written = set(todos[0]) if todos else set()
    kept = [{k: t[k] for k in sorted(keys or written)} for t in todos]
    return hashlib.md5(json.dumps(kept).encode()).hexdigest(), len(proc.stdout), written


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
            # Both write a JSON array of the seeded todos.
            cmds[(side, label)] = Cmd(f"{side}: {label}", [todo, *args], env, expect=r"\[\n.+\]\n")
    base_digests = {key: _digest(b, cmd) for key, cmd in cmds.items() if key[0] == rev}
    digests = {
        key: base_digests.get(key) or _digest(b, cmd, base_digests[(rev, key[1])][2])
        for key, cmd in cmds.items()
    }
    t = b.time(list(cmds.values()), runs=RUNS, warmup=WARMUP)

    table = Table(
        f"Baseline: this tree next to {rev}, {fmt_int(TODOS)} todos on SQLite",
        [
            "what",
            "this tree ms",
            f"{rev} ms",
            "this tree / baseline",
            "same todos",
            "budget",
            "result",
        ],
    )
    for label, _ in COMMANDS:
        ours, theirs = cmds[("this tree", label)], cmds[(rev, label)]
        mine, base = t[ours.label].median, t[theirs.label].median
        (md5, size, _), (base_md5, base_size, _) = (
            digests[("this tree", label)],
            digests[(rev, label)],
        )
        same = md5 == base_md5
        ok = mine / base <= BUDGET and same
        table.rows.append(
            [
                f"`{label}`",
                ms(mine),
                ms(base),
                times(mine / base, BUDGET),
                f"yes (md5 {md5[:12]}; {fmt_int(size)} bytes vs {fmt_int(base_size)})"
                if same
                else f"NO: md5 {md5[:12]} vs {base_md5[:12]}",
                f"<= {BUDGET}x, same todos",
                result(ok),
            ]
        )
        table.checks.append(
            Check(
                f"baseline: `{label}` of {fmt_int(TODOS)} todos (SQLite), this tree / {rev}",
                f"{times(mine / base, BUDGET)}, {'same todos' if same else 'DIFFERENT todos'}",
                f"<= {BUDGET}x, same todos",
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
        "environment (HOME), so each runs under `env -i` with its own. Same todos: md5 of "
        "the keys the baseline writes, of every todo, from one untimed run of each (this "
        "tree writes five more keys, hence more bytes, and the budget of 0.32x that was "
        "0.25x for the same bytes)."
    )
    return [table]
