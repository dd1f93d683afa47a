"""The queries behind list, done and rm use indexes: their cost follows the
rows a user asks for, not the size of the table (PostgreSQL EXPLAIN,
SQLite EXPLAIN QUERY PLAN).

Neither database is analysed after the seed: the test server runs with
autovacuum off, and a user's first thousands of todos arrive before any
statistics do, so no plan here may depend on fresh statistics.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.support.databases import ScratchDatabases
from tests.support.recording import Recording
from todo_cli.config import load_settings
from todo_cli.formats import Record
from todo_cli.store import changes, history, listing, transfer
from todo_cli.store.runner import connection
from todo_cli.store.session import Session

Explain = Callable[[], list[str]]


def _seed(scratch_dbs: ScratchDatabases) -> str:
    """300 users with 50 todos each, and `heavy` with 20,000 open and 20,000 done;
    every todo has one of 50 tags.

    The triggers are off while it is made (as a restore does it): 55,000
    rows through them cost 6 s of server CPU, and each worker that runs a
    test of this module seeds. What they would set is written out: a tag's
    user_id. (Compared once, column by column, timestamps aside, with a seed
    made through the triggers: the same rows.)"""
    url = scratch_dbs.create()
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(
            "INSERT INTO users (name, created_at, last_number) "
            "SELECT 'user' || u, now(), 50 FROM generate_series(1, 300) AS u"
        )
        cur.execute(
            "INSERT INTO users (name, created_at, last_number) VALUES ('heavy', now(), 40000)"
        )
        cur.execute(
            "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
            "SELECT u.id, n, 'todo ' || n, n % 3 = 0, now(), now() "
            "FROM users u, generate_series(1, 50) AS n WHERE u.name <> 'heavy'"
        )
        cur.execute(
            # Every 7th with a priority, every 5th due (a tenth of those overdue).
            "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, priority, due) "
            "SELECT u.id, n, 'heavy ' || n, n > 20000, now(), now(), "
            "CASE WHEN n % 7 = 0 THEN 1 + n % 3 END, "
            "CASE WHEN n % 5 = 0 THEN now() + (n % 100 - 10) * interval '1 day' END "
            "FROM users u, generate_series(1, 40000) AS n WHERE u.name = 'heavy'"
        )
        cur.execute(
            "INSERT INTO todo_tags (todo_id, tag, user_id) "
            "SELECT id, 'tag' || (number % 50), user_id FROM todos"
        )
    conn.close()
    return url


@pytest.fixture(scope="module")
def seed() -> dict[str, str]:
    """The seeded database of each state, made once: the tests roll back
    what they change, so the analysed one is the unanalysed one after
    VACUUM ANALYZE (and a fresh seed, should an unanalysed test come later)."""
    return {}


@pytest.fixture(scope="module", params=["unanalysed", "analysed"])
def seeded(
    scratch_dbs: ScratchDatabases, seed: dict[str, str], request: pytest.FixtureRequest
) -> str:
    """Plans must be the same before statistics exist (autovacuum off, or
    not yet run) and after."""
    if request.param == "unanalysed":
        if "unanalysed" not in seed:
            seed["unanalysed"] = _seed(scratch_dbs)
        return seed["unanalysed"]
    if "analysed" not in seed:
        url = seed.pop("unanalysed", None) or _seed(scratch_dbs)
        conn = psycopg2.connect(url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        conn.close()
        seed["analysed"] = url
    return seed["analysed"]


@pytest.fixture
def plans(seeded: str) -> Iterator[tuple[Session, Explain]]:
    """heavy's session (rolled back at the end) and explain(): the EXPLAIN
    of every statement the session sent since the last call, in order."""
    settings = load_settings(user="heavy", database_url=seeded, env={})
    raw = connection(settings)
    recording = Recording(raw)
    session = Session(recording, "postgresql", "heavy", datetime.now(UTC))
    session.begin(hold=True)

    def explain() -> list[str]:
        out = []
        with raw.cursor() as cur:
            for sent in recording.statements():
                sql = sent.sql.strip()
                if not sql.upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                    continue
                if sql.startswith("SELECT set_config("):  # the transaction's settings
                    continue
                cur.execute("EXPLAIN " + cur.mogrify(sql, sent.params).decode())
                out.append("\n".join(r[0] for r in cur.fetchall()))
        recording.sent.clear()
        return out

    yield session, explain
    raw.rollback()
    raw.close()


def _assert_indexed(plan: str) -> None:
    assert "Seq Scan on todos" not in plan, plan
    assert "Index" in plan, plan


def _repairs_read_a_small_index(plans: list[str]) -> None:
    """The statements a listing or a done sends first, to make the next
    instances of repeating todos an older release completed: they read the
    partial index of those (empty, as a rule), not the user's todos."""
    assert plans, "no repair statements"
    for plan in plans:
        _assert_indexed(plan)
        assert "ix_todos_user_unfollowed" in plan, plan
        assert "uq_todos_user_number on todos s" not in plan, plan


def test_list_page_uses_the_open_todos_index(plans: Any) -> None:
    session, explain = plans
    items, total = listing.page(session, filter=listing.Filter(), sort="number", limit=20)
    # Of 20,000 open todos, counted only as far as "over 1,000 more".
    assert (len(items), total) == (20, 20 + listing.COUNT_CAP + 1)
    *repairs, plan = explain()
    _repairs_read_a_small_index(repairs)
    _assert_indexed(plan)
    # Walked in number order, stopping after the page: not the default-order
    # index with every open todo sorted.
    assert "Index Only Scan using ix_todos_user_open on todos" in plan, plan
    assert plan.count("Sort  (") == 1, plan  # the page's own, of 20 ids


def test_default_list_page_reads_a_page_of_the_order_index(plans: Any) -> None:
    session, explain = plans
    items, total = listing.page(session, filter=listing.Filter(), limit=20)
    assert total == 20 + listing.COUNT_CAP + 1
    # Overdue first (due in the past: n % 100 < 10 among multiples of 5),
    # then priority high (n % 7 == 0 and n % 3 == 0).
    assert [t.number for t in items][:3] == [2100, 4200, 6300]
    *repairs, plan = explain()
    _repairs_read_a_small_index(repairs)
    _assert_indexed(plan)
    # Every candidate branch reads a range of the order index and stops
    # after a page (the overdue ones of each priority, the first of all);
    # the count stops after COUNT_CAP more; the one sort is the page's own,
    # of at most 5 x 20 ids.
    assert plan.count("Index Only Scan using ix_todos_user_open_order") == 5, plan
    assert "Bitmap Heap Scan on todos" not in plan, plan
    assert plan.count("Sort  (") == 1, plan


def test_streamed_list_by_number_uses_an_index(plans: Any) -> None:
    session, explain = plans
    everything = listing.Filter(status="all")
    assert sum(1 for _ in listing.iter_todos(session, filter=everything, sort="number")) == 40000
    *repairs, plan = explain()
    _repairs_read_a_small_index(repairs)
    _assert_indexed(plan)


def test_tag_filter_uses_the_tag_index(plans: Any) -> None:
    session, explain = plans
    session.execute(
        "INSERT INTO todo_tags (todo_id, tag) SELECT id, 'rare' FROM todos "
        "WHERE number IN (3, 4) AND user_id = (SELECT id FROM users WHERE name = :me)"
    )
    found = listing.iter_todos(session, filter=listing.Filter(tags=("rare",)))
    assert [t.number for t in found] == [3, 4]
    plan = explain()[-1]  # the others are the statements above
    assert "ix_todo_tags_tag" in plan or "todo_tags_pkey" in plan, plan


def test_done_and_rm_touch_rows_through_the_unique_index(plans: Any) -> None:
    session, explain = plans
    changes.complete(session, numbers=[5, 19999])
    changes.remove(session, numbers=[7])
    explained = explain()
    # Each change locks its todos, checks they are all there, makes the
    # next instances of repeating ones and journals them first: lock,
    # check, repair (3), next and its tags, event, UPDATE with the
    # read-back; lock, check, next and its tags, event, DELETE.
    assert len(explained) == 15
    _repairs_read_a_small_index(explained[2:5])
    for plan in explained[:2] + explained[5:]:
        _assert_indexed(plan)
        # By number: the unique index, or the open-todos one when only open
        # todos can match (done changes only those).
        assert "uq_todos_user_number" in plan or "ix_todos_user_open " in plan, plan
        assert "ix_todos_user_unfollowed" not in plan, plan


def test_undo_touches_its_todos_through_the_number_index(plans: Any) -> None:
    """Undo of one change to a user with 40,000 todos reads and restores
    that todo, not every todo of the user hashed against the journal."""
    session, explain = plans
    changes.edit(session, numbers=[5], title="renamed", add_tags=["x"])
    changes.remove(session, numbers=[6])
    explain()
    history.undo(session, count=2)
    explained = explain()
    assert len(explained) >= 6, explained
    for plan in explained:
        assert "Seq Scan on todos" not in plan, plan
        assert "Bitmap Heap Scan on todos" not in plan, plan


def test_import_looks_up_what_it_may_hold_through_indexes(plans: Any) -> None:
    """What an import may already hold is found by request id and by number,
    each through its unique index: the cost follows the file, not the table."""
    session, explain = plans
    records = [
        Record(title="again", key=f"{i:032d}", number=40000 + i, created_at=None, tags=("t",))
        for i in range(1, 4)
    ]
    imported = transfer.import_records(session, records)
    assert [t.number for t in imported.added] == [40001, 40002, 40003]
    explained = explain()
    # The one read of todos before the writes: the statement after the lock.
    lookup = explained[explained.index(next(p for p in explained if "LockRows" in p)) + 1]
    assert "Seq Scan on todos" not in lookup, lookup
    assert "Index Scan using uq_todos_user_request on todos" in lookup, lookup
    assert "Index Scan using uq_todos_user_number on todos" in lookup, lookup
    # Each batch reads back what it added by request id, through its index,
    # not by walking every todo of the user (50,000 again after an undo
    # took minutes so).
    read_back = explained[-2]  # before the journal entry
    assert "Seq Scan on todos" not in read_back, read_back
    assert "uq_todos_user_request" in read_back, read_back
    tags = explained[-3]  # each tag finds its todo by request id too
    assert "Seq Scan on todos" not in tags, tags
    assert "uq_todos_user_request" in tags, tags


# --- SQLite -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file with `heavy`: 100,000 todos, half of them open; no ANALYZE."""
    path = tmp_path_factory.mktemp("plans") / "todo.db"
    connection(load_settings(user="heavy", database_url=f"sqlite:///{path}", env={})).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO users (name, created_at, last_number) "
            "VALUES ('heavy', '2026-01-01 00:00:00.000000', 100000)"
        )
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
            "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, priority, due) "
            "SELECT 1, i, 'heavy ' || i, i % 2, '2026-01-01 00:00:00.000000', "
            "'2026-01-01 00:00:00.000000', CASE WHEN i % 7 = 0 THEN 1 + i % 3 END, "
            "CASE WHEN i % 5 = 0 THEN printf('2026-%02d-01 00:00:00.000000', 1 + i % 12) END FROM n"
        )
    conn.close()
    return path


@pytest.fixture
def sqlite_plans(sqlite_seeded: Path) -> Iterator[tuple[Session, Explain]]:
    url = f"sqlite:///{sqlite_seeded}"
    raw = connection(load_settings(user="heavy", database_url=url, env={}))
    recording = Recording(raw)
    session = Session(recording, "sqlite", "heavy", datetime(2026, 6, 15, tzinfo=UTC))
    session.begin(hold=True)

    def explain() -> list[str]:
        out = []
        for sent in recording.sent:
            if sent.sql.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                continue
            rows = raw.execute("EXPLAIN QUERY PLAN " + sent.sql, sent.params).fetchall()
            out.append("\n".join(str(r[3]) for r in rows))
        recording.sent.clear()
        return out

    yield session, explain
    raw.execute("ROLLBACK")
    raw.close()


def test_sqlite_default_list_reads_a_page_of_the_order_index(sqlite_plans: Any) -> None:
    session, explain = sqlite_plans
    items, total = listing.page(session, filter=listing.Filter(), limit=20)
    assert (len(items), total) == (20, 20 + listing.COUNT_CAP + 1)
    _, plan = explain()  # the first asks whether anything needs repair
    # Every branch reads a range of the default-order index (the overdue
    # ones of each priority, and the first of all), none sorts the open
    # todos; the count walks the open-todos index, for COUNT_CAP at most.
    ranges = "SEARCH todos USING INDEX ix_todos_user_open_order (user_id=? AND <expr>=? AND <expr>=? AND due<?)"
    assert plan.count(ranges) == 4, plan
    assert plan.count("SEARCH todos USING INDEX ix_todos_user_open_order (user_id=?)") == 1, plan
    assert "SEARCH todos USING INDEX ix_todos_user_open (user_id=?)" in plan, plan
    assert "SCAN todos" not in plan, plan
    assert plan.count("USE TEMP B-TREE") == 1, plan  # the page itself: 100 ids at most


def test_sqlite_list_by_number_walks_the_open_index(sqlite_plans: Any) -> None:
    session, explain = sqlite_plans
    items, _ = listing.page(session, filter=listing.Filter(), sort="number", limit=20)
    assert [t.number for t in items][:2] == [2, 4]
    repair, plan = explain()
    assert "SEARCH s USING INDEX ix_todos_user_unfollowed (user_id=?)" in repair, repair
    assert "SCAN" not in repair.replace("SCAN CONSTANT ROW", ""), repair
    assert "ix_todos_user_open" in plan, plan
    assert "SCAN todos" not in plan, plan


def test_sqlite_done_and_rm_touch_rows_by_number(sqlite_plans: Any) -> None:
    session, explain = sqlite_plans
    changes.complete(session, numbers=[2, 99998])
    changes.remove(session, numbers=[4])
    explained = explain()
    # done: repair needed?, read, next (3), event, UPDATE, read-back; rm:
    # read, next (3), event, DELETE, the next ones made.
    assert len(explained) == 15
    assert "ix_todos_user_unfollowed" in explained[0], explained[0]
    for plan in explained[1:]:
        assert "SCAN todos" not in plan, plan
        # By number, or (the next ones made) by request id.
        assert "(user_id=? AND number=?)" in plan or "(user_id=? AND request_id=?)" in plan, plan
