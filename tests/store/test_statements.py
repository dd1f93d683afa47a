"""Every statement the data layer can send runs against the schema the
migrations build, on both backends.

models.py is the schema of record and Alembic's target, but the everyday
commands send plain SQL on the drivers: nothing ties that SQL to the tables
but this test. It drives every operation of the store through every branch
that shapes its SQL (filters, sorts, pages, each kind of undo, each import
path) and checks that it reached every place in the store that sends SQL.
The control at the end renames a column after migrating, as a careless
migration would, and the same run must fail naming it.
"""

from __future__ import annotations

import ast
import contextlib
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.support.databases import ScratchDatabases
from todo_cli.config import load_settings
from todo_cli.errors import InvalidInputError
from todo_cli.formats import parse
from todo_cli.store import (
    changes,
    completing,
    driver,
    editing,
    history,
    listing,
    replaying,
    sharing,
    stats,
    todos,
    transfer,
)
from todo_cli.store.runner import connection
from todo_cli.store.session import Rows, Session
from todo_cli.todo import NewTodo

STORE = Path(__file__).resolve().parents[2] / "todo_cli" / "store"
NOW = datetime(2026, 11, 25, 9, 12, tzinfo=UTC)


def sending_sites() -> set[str]:
    """module.function for every function of the store that calls
    session.execute or session.execute_and_commit (read from the source)."""
    sites = set()
    for path in STORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in ("execute", "execute_and_commit")
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "session"
                ):
                    sites.add(f"{path.stem}.{node.name}")
    return sites


class Tracing(Session):
    """A session that notes which function of the store sent each statement."""

    sent_from: set[str]

    def execute(self, *statements: str, **kw: Any) -> Rows:
        self.sent_from.add(_caller())
        return super().execute(*statements, **kw)

    def execute_and_commit(self, *statements: str, **kw: Any) -> None:
        self.sent_from.add(_caller())
        super().execute_and_commit(*statements, **kw)


def _caller() -> str:
    frame = sys._getframe(2)
    return f"{frame.f_globals['__name__'].rsplit('.', 1)[-1]}.{frame.f_code.co_name}"


def every_operation(open_: Callable[[], contextlib.AbstractContextManager[Tracing]]) -> None:
    """Each operation, and each branch that changes the SQL it sends."""
    with open_() as s:
        todos.add(s, title="plain")
        todos.add_many(
            s,
            todos=[
                NewTodo("tagged", priority="high", due=NOW + timedelta(days=1), tags=("a", "b")),
                NewTodo("late", priority="low", due=NOW - timedelta(days=1), note="a note"),
            ],
        )
        changes.edit(s, numbers=[1], title="Plain", priority="medium", due=NOW, note="n")
        changes.edit(s, numbers=[2], add_tags=["c"], remove_tags=["a"])
        changes.complete(s, numbers=[1, 2])
        changes.reopen(s, numbers=[2])
        todos.find(s, numbers=[3])
        changes.remove(s, numbers=[3])
        for status in ("open", "done", "all"):
            for sort in listing.SORTS:
                for reverse in (False, True):
                    f = listing.Filter(status=status)
                    listing.page(s, filter=f, sort=sort, reverse=reverse, limit=5)
                    list(listing.iter_todos(s, filter=f, sort=sort, reverse=reverse, limit=5))
                    list(listing.iter_text(s, filter=f, sort=sort, reverse=reverse))
        narrow = listing.Filter(
            tags=("b", "c"), priority="high", overdue=True, due_before=NOW, search="50%_x"
        )
        listing.page(s, filter=narrow, limit=5)
        list(listing.iter_todos(s, filter=narrow))
        list(listing.iter_todos(s, filter=narrow, journal=True))  # offline mode's marks
        listing.page(s, filter=narrow, limit=5, journal=True)
        listing.list_todos(s)
        history.log(s, limit=50)
        stats.stats(s)
        # What replaying a change made offline asks (offline/replay.py).
        assert replaying.journaled(s, "edit", saw={}) is None  # names no todo it changed
        assert replaying.journaled(s, "add", title="plain") == [1]  # this session's clock
        assert replaying.journaled(s, "add", request_id="another add's") is None
        assert replaying.marks(s)[0] == 3
        assert replaying.newest(s)[0] == replaying.max_event(s)[0]
        assert sorted(replaying.current(s, [1, 2], None, lock=True)) == [1, 2]
        assert sorted(replaying.identities(s, [1, 2])) == [1, 2]
    ours = json.dumps(
        [{"title": "kept", "number": 40, "created_at": "2026-11-01T10:00:00Z", "tags": ["x"]}]
    )
    tasks = json.dumps(
        [
            {
                "description": "task",
                "status": "pending",
                "entry": "20261101T100000Z",
                "uuid": "1" * 32,
            }
        ]
    )
    for text in (ours, tasks):
        with open_() as s:
            transfer.import_records(s, parse(text).records)
    # Undo every kind of change: the two imports, rm, reopen, done, the
    # edits and the adds (each a different set of statements).
    with open_() as s:
        undone = history.undo(s, count=9)
    assert [e.action for e in undone] == [
        "import",
        "import",
        "rm",
        "reopen",
        "done",
        "edit",
        "edit",
        "add",
        "add",
    ]
    repeating(open_)
    shared(open_)


def shared(open_: Opener) -> None:
    """Sharing: make, change, list and revoke a share; the other user's
    view, changes, additions and undo of their todos."""
    with open_() as s:
        todos.add_many(s, todos=[NewTodo("Milk", tags=("groceries",), due=NOW, every="1w")])
        sharing.share(s, tag="groceries", grantee="bob", write=False)
        sharing.share(s, tag="groceries", grantee="bob", write=True)
        sharing.shares(s)
    with open_("bob") as s:
        (milk,) = listing.iter_todos(s, filter=listing.Filter(shared=True))
        todos.find(s, numbers=[milk.number], owner="alice")
        assert list(replaying.current(s, [milk.number], "alice", lock=True)) == [milk.number]
        changes.edit(s, numbers=[milk.number], priority="high", owner="alice")
        changes.complete(s, numbers=[milk.number], owner="alice")
        changes.reopen(s, numbers=[milk.number], owner="alice")
        sharing.add_to(s, owner="alice", new=[NewTodo("Bread")])
        listing.page(s, filter=listing.Filter(shared=True), limit=5)
        list(listing.iter_text(s, filter=listing.Filter(shared=True)))
        history.log(s)
        # What <TAB> reads.
        for query in completing.LIVE.values():
            query(s)
        assert ("-groceries", "1 todo") in completing.tag_edits(
            s, ["1-2,3", f"alice/{milk.number}"]
        )
    with pytest.raises(InvalidInputError), open_("bob") as s:
        changes.edit(s, numbers=[milk.number], remove_tags=["groceries"], owner="alice")
    with open_("bob") as s:
        undone = history.undo(s, count=4)
    assert [e.action for e in undone] == ["add", "reopen", "done", "edit"]
    with open_() as s:
        sharing.unshare(s, tag="groceries", grantee="bob")
        # The edit form: read with versions, saved as one change.
        read = editing.for_editing(s, numbers=[milk.number])
        editing.edit_each(
            s,
            [(milk.number, {"title": "Oat milk", "add_tags": ["x"]})],
            versions={t.number: v for t, v in read},
        )


def repeating(open_: Callable[[], contextlib.AbstractContextManager[Tracing]]) -> None:
    """Each branch of recurrence and waiting: add and edit them, done and rm
    that make the next one, the repair of one an older release completed,
    the waiting filters, and the undo of each."""
    with open_() as s:
        (first,) = todos.add_many(
            s,
            todos=[
                NewTodo(
                    "water",
                    due=NOW,
                    every="1w",
                    until=NOW + timedelta(days=60),
                    wait_lead=86400,
                    tags=("home",),
                ),
                NewTodo("later", wait=NOW + timedelta(days=3)),
                NewTodo("old", due=NOW, every="1d"),
            ],
        )[:1]
        changes.edit(s, numbers=[first.number], every="1m from done", wait=None)
        changes.edit(s, numbers=[first.number], due=NOW + timedelta(days=1), wait_lead=3600)
        changes.edit(s, numbers=[first.number], until=None)
        changes.edit(s, numbers=[first.number], until=NOW + timedelta(days=30))
        changes.complete(s, numbers=[first.number])
        (plain,) = todos.add_many(s, titles=["plain"])
        changes.edit(s, numbers=[plain.number], every="weekday")
        changes.remove(s, numbers=[plain.number])
        (last,) = listing.iter_todos(s, filter=listing.Filter(search="plain"))
        changes.remove(s, numbers=[last.number], series=True)
        # As a release without recurrence completes one: done, no next one.
        s.execute(
            "UPDATE todos SET done = true WHERE user_id = (SELECT id FROM users WHERE name = :me) "
            "AND title = 'old'"
        )
        for wait in ("hide", "only", "show"):
            listing.page(s, filter=listing.Filter(wait=wait), limit=5)
        changes.edit(s, numbers=[first.number], every=None)
    with open_() as s:
        undone = history.undo(s, count=6)
    assert [e.action for e in undone] == ["edit", "rm", "rm", "edit", "add", "done"]


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request: pytest.FixtureRequest, tmp_path: Path, scratch_dbs: ScratchDatabases) -> str:
    """A database the migrations built, and nothing else."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'todo.db'}"
        connection(load_settings(user="alice", database_url=url, env={})).close()
        return url
    return scratch_dbs.create()


Opener = Callable[..., contextlib.AbstractContextManager[Tracing]]


def opener(url: str, sent_from: set[str]) -> Opener:
    settings = load_settings(user="alice", database_url=url, env={})

    @contextlib.contextmanager
    def open_(user: str = "alice") -> Iterator[Tracing]:
        conn = connection(settings)
        s = Tracing(conn, settings.url.backend, user, NOW)
        s.sent_from = sent_from
        s.begin(hold=True)
        try:
            yield s
            s.finish()
        except BaseException:
            s.rollback()
            raise
        finally:
            conn.close()

    return open_


def test_every_statement_runs_against_the_migrated_schema(migrated: str) -> None:
    sent_from: set[str] = set()
    every_operation(opener(migrated, sent_from))
    # The run reached every function of the store that sends SQL (on
    # PostgreSQL, the repair's statements travel with the listing's, and the
    # edit form's versions are checked inside the message).
    unsent = (
        {"recurring.repairs", "editing._check_versions"}
        if migrated.startswith("postgresql")
        else set()
    )
    assert sending_sites() - sent_from == unsent
    assert len(sending_sites()) >= 10, sorted(sending_sites())  # the scan finds them


def test_a_column_renamed_by_a_migration_but_not_in_the_sql_fails_it(migrated: str) -> None:
    rename = "ALTER TABLE todos RENAME COLUMN note TO notes"
    if migrated.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(migrated.removeprefix("sqlite:///"))) as conn:
            conn.execute(rename)
            conn.commit()
    else:
        with contextlib.closing(psycopg2.connect(migrated)) as conn, conn.cursor() as cur:
            cur.execute(rename)
            conn.commit()
    with pytest.raises((sqlite3.OperationalError, psycopg2.Error)) as failure:
        every_operation(opener(migrated, set()))
    assert driver.classify(failure.value) == "schema", failure.value
    assert "note" in str(failure.value), failure.value
