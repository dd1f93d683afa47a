"""Network round trips per command on PostgreSQL, counted by a TCP proxy.

On Neon every round trip is a WAN latency, and every command opens a fresh
connection, so round trips are the cost that matters. A command whose
statements do not wait on each other's results sends them in one message
with its transaction-local settings, which PostgreSQL runs as one implicit
transaction: connect + 1 message + Terminate, 3 bursts through the proxy
(with sslmode=disable). psycopg2's default (connect, BEGIN, the statement,
COMMIT, Terminate) is 5, measured in the same run as the reference.

Run with -s to see the table. The proxied URL keeps the server's host
name out of it, so this targets a server that accepts plain TCP (the local
one, or TEST_DATABASE_URL without TLS SNI routing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from tests.support.databases import ScratchDatabases
from tests.support.processes import TODO_BIN, Todo
from tests.support.tcp_proxy import TCPProxy
from tests.support.tcp_proxy import proxied_url as to_proxy
from todo_cli.dburl import parse_database_url

# connect + one message + Terminate: what every everyday command costs.
ONE_MESSAGE = 3

# psycopg2 as the tutorials use it: BEGIN, the statement and COMMIT each wait.
DEFAULT_SCRIPT = """
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor()
cur.execute("INSERT INTO rt_floor (note) VALUES (%s) RETURNING id", ("floor",))
cur.fetchone()
conn.commit()
conn.close()
"""

# The same insert as one message: an implicit transaction.
ONE_MESSAGE_SCRIPT = """
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1])
conn.autocommit = True
cur = conn.cursor()
cur.execute("INSERT INTO rt_floor (note) VALUES (%s) RETURNING id", ("floor",))
cur.fetchone()
conn.close()
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
            env={**self.todo.env, "DATABASE_URL": self.url, "TODO_USER": user, "TZ": "UTC"},
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
    """connect + one message + Terminate in raw psycopg2: the floor the
    everyday commands must meet (and the proxy's counting, checked)."""
    first = meter.python("psycopg2, one message", ONE_MESSAGE_SCRIPT)
    second = meter.python("psycopg2, one message", ONE_MESSAGE_SCRIPT)
    assert first.connections == 1
    assert first.round_trips == second.round_trips == ONE_MESSAGE, "the proxy miscounts"
    return first.round_trips


def _table(floor: int, rows: list[Measured]) -> str:
    width = max(len(r.label) for r in rows) + 2
    lines = [
        f"round trips through the proxy; floor = {floor} (connect + one message + Terminate)",
        f"{'command'.ljust(width)}{'round trips':>12}{'vs floor':>10}{'connections':>13}",
    ]
    for r in rows:
        lines.append(
            f"{r.label.ljust(width)}{r.round_trips:>12}{r.round_trips - floor:>+10}"
            f"{r.connections:>13}"
        )
    return "\n".join(lines)


def test_psycopg2_default_costs_two_more(floor: int, meter: Meter) -> None:
    """The reference: BEGIN and COMMIT of psycopg2's default each wait."""
    default = meter.python("psycopg2 default: BEGIN, INSERT, COMMIT", DEFAULT_SCRIPT)
    print("\n" + _table(floor, [default]))
    assert default.round_trips == floor + 2


def test_command_round_trips(
    floor: int, meter: Meter, record_property: Callable[[str, object], None]
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
    run("show", "1")
    run("edit", "1", "--title", "First", "--tag", "+x", stdout="Edited 1: First\n")
    run("done", "1", stdout="Completed 1: First\n")
    run("reopen", "1", stdout="Reopened 1: First\n")
    run("done", "1", stdout="Completed 1: First\n")
    run("rm", "2", "--yes", stdout="Removed 2: second\n")
    run("add", "third", stdout="3\n")
    run("add", "fourth", stdout="4\n")
    run("done", "3", "4", stdout="Completed 3: third\nCompleted 4: fourth\n")
    run("done", "1,3", stdout="Already done 1: First\nAlready done 3: third\n")
    run("done", "99", expect_code=1, note="missing: rolled back")
    run("rm", "3", "4", "--yes", stdout="Removed 3: third\nRemoved 4: fourth\n")
    run("list", "--all", stdout="1\tdone\tFirst\n")
    # A repeating todo costs the same: its next one is made in the message
    # that completes it (or removes it), and so is the repair of one an
    # older release completed.
    run("add", "Water plants", "--every", "week", "--due", "2030-01-01", stdout="5\n")
    run(
        "done",
        "5",
        stdout="Completed 5: Water plants\nNext 6: Water plants (due 2030-01-08 23:59 UTC)\n",
    )
    run(
        "rm",
        "6",
        "--yes",
        stdout="Removed 6: Water plants\nNext 7: Water plants (due 2030-01-15 23:59 UTC)\n",
    )
    run("list", "--waiting")
    run("log")
    run("log", "--json")
    run("stats")
    run("stats", "--json")
    run("export")
    run("whoami", "--check")

    table = _table(floor, rows)
    print("\n" + table)
    record_property("round_trip_floor", floor)
    record_property("round_trips", json.dumps({r.label: r.round_trips for r in rows}))

    for r in rows:
        assert r.connections == 1, f"{r.label} opened {r.connections} connections\n{table}"
    changed = [r.label for r in rows if r.round_trips != floor]
    assert not changed, f"not connect + one message + Terminate: {changed}\n{table}"


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
    # The batch travels as one JSON parameter.
    assert meter.proxy.round_trips == floor


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
    assert listed.round_trips == floor


def test_history_and_transfer_round_trips(floor: int, meter: Meter, tmp_path: Path) -> None:
    """The journal rides in each change's own message; undo and import read
    before they write, in one explicit transaction (exact counts, so a change
    shows)."""
    rows: list[Measured] = []
    user = "journal"

    def run(*args: str, extra: int, stdout: str | None = None) -> None:
        m = meter.todo_cmd(*args, user=user)
        if stdout is not None:
            assert m.result.stdout == stdout, (m.label, m.result.stdout, m.result.stderr)
        rows.append(m)
        assert m.connections == 1, m.label
        assert m.round_trips == floor + extra, (m.label, m.round_trips)

    run("add", "first", extra=0, stdout="1\n")
    run("edit", "1", "--title", "First", extra=0, stdout="Edited 1: First\n")
    run("done", "1", extra=0)
    run("reopen", "1", extra=0, stdout="Reopened 1: First\n")
    run("log", extra=0)
    run("export", extra=0)
    # Read the events, read the versions of their todos, restore and commit.
    run("undo", extra=2, stdout="Undid reopen 1: First (done again)\n")
    run("undo", "3", extra=2)
    # Undo of a done that made the next instance takes it back in the same messages.
    run("add", "Stretch", "--every", "day", extra=0, stdout="2\n")
    run("done", "2", extra=0)
    run("undo", extra=2, stdout="Undid done 2: Stretch (open again)\n")
    exported = tmp_path / "one.json"
    exported.write_text(json.dumps([{"title": "from a file", "created_at": None}]))
    # Read which items are there already, add the batch, journal and commit.
    run("import", str(exported), extra=2, stdout="Imported 1 todo (4) from json\n")
    print("\n" + _table(floor, rows))


def test_import_of_ten_thousand_takes_a_handful_of_round_trips(
    floor: int, meter: Meter, tmp_path: Path
) -> None:
    from todo_cli.store import transfer

    lines = "".join(
        f"(B) 2026-11-01 imported item {i} +bulk due:2027-01-15\n" for i in range(10_000)
    )
    source = tmp_path / "todo.txt"
    source.write_text(lines)
    m = meter.todo_cmd("import", str(source), user="bulk")
    assert m.result.stdout == "Imported 10000 todos (1-10000) from todotxt\n", m.result.stderr
    batches = -(-10_000 // transfer.BATCH)
    print(f"\ntodo import (10,000 todo.txt lines): {m.round_trips} round trips, floor {floor}")
    # One read of the keys already imported, a message per batch, the
    # journal with the COMMIT.
    assert m.round_trips == floor + batches + 1


def test_shared_todos_cost_what_ones_own_do(floor: int, meter: Meter) -> None:
    """list --shared and done alice/N: connect + one message, as list and done N."""
    meter.todo_cmd("add", "milk", "-t", "groceries", user="sharer")
    meter.todo_cmd("share", "groceries", "--with", "grantee", "--write", user="sharer")
    rows = [
        meter.todo_cmd("list", "--shared", user="grantee"),
        meter.todo_cmd("show", "sharer/1", user="grantee"),
        meter.todo_cmd("done", "sharer/1", user="grantee"),
        meter.todo_cmd("reopen", "sharer/1", user="grantee"),
        meter.todo_cmd("edit", "sharer/1", "-p", "high", user="grantee"),
    ]
    print("\n" + _table(floor, rows))
    assert rows[0].result.stdout == "sharer/1\topen\tmilk\n"
    assert rows[2].result.stdout == "Completed sharer/1: milk\n"
    assert [r.round_trips for r in rows] == [floor] * len(rows)
