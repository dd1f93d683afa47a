"""`todo import` of 10,000 todo.txt lines, the same file again, and its undo:
round trips through the counting proxy, wall times on the local server."""

from __future__ import annotations

import statistics
import time

from bench.harness import Bench, BenchError, Cmd, Table, fmt_int, ms
from bench.pg import user_todos
from tests.support.tcp_proxy import TCPProxy, proxied_url

NAME = "import"
ORDER = 70
LINES = 10_000
RUNS = 5


def run(b: Bench) -> list[Table]:
    source = b.work / "import.todo.txt"
    source.write_text(
        "".join(
            f"(B) 2026-11-01 Imported todo {i} +bulk @home due:2027-01-15\n"
            for i in range(1, LINES + 1)
        ),
        encoding="utf-8",
    )
    steps = (
        ("import", [b.todo, "import", str(source)]),
        ("again", [b.todo, "import", str(source)]),
        ("undo", [b.todo, "undo"]),
    )
    host, port = b.pg_target()
    counted: dict[str, int] = {}
    with TCPProxy(host, port) as proxy:
        env = b.env(
            "import", DATABASE_URL=proxied_url(b.pg_url, proxy.port), TODO_USER="import-proxy"
        )
        for label, argv in steps:
            proxy.reset()
            b.run(Cmd(f"todo {label}", argv, env))
            proxy.wait_idle()
            counted[label] = proxy.round_trips
            if label == "again" and user_todos(b.pg_url, "import-proxy") != LINES:
                raise BenchError("the import did not leave exactly 10,000 todos")
    if user_todos(b.pg_url, "import-proxy") != 0:
        raise BenchError("todo undo did not take the whole import back")

    walls: dict[str, list[float]] = {label: [] for label, _ in steps}
    for i in range(1 + RUNS):  # the first round is a warmup
        env = b.env("import", DATABASE_URL=b.pg_url, TODO_USER=f"import-{i}")
        for label, argv in steps:
            start = time.perf_counter()
            b.run(Cmd(f"todo {label}", argv, env))
            if i:
                walls[label].append(time.perf_counter() - start)
    b.facts["import_round_trips"] = counted["import"]
    table = Table(
        f"Import: `todo import` of {fmt_int(LINES)} todo.txt lines",
        ["what", "round trips", "median ms", "runs"],
    )
    for label, what in (
        ("import", f"import {fmt_int(LINES)} new todos (one transaction)"),
        ("again", "the same file again: every line skipped as already imported"),
        ("undo", "`todo undo`: the whole import taken back"),
    ):
        times = walls[label]
        table.rows.append(
            [
                what,
                str(counted[label]),
                f"{ms(statistics.median(times))} (min {ms(min(times))}, max {ms(max(times))})",
                str(len(times)),
            ]
        )
    table.notes.append(
        "Lines like `(B) 2026-11-01 Imported todo 1 +bulk @home due:2027-01-15`, on local "
        "PostgreSQL. Timed with a Python loop: each round imports into a fresh user, then "
        "imports the same file again, then undoes, after one warmup round; medians shown. "
        "Round trips through `tests/support/tcp_proxy.py` (as user `import-proxy`, which "
        "ends with no todos: checked): one explicit transaction that reads the keys "
        "already imported, sends a message per batch of todos, and the journal entry with "
        "the COMMIT, plus the connection and Terminate. No budget in the issue; reported "
        "as measured."
    )
    return [table]
