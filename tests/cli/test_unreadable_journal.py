"""A journal entry todo cannot read (written by raw SQL, another client, an
older or newer todo) never makes log, stats or undo fail: log shows it as
one line, stats counts nothing for it, undo refuses it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.support.inprocess import InProcess
from tests.support.rawsql import raw_sql

BAD = [
    ("add", "not json at all"),
    ("add", '{"first": "one", "last": 2, "title": "x"}'),
    ("add", '{"first": "99999999999999999999", "last": "99999999999999999999", "title": "x"}'),
    ("add", '{"first": 1, "last": 99999999999999999999, "title": "x"}'),
    ("import", '{"numbers": [99999999999999999999999], "title": "x"}'),
    ("import", '{"numbers": "1, 2", "title": "x"}'),
    ("add", "{}"),
    ("add", "[1, 2]"),
    ("done", '{"todos": 5}'),
    ("done", '{"todos": [{"number": "1", "version": 1, "title": "x"}]}'),
    ("edit", '{"todos": [{"number": 1, "title": "x"}]}'),
    ("rm", '{"todos": [{"number": 1, "version": 1, "title": "x", "due": "soon"}]}'),
    ("frobnicate", '{"first": 1, "last": 1, "title": "x"}'),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def alice(todo_db: InProcess) -> InProcess:
    todo_db.env.update(TZ="UTC", TODO_USER="alice")
    todo_db.clock = lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)
    todo_db.ok("add", "Milk")
    todo_db.ok("add", "Bread")
    todo_db.ok("done", "1")
    return todo_db


def _write_bad_rows(url: str, backend: str) -> None:
    at = "2026-12-01 09:00:00" + ("+00" if backend != "sqlite" else "")
    raw_sql(
        url,
        *(
            (
                "INSERT INTO events (user_id, at, action, data) "
                "SELECT id, ?, ?, ? FROM users WHERE name = 'alice'",
                (at, action, data),
            )
            for action, data in BAD
        ),
    )


def test_log_shows_each_as_one_line(alice: InProcess, db_url: str, backend: str) -> None:
    before = alice.ok("log")
    _write_bad_rows(db_url, backend)
    lines = alice.ok("log", "--limit", "0").splitlines()
    assert lines[len(BAD) :] == before.splitlines()
    assert [line.split("\t")[2:] for line in lines[: len(BAD)]] == [
        [action, "(an entry todo cannot read)"] for action, _ in reversed(BAD)
    ]
    code, screen = alice.tty("log", "--limit", "0", env={"NO_COLOR": "1"})
    assert code == 0
    assert screen.count("(an entry todo cannot read)") == len(BAD)


def test_log_json_gives_nulls_for_what_cannot_be_read(
    alice: InProcess, db_url: str, backend: str
) -> None:
    _write_bad_rows(db_url, backend)
    entries = json.loads(alice.ok("log", "--json", "--limit", "0"))
    unread = entries[: len(BAD)]
    assert [list(e) for e in unread] == [list(entries[-1])] * len(BAD)
    assert {(e["numbers"], e["summary"], e["undone"], e["undone_at"]) for e in unread} == {
        (None, None, False, None)
    }
    assert [e["action"] for e in unread] == [action for action, _ in reversed(BAD)]
    assert entries[-1]["summary"] == "1: Milk"


def test_stats_counts_nothing_for_them(alice: InProcess, db_url: str, backend: str) -> None:
    text, data = alice.ok("stats"), alice.ok("stats", "--json")
    _write_bad_rows(db_url, backend)
    assert (alice.ok("stats"), alice.ok("stats", "--json")) == (text, data)


def test_undo_refuses_one_it_cannot_read(alice: InProcess, db_url: str, backend: str) -> None:
    _write_bad_rows(db_url, backend)
    result = alice("undo")
    assert (result.returncode, result.stdout) == (1, "")
    (line,) = result.stderr.splitlines()
    assert line.startswith("todo: error: cannot undo change ")
    assert line.endswith("todo cannot read its journal entry; nothing was undone (see: todo log)")
    assert alice.ok("list", "--all") == "1\tdone\tMilk\n2\topen\tBread\n"
