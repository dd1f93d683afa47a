"""The everyday commands without the CLI framework's start-up (fastpath.py):
on SQLite next to the interpreter alone, and over TLS with SCRAM and 20 ms
per round trip next to `psql -c` and a 4-line psycopg2 script."""

from __future__ import annotations

import os
import re

from bench.harness import (
    PROXY_DELAY_S,
    TITLE,
    Bench,
    Cmd,
    Table,
    Timing,
    code,
    how_timed,
    ms,
    ratio,
    result,
    times,
)
from tests.support.pgservers import PG_BIN, SCRAM_PASSWORD, SCRAM_USER, Cluster
from tests.support.tcp_proxy import TCPProxy

NAME = "fastpath"
ORDER = 33
SQLITE_BUDGET = 3.5  # todo add / list / done N over python -c pass, embedded SQLite
SCRIPT_BUDGET = 1.15  # todo add / the 4-line psycopg2 script, TLS + SCRAM + 20 ms
PSQL_BUDGET = 1.2  # todo add / psql -c, the same
EVERYDAY = ("todo add", "todo list", "todo done N")
INSERT = "INSERT INTO bench_insert (title) VALUES ('Call the bank')"


def skip(_b: Bench) -> str | None:
    if os.geteuid() != 0 and not os.access(PG_BIN / "initdb", os.X_OK):
        return "no initdb to run a private PostgreSQL cluster with TLS"
    return None


def run(b: Bench) -> list[Table]:
    return [_sqlite(b), _tls(b)]


def _table(title: str, reference: str, t: dict[str, Timing]) -> Table:
    table = Table(title, ["what", "median ms", "runs", f"ratio vs {reference}", "budget", "result"])
    for label, timing in t.items():
        table.rows.append(
            [
                code(label),
                ms(timing.median),
                str(timing.runs),
                "reference" if label == reference else ratio(timing.median, t[reference].median),
                "",
                "",
            ]
        )
    return table


def _sqlite(b: Bench) -> Table:
    env = b.env("fastpath-sqlite", TODO_USER="bench")
    b.run(Cmd("todo add (first)", [b.todo, "add", TITLE], env))
    cmds = [
        Cmd("python -c pass", [b.python, "-c", "pass"], env, expect=""),
        Cmd("todo add", [b.todo, "add", TITLE], env, expect=r"\d+\n"),
        Cmd("todo list", [b.todo, "list"], env, expect=rf"(\d+\topen\t{re.escape(TITLE)}\n)+"),
        Cmd(
            "todo done N",
            [b.todo, "done", "1"],
            env,
            prepare=[b.todo, "reopen", "1"],
            expect=rf"Completed 1: {re.escape(TITLE)}\n",
        ),
        Cmd("todo --version", [b.todo, "--version"], env, expect=r"todo \S+\n"),
    ]
    t = b.time(cmds)
    table = _table(
        "Fast path, local SQLite: everyday commands next to `python -c pass`",
        "python -c pass",
        t,
    )
    python = t["python -c pass"].median
    for row in table.rows:
        label = row[0].strip("`")
        if label in EVERYDAY:
            value = t[label].median / python
            ok = table.budget(
                f"fast path, SQLite: `{label}` / `python -c pass`", value, SQLITE_BUDGET
            )
            row[3:] = [times(value, SQLITE_BUDGET), f"<= {SQLITE_BUDGET}x", result(ok)]
    table.notes.append(
        how_timed(t, b.warmup) + " The embedded SQLite default under a private HOME, made by "
        "an untimed first `todo add`; `todo done N` completes todo 1, reopened (untimed) "
        "before each run. The everyday commands are parsed by the fast path (no Typer, "
        "Click or Rich); `todo --version` still goes through Typer, for comparison."
    )
    return table


def _tls(b: Bench) -> Table:
    cluster = Cluster(max_connections=20).start_fresh()
    try:
        cluster.psql("CREATE TABLE bench_insert (id bigserial PRIMARY KEY, title text)", "todo")
        cluster.psql(f"ALTER TABLE bench_insert OWNER TO {SCRAM_USER}", "todo")
        login = f"{SCRAM_USER}:{SCRAM_PASSWORD}"
        direct = cluster.url(user=login, query="sslmode=require")
        setup = b.env("fastpath-tls", DATABASE_URL=direct)
        b.run(Cmd("todo db upgrade (TLS)", [b.todo, "db", "upgrade"], setup))
        with TCPProxy("127.0.0.1", cluster.port, delay_s=PROXY_DELAY_S) as proxy:
            url = f"postgresql://{login}@127.0.0.1:{proxy.port}/todo?sslmode=require"
            env = b.env("fastpath-tls", DATABASE_URL=url, PGPASSWORD=SCRAM_PASSWORD)
            psql_url = f"postgresql://{SCRAM_USER}@127.0.0.1:{proxy.port}/todo?sslmode=require"
            cmds = [
                Cmd(
                    'psql -c "insert ..."',
                    [str(PG_BIN / "psql"), psql_url, "-qc", INSERT],
                    env,
                    expect="",
                ),
                Cmd("psycopg2, 4 lines", b.ref("psycopg2_4_lines.py", url, TITLE), env, expect=""),
                Cmd("todo add", [b.todo, "add", TITLE], env, expect=r"\d+\n"),
            ]
            t = b.time(cmds, proxy=proxy)
    finally:
        cluster.destroy()
    delay = round(PROXY_DELAY_S * 1000)
    table = _table(
        f"Fast path over TLS with SCRAM, {delay} ms per round trip: `todo add` next to psql",
        'psql -c "insert ..."',
        t,
    )
    table.columns.insert(3, "round trips")
    for row in table.rows:
        row.insert(3, t[row[0].strip("`")].round_trip_range())
    add = t["todo add"].median
    by_script = add / t["psycopg2, 4 lines"].median
    by_psql = add / t['psql -c "insert ..."'].median
    ok_script = table.budget(
        f"fast path, TLS + SCRAM + {delay} ms: `todo add` / 4-line psycopg2",
        by_script,
        SCRIPT_BUDGET,
    )
    ok_psql = table.budget(
        f"fast path, TLS + SCRAM + {delay} ms: `todo add` / `psql -c`", by_psql, PSQL_BUDGET
    )
    row = next(r for r in table.rows if r[0] == "`todo add`")
    row[4:] = [
        f"{times(by_psql, PSQL_BUDGET)} of psql, {times(by_script, SCRIPT_BUDGET)} of psycopg2",
        f"<= {PSQL_BUDGET}x psql, <= {SCRIPT_BUDGET}x psycopg2",
        result(ok_script and ok_psql),
    ]
    table.notes.append(
        how_timed(t, b.warmup) + " A private PostgreSQL cluster (tests/support/pgservers.py: "
        "TLS on, SCRAM-SHA-256 required for scram_user over TLS) behind a proxy that adds "
        f"{delay} ms to every round trip; every client connects with sslmode=require as "
        "scram_user. psql runs one INSERT (-c, autocommit); the psycopg2 script is "
        "`bench/refs/psycopg2_4_lines.py` (connect, autocommit, INSERT, close); `todo add` "
        "adds one todo. Round trips are counted by the proxy for each run."
    )
    return table
