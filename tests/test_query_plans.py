"""The queries behind list, done and rm use indexes: their cost follows the
rows a user asks for, not the size of the table (PostgreSQL EXPLAIN)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from conftest import ScratchDatabases
from sqlalchemy import event

from todo_cli import db, listing, todos
from todo_cli.dburl import parse_database_url


@pytest.fixture(scope="module")
def seeded(scratch_dbs: ScratchDatabases) -> str:
    """300 users with 50 todos each, and `heavy` with 20,000 open and 20,000 done;
    every todo has one of 50 tags."""
    url = scratch_dbs.create()
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
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
            "INSERT INTO todo_tags (todo_id, tag) SELECT id, 'tag' || (number % 50) FROM todos"
        )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()
    return url


@pytest.fixture
def plans(seeded: str) -> Iterator[list[str]]:
    """EXPLAIN output of every statement the data layer sends, in order."""
    engine = db.make_engine(parse_database_url(seeded, source=""))
    captured: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append(cursor.mogrify(statement, parameters).decode())

    conn = engine.connect()
    trans = conn.begin()
    session = db.Session(conn, "heavy")
    explained: list[str] = []

    def explain_all() -> None:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            # Statements that travel together are joined with ";\n" (db.Session.execute).
            for sql in [part for text in captured for part in text.split(";\n")]:
                if not sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
                    continue
                if "set_config('todo.user'" in sql:  # names the user for row-level security
                    continue
                cur.execute("EXPLAIN " + sql)
                explained.append("\n".join(r[0] for r in cur.fetchall()))
        captured.clear()

    yield session, explain_all, explained  # type: ignore[misc]
    trans.rollback()
    conn.close()
    engine.dispose()


def _assert_indexed(plan: str) -> None:
    assert "Seq Scan on todos" not in plan, plan
    assert "Index" in plan, plan


def test_list_page_uses_the_open_todos_index(plans: Any) -> None:
    session, explain_all, explained = plans
    items, total = listing.page(session, filter=listing.Filter(), sort="number", limit=20)
    assert (len(items), total) == (20, 20000)
    explain_all()
    (plan,) = explained
    _assert_indexed(plan)
    # Walked in number order, stopping after the page: not the default-order
    # index with every open todo sorted.
    assert "Index Only Scan using ix_todos_user_open on todos" in plan, plan
    assert "Sort" not in plan.split("->  Limit")[1], plan


def test_default_list_page_reads_a_page_of_the_order_index(plans: Any) -> None:
    session, explain_all, explained = plans
    items, total = listing.page(session, filter=listing.Filter(), limit=20)
    assert total == 20000
    # Overdue first (due in the past: n % 100 < 10 among multiples of 5),
    # then priority high (n % 7 == 0 and n % 3 == 0).
    assert [t.number for t in items][:3] == [2100, 4200, 6300]
    explain_all()
    (plan,) = explained
    _assert_indexed(plan)
    # Both candidate branches walk the order index and stop after a page;
    # only the count visits every open todo (an index-only scan).
    assert plan.count("Index Only Scan using ix_todos_user_open_order") >= 2, plan
    assert "Bitmap Heap Scan on todos" not in plan, plan


def test_streamed_list_by_number_uses_an_index(plans: Any) -> None:
    session, explain_all, explained = plans
    everything = listing.Filter(status="all")
    assert sum(1 for _ in listing.iter_todos(session, filter=everything, sort="number")) == 40000
    explain_all()
    (plan,) = explained
    _assert_indexed(plan)


def test_tag_filter_uses_the_tag_index(plans: Any) -> None:
    session, explain_all, explained = plans
    session.connection.exec_driver_sql(
        "INSERT INTO todo_tags (todo_id, tag) SELECT id, 'rare' FROM todos "
        "WHERE number IN (3, 4) AND user_id = (SELECT id FROM users WHERE name = 'heavy')"
    )
    session.connection.exec_driver_sql("ANALYZE todo_tags")
    found = listing.iter_todos(session, filter=listing.Filter(tags=("rare",)))
    assert [t.number for t in found] == [3, 4]
    explain_all()
    plan = explained[-1]  # the others are the statements above
    assert "ix_todo_tags_tag" in plan or "todo_tags_pkey" in plan, plan


def test_done_and_rm_touch_rows_through_the_unique_index(plans: Any) -> None:
    session, explain_all, explained = plans
    todos.complete(session, numbers=[5, 19999])
    todos.remove(session, numbers=[7])
    explain_all()
    # Each change locks and journals its todos first: lock, event, UPDATE,
    # read-back; lock, event, DELETE.
    assert len(explained) == 7
    for plan in explained:
        _assert_indexed(plan)
        # By number: the unique index, or the open-todos one when only open
        # todos can match (done changes only those).
        assert "uq_todos_user_number" in plan or "ix_todos_user_open " in plan, plan


def test_import_looks_up_what_it_may_hold_through_indexes(plans: Any) -> None:
    """What an import may already hold is found by request id and by number,
    each through its unique index: the cost follows the file, not the table."""
    from todo_cli import transfer
    from todo_cli.interchange import Record

    session, explain_all, explained = plans
    records = [
        Record(title="again", key=f"{i:032d}", number=40000 + i, created_at=None)
        for i in range(1, 4)
    ]
    imported = transfer.import_records(session, records)
    assert [t.number for t in imported.added] == [40001, 40002, 40003]
    explain_all()
    # The one read of todos before the writes: the statement after the lock.
    lookup = explained[explained.index(next(p for p in explained if "LockRows" in p)) + 1]
    assert "Seq Scan on todos" not in lookup, lookup
    assert "Index Scan using uq_todos_user_request on todos" in lookup, lookup
    assert "Index Scan using uq_todos_user_number on todos" in lookup, lookup
