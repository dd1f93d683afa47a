"""Round trips per command, counted by a TCP proxy: every everyday command is
connect + one message + Terminate, the floor raw psycopg2 reaches only in
autocommit; its default (BEGIN, the statement, COMMIT) costs two more."""

from __future__ import annotations

from dataclasses import dataclass

from bench.harness import TITLE, Bench, BenchError, Check, Cmd, Table, result
from bench.pg import as_psycopg2
from tests.support.tcp_proxy import TCPProxy, proxied_url

NAME = "round-trips"
ORDER = 20
ONE_MESSAGE = 3  # connect + one message + Terminate, through the proxy


@dataclass
class Count:
    label: str
    round_trips: int
    connections: int
    stdout: str


def run(b: Bench) -> list[Table]:
    host, port = b.pg_target()
    source = b.work / "round-trips.todo.txt"
    source.write_text("".join(f"(B) Imported {i} +bulk\n" for i in range(1, 4)), encoding="utf-8")
    with TCPProxy(host, port) as proxy:
        url = proxied_url(b.pg_url, proxy.port)
        env = b.env("round-trips", DATABASE_URL=url, TODO_USER="rt")
        naive_env = {**env, "DATABASE_URL": as_psycopg2(url)}

        def count(label: str, argv: list[str], run_env: dict[str, str] = env) -> Count:
            proxy.reset()
            proc = b.run(Cmd(label, argv, run_env), capture=True)
            proxy.wait_idle()
            if proxy.errors:
                raise BenchError(f"{label}: proxy errors {proxy.errors}")
            return Count(label, proxy.round_trips, proxy.connections, proc.stdout)

        def todo(*args: str, label: str = "") -> Count:
            return count(label or "todo " + " ".join(args), [b.todo, *args])

        floors = [
            count("psycopg2, one message", b.ref("psycopg2_add.py", url, TITLE, "--one-message"))
            for _ in range(2)
        ]
        if floors[0].round_trips != floors[1].round_trips:
            raise BenchError(f"the one-message floor is not deterministic: {floors}")
        floor = floors[0].round_trips
        default = count("psycopg2 default", b.ref("psycopg2_add.py", url, TITLE))
        naive_add = count("naive add", b.ref("naive_cli.py", "add", TITLE), naive_env)
        naive_list = count("naive list", b.ref("naive_cli.py", "list"), naive_env)
        everyday = [
            todo("add", TITLE, label="todo add (the user's first)"),
            todo("add", "Pay rent", label="todo add"),
            todo("list"),
            todo("show", "1", label="todo show N"),
            todo(
                "edit",
                "1",
                "--title",
                "Call the bank today",
                "--tag",
                "+phone",
                label="todo edit N --title T --tag +phone",
            ),
            todo("done", "1", label="todo done N"),
            todo("reopen", "1", label="todo reopen N"),
            todo("rm", "2", "--yes", label="todo rm N --yes"),
            todo("log"),
            todo("export"),
            todo("whoami", "--check"),
        ]
        measured = [
            todo("undo", label="todo undo (of the rm)"),
            todo("import", str(source), label="todo import (3 todo.txt lines)"),
        ]
    if floor != ONE_MESSAGE:
        raise BenchError(f"raw psycopg2 in one message took {floor} round trips, not 3")

    table = Table(
        "Round trips per command (client->server bursts, counted by a TCP proxy)",
        [
            "what",
            "round trips",
            "connections",
            "vs one-message floor",
            "naive CLI, same operation",
            "budget",
            "result",
        ],
    )
    table.rows += [
        [
            "psycopg2 add, one message: connect, INSERT ... RETURNING (autocommit)",
            str(floor),
            "1",
            "floor",
            "",
            "",
            "",
        ],
        [
            "psycopg2 add, default: connect, BEGIN, INSERT ... RETURNING, COMMIT",
            str(default.round_trips),
            str(default.connections),
            f"{default.round_trips - floor:+d}",
            "",
            "",
            "",
        ],
    ]
    for c in (naive_add, naive_list):
        table.rows.append(
            [
                f"{c.label} (Typer + SQLModel)",
                str(c.round_trips),
                str(c.connections),
                f"{c.round_trips - floor:+d}",
                "",
                "",
                "",
            ]
        )
    same = {
        "todo add": naive_add,
        "todo add (the user's first)": naive_add,
        "todo list": naive_list,
    }
    for c in everyday:
        ok = c.round_trips <= floor and c.connections == 1
        naive = same.get(c.label)
        table.rows.append(
            [
                f"`{c.label}`",
                str(c.round_trips),
                str(c.connections),
                f"{c.round_trips - floor:+d}",
                str(naive.round_trips) if naive else "(none)",
                f"= {floor} on 1 connection",
                result(ok),
            ]
        )
        table.checks.append(
            Check(f"round trips: `{c.label}`", str(c.round_trips), f"= {floor}", ok)
        )
    for c in measured:
        table.rows.append(
            [
                f"`{c.label}`",
                str(c.round_trips),
                str(c.connections),
                f"{c.round_trips - floor:+d}",
                "(none)",
                "as measured",
                "",
            ]
        )
    table.notes.append(
        "A round trip is a burst of client->server data after server data (or opening the "
        "connection): each is one wait on the network. The final Terminate message counts "
        "too, for every row alike. Every everyday command sends its transaction-local "
        "settings and its statements as one simple-query message, which PostgreSQL runs as "
        "one implicit transaction; `undo` and `import` read before they write, in one "
        "explicit transaction (no budget: reported as measured). Counts are deterministic: "
        "each command ran once (the floor twice, and both agreed), as user `rt` in the "
        "run's scratch database."
    )
    return [table]
