"""Network round trips per command on PostgreSQL, counted by a TCP proxy.

On Neon every round trip is a WAN latency, and with NullPool every command
opens a fresh connection, so round trips are the cost that matters. The
budget: no command may take more than 2 round trips above the psycopg2
floor (connect + BEGIN + one statement + COMMIT + Terminate, measured
through the same proxy in the same run). Today every command costs exactly
the floor; the exact-count assertions make any regression visible.

Run with -s to see the table. The proxied URL keeps the server's host
name out of it, so this targets a server that accepts plain TCP (the local
one, or TEST_DATABASE_URL without TLS SNI routing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg2
import pytest
from conftest import TODO_BIN, ScratchDatabases, Todo
from tcp_proxy import TCPProxy
from tcp_proxy import proxied_url as to_proxy

from todo_cli.dburl import parse_database_url

# Allowed round trips above the floor, and what each command costs today
# (extra over the floor). Keep both honest: lower EXACT_EXTRA when a command
# gets cheaper; a command that gets dearer fails here first.
BUDGET_EXTRA = 2
EXACT_EXTRA = 0

FLOOR_SCRIPT = """
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor()
cur.execute("INSERT INTO rt_floor (note) VALUES (%s) RETURNING id", ("floor",))
cur.fetchone()
conn.commit()
conn.close()
"""

# Stock SQLAlchemy next to the same code path on todo's lean dialect: the
# only difference between the two is the first-connect dialect probes.
SQLALCHEMY_SCRIPT = """
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from todo_cli.dburl import parse_database_url

url = parse_database_url(sys.argv[2], source="")
if sys.argv[1] == "stock":
    engine = create_engine(url.sqlalchemy_url, poolclass=NullPool)
else:
    from todo_cli.db import make_engine
    engine = make_engine(url)
with engine.connect() as conn:
    conn.execute(text("select 1"))
    conn.commit()
engine.dispose()
"""


@dataclass
class Measured:
    label: str
    round_trips: int
    connections: int
    bytes_down: int
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def rt_db(scratch_dbs: ScratchDatabases) -> str:
    """A database of its own at head, plus a table for the psycopg2 floor."""
    url = scratch_dbs.create()
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE rt_floor (id serial PRIMARY KEY, note text)")
    conn.close()
    return url


@pytest.fixture(scope="module")
def proxy(rt_db: str) -> Iterator[TCPProxy]:
    target = parse_database_url(rt_db, source="")
    with TCPProxy(target.host or "127.0.0.1", target.port or 5432) as p:
        yield p


@pytest.fixture(scope="module")
def proxied_url(rt_db: str, proxy: TCPProxy) -> str:
    return to_proxy(rt_db, proxy.port)


class Meter:
    """Runs one process against the proxy and reads the counts once it has closed."""

    def __init__(self, proxy: TCPProxy, todo: Todo, url: str) -> None:
        self.proxy = proxy
        self.todo = todo
        self.url = url

    def run(
        self, label: str, argv: list[str], *, user: str = "alice", expect_code: int = 0
    ) -> Measured:
        self.proxy.reset()
        result = subprocess.run(
            argv,
            input="",
            capture_output=True,
            text=True,
            env={**self.todo.env, "DATABASE_URL": self.url, "TODO_USER": user},
            cwd=self.todo.cwd,
            timeout=60,
        )
        self.proxy.wait_idle()
        assert result.returncode == expect_code, (label, result.stdout, result.stderr)
        stats = self.proxy.connection_stats
        assert not self.proxy.errors, self.proxy.errors
        return Measured(
            label,
            self.proxy.round_trips,
            len(stats),
            sum(s.bytes_down for s in stats),
            result,
        )

    def todo_cmd(
        self, *args: str, user: str = "alice", expect_code: int = 0, note: str = ""
    ) -> Measured:
        label = "todo " + " ".join(args) + (f"  ({note})" if note else "")
        return self.run(label, [TODO_BIN, *args], user=user, expect_code=expect_code)

    def python(self, label: str, script: str, *args: str) -> Measured:
        return self.run(label, [sys.executable, "-c", script, *args, self.url])


@pytest.fixture
def meter(proxy: TCPProxy, todo: Todo, proxied_url: str) -> Meter:
    return Meter(proxy, todo, proxied_url)


@pytest.fixture
def floor(meter: Meter) -> int:
    """connect + BEGIN + INSERT ... RETURNING + COMMIT (+ Terminate) in raw psycopg2."""
    first = meter.python("psycopg2 floor", FLOOR_SCRIPT)
    second = meter.python("psycopg2 floor", FLOOR_SCRIPT)
    assert first.connections == 1
    assert first.round_trips == second.round_trips, "the floor is not deterministic"
    return first.round_trips


def _table(floor: int, rows: list[Measured]) -> str:
    width = max(len(r.label) for r in rows) + 2
    lines = [
        f"round trips through the proxy; floor = {floor} "
        f"(psycopg2: connect + BEGIN + statement + COMMIT + Terminate), "
        f"budget = floor + {BUDGET_EXTRA}",
        f"{'command'.ljust(width)}{'round trips':>12}{'vs floor':>10}{'connections':>13}",
    ]
    for r in rows:
        lines.append(
            f"{r.label.ljust(width)}{r.round_trips:>12}{r.round_trips - floor:>+10}"
            f"{r.connections:>13}"
        )
    return "\n".join(lines)


def test_floor_is_counted(floor: int, meter: Meter) -> None:
    # connect, BEGIN, statement, COMMIT: four waits at least, or the proxy is not counting.
    assert floor >= 3, f"the proxy counted only {floor} round trips for the psycopg2 floor"


def test_command_round_trips(
    floor: int, meter: Meter, record_property: pytest.RecordProperty
) -> None:
    rows: list[Measured] = []

    def run(
        *args: str, expect_code: int = 0, stdout: str | None = None, note: str = ""
    ) -> Measured:
        m = meter.todo_cmd(*args, expect_code=expect_code, note=note)
        if stdout is not None:
            assert m.result.stdout == stdout, (m.label, m.result.stdout, m.result.stderr)
        rows.append(m)
        return m

    run("add", "first", stdout="1\n", note="new user: upsert + insert")
    run("add", "second", stdout="2\n")
    run("list", stdout="1\topen\tfirst\n2\topen\tsecond\n")
    listed = run("list", "--json")
    assert [t["number"] for t in json.loads(listed.result.stdout)] == [1, 2]
    run("list", "--all")
    run("done", "1", stdout="Completed 1: first\n")
    run("rm", "2", "--yes", stdout="Removed 2: second\n")
    run("add", "third", stdout="3\n")
    run("add", "fourth", stdout="4\n")
    run("done", "3", "4", stdout="Completed 3: third\nCompleted 4: fourth\n")
    run("done", "1,3", stdout="Already done 1: first\nAlready done 3: third\n")
    run("done", "99", expect_code=1, note="missing: rolled back")
    run("rm", "3", "4", "--yes", stdout="Removed 3: third\nRemoved 4: fourth\n")
    run("list", "--all", stdout="1\tdone\tfirst\n")

    table = _table(floor, rows)
    print("\n" + table)
    record_property("round_trip_floor", floor)
    record_property("round_trips", json.dumps({r.label: r.round_trips for r in rows}))

    for r in rows:
        assert r.connections == 1, f"{r.label} opened {r.connections} connections\n{table}"
    over_budget = [r.label for r in rows if r.round_trips > floor + BUDGET_EXTRA]
    assert not over_budget, f"over the budget of floor + {BUDGET_EXTRA}: {over_budget}\n{table}"
    changed = [r.label for r in rows if r.round_trips != floor + EXACT_EXTRA]
    assert not changed, (
        f"round trips changed from floor + {EXACT_EXTRA} for {changed}; "
        f"if this is an improvement, lower EXACT_EXTRA\n{table}"
    )


def test_list_round_trips_do_not_grow_with_rows(floor: int, meter: Meter, rt_db: str) -> None:
    user = "flat"
    meter.todo_cmd("add", "only one", user=user)
    one = meter.todo_cmd("list", "--limit", "0", user=user, note="1 todo")
    one_json = meter.todo_cmd("list", "--json", user=user, note="1 todo")
    assert one.result.stdout.count("\n") == 1

    conn = psycopg2.connect(rt_db)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
            "SELECT u.id, n, 'a longer title for todo number ' || n, FALSE, now(), now() "
            "FROM users u, generate_series(2, 200) AS n WHERE u.name = %s",
            (user,),
        )
        cur.execute("UPDATE users SET last_number = 200 WHERE name = %s", (user,))
    conn.close()

    many = meter.todo_cmd("list", "--limit", "0", user=user, note="200 todos")
    many_json = meter.todo_cmd("list", "--json", user=user, note="200 todos")
    assert many.result.stdout.count("\n") == 200
    assert len(json.loads(many_json.result.stdout)) == 200
    table = _table(floor, [one, one_json, many, many_json])
    print("\n" + table)
    # More data came back, in the same number of round trips.
    assert many.bytes_down > one.bytes_down + 200 * 20
    assert (one.round_trips, one_json.round_trips) == (many.round_trips, many_json.round_trips), (
        f"list with 1 and 200 todos\n{table}"
    )


def test_stock_sqlalchemy_exceeds_budget(floor: int, meter: Meter) -> None:
    """Why db.LeanPGDialect exists.

    Stock SQLAlchemy's psycopg2 dialect probes every new connection (version,
    current_schema, standard_conforming_strings, isolation level, hstore OIDs,
    inside a BEGIN ... ROLLBACK of its own); with NullPool that is every
    command. The same script on the lean dialect costs the floor.
    """
    stock = meter.python("stock SQLAlchemy: connect, select 1, commit", SQLALCHEMY_SCRIPT, "stock")
    lean = meter.python("lean dialect: connect, select 1, commit", SQLALCHEMY_SCRIPT, "lean")
    table = _table(floor, [stock, lean])
    print("\n" + table)
    assert stock.round_trips > floor + BUDGET_EXTRA, (
        f"stock SQLAlchemy fits the budget now: the round-trip test cannot fail?\n{table}"
    )
    assert lean.round_trips == floor, table


def test_proxied_url_keeps_credentials_and_options() -> None:
    url = "postgresql://u:p%40ss@db.example.com:6543/name?sslmode=require&application_name=x"
    assert to_proxy(url, 4000) == (
        "postgresql://u:p%40ss@127.0.0.1:4000/name?sslmode=require&application_name=x"
    )
    assert to_proxy("postgresql://postgres@127.0.0.1/db", 4000) == (
        "postgresql://postgres@127.0.0.1:4000/db?sslmode=disable"
    )


def test_batch_add_of_ten_thousand_is_one_message(floor: int, meter: Meter) -> None:
    titles = "".join(f"batch item {i}\n" for i in range(10_000))
    meter.proxy.reset()
    result = subprocess.run(
        [TODO_BIN, "add", "-"],
        input=titles,
        capture_output=True,
        text=True,
        env={**meter.todo.env, "DATABASE_URL": meter.url, "TODO_USER": "batch"},
        timeout=120,
    )
    meter.proxy.wait_idle()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(n) for n in range(1, 10_001)]
    print(f"\ntodo add - (10,000 lines): {meter.proxy.round_trips} round trips, floor {floor}")
    # The budget is 20; the batch travels as one JSON parameter.
    assert meter.proxy.round_trips == floor + EXACT_EXTRA


def test_a_long_json_list_is_one_statement(floor: int, meter: Meter, rt_db: str) -> None:
    user = "streamer"
    meter.todo_cmd("add", "seed", user=user)
    conn = psycopg2.connect(rt_db)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
            "SELECT u.id, n, 'todo ' || n, FALSE, now(), now() "
            "FROM users u, generate_series(2, 5000) AS n WHERE u.name = %s",
            (user,),
        )
    conn.close()
    listed = meter.todo_cmd("list", "--json", user=user, note="5,000 todos")
    assert [t["number"] for t in json.loads(listed.result.stdout)] == list(range(1, 5001))
    assert listed.round_trips == floor + EXACT_EXTRA


def test_history_and_transfer_round_trips(floor: int, meter: Meter, tmp_path) -> None:
    """The journal rides in each change's own message; undo and import pay
    for what they must read first (exact extras, so a change shows)."""
    rows: list[Measured] = []
    user = "journal"

    def run(*args: str, extra: int, stdout: str | None = None) -> None:
        m = meter.todo_cmd(*args, user=user)
        if stdout is not None:
            assert m.result.stdout == stdout, (m.label, m.result.stdout, m.result.stderr)
        rows.append(m)
        assert m.connections == 1 and m.round_trips == floor + extra, (m.label, m.round_trips)

    run("add", "first", extra=0, stdout="1\n")
    run("edit", "1", "--title", "First", extra=0, stdout="Edited 1: First\n")
    run("done", "1", extra=0)
    run("reopen", "1", extra=0, stdout="Reopened 1: First\n")
    run("log", extra=0)
    run("export", extra=0)
    # Read the events, then the versions of their todos, then restore.
    run("undo", extra=2, stdout="Undid reopen 1: First (done again)\n")
    run("undo", "3", extra=2)
    exported = tmp_path / "one.json"
    exported.write_text(json.dumps([{"title": "from a file", "created_at": None}]))
    # Read which items are there already, add the batch, journal it.
    run("import", str(exported), extra=2, stdout="Imported 1 todo (2) from json\n")
    print("\n" + _table(floor, rows))
    assert floor + 2 <= floor + BUDGET_EXTRA


def test_import_of_ten_thousand_takes_a_handful_of_round_trips(
    floor: int, meter: Meter, tmp_path
) -> None:
    from todo_cli import transfer

    lines = "".join(
        f"(B) 2026-11-01 imported item {i} +bulk due:2027-01-15\n" for i in range(10_000)
    )
    source = tmp_path / "todo.txt"
    source.write_text(lines)
    m = meter.todo_cmd("import", str(source), user="bulk")
    assert m.result.stdout == "Imported 10000 todos (1-10000) from todotxt\n", m.result.stderr
    batches = -(-10_000 // transfer.BATCH)
    print(f"\ntodo import (10,000 todo.txt lines): {m.round_trips} round trips, floor {floor}")
    # One read of the keys already imported, a message per batch, one event.
    assert m.round_trips == floor + 1 + batches
