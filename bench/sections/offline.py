"""Offline mode (README: Offline): `todo add` queued and `todo list` from the
copy, with the server gone, next to `todo --version`."""

from __future__ import annotations

from bench.harness import Bench, Cmd, Table, code, how_timed, ms, ratio, result, times
from tests.support.network import Network

NAME = "offline"
ORDER = 35
OFFLINE_BUDGET = 1.3  # offline todo add / list over todo --version
TIMED = ("todo add", "todo list")


def run(b: Bench) -> list[Table]:
    _, port = b.pg_target()
    with Network(port) as net:
        env = b.env("offline", DATABASE_URL=net.url(b.pg_url), TODO_USER="offline-bench")
        for title in ("Pay rent", "Call the bank", "Book flights"):
            b.run(Cmd("todo add (online)", [b.todo, "add", title], env))
        b.run(Cmd("todo list (online)", [b.todo, "list"], env))  # the copy
        net.mode = "refuse"  # the server is gone: nothing listens on its port
        dns = b.env(
            "offline-dns",
            DATABASE_URL="postgresql://bench@todo-bench.invalid/todo",
            TODO_USER="offline-bench",
        )
        t = b.time(
            [
                Cmd("todo --version", [b.todo, "--version"], env, expect=r"todo \S+\n"),
                # Queued: a provisional name where the number would be.
                Cmd("todo add", [b.todo, "add", "Water the plants"], env, expect=r"q\d+\n"),
                Cmd("todo list", [b.todo, "list"], env, expect=r"(\d+\topen\t.*\n){3}"),
                Cmd(
                    "todo add (a name that does not resolve)",
                    [b.todo, "add", "x"],
                    dns,
                    expect=r"q\d+\n",
                ),
            ]
        )
    floor = t["todo --version"].median
    table = Table(
        "Offline: a change queued, a list from the copy, next to `todo --version`",
        ["what", "median ms", "runs", "ratio vs `todo --version`", "budget", "result"],
    )
    for label, timing in t.items():
        row = [code(label), ms(timing.median), str(timing.runs), ratio(timing.median, floor)]
        row += ["", ""]
        if label == "todo --version":
            row[3] = "reference"
        if label in TIMED:
            ok = table.budget(
                f"offline: `{label}` / `todo --version`", timing.median / floor, OFFLINE_BUDGET
            )
            row[3] = times(timing.median / floor, OFFLINE_BUDGET)
            row[4:] = [f"<= {OFFLINE_BUDGET}x", result(ok)]
        table.rows.append(row)
    table.notes.append(
        how_timed(t, b.warmup) + " `DATABASE_URL` names the run's database through a "
        "forwarder (tests/support/network.py) that three `todo add` and a `todo list` went "
        "through online, then stopped: the port refuses, which is offline at once. Each "
        "timed `todo add` is queued (the outbox grows over the runs); `todo list` answers "
        "from the copy with its one-line notice. The last row's host name does not resolve."
    )
    return [table]
