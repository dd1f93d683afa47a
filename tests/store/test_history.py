"""The journal and undo, in-process on both backends (history.py, events.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.databases import ScratchDatabases
from tests.support.locks import wait_for_lock_waiters
from tests.support.sessions import OpenSession
from todo_cli import todo as fields
from todo_cli.errors import NotFoundError
from todo_cli.formats import Record
from todo_cli.store import changes, history, listing, todos, transfer
from todo_cli.store.session import Session
from todo_cli.store.sql import ME

SOON = datetime(2031, 5, 17, 12, 30, tzinfo=UTC)


def everything(s: Session) -> list[fields.Todo]:
    return listing.list_todos(s, status="all", sort="number")


def _seed(s: Session) -> None:
    todos.add_many(
        s,
        todos=[
            fields.NewTodo("Call the bank", priority="high", due=SOON, tags=("money",)),
            fields.NewTodo("Water plants", tags=("home", "weekly"), note="two\nlines"),
            fields.NewTodo("Renew passport", priority="low"),
        ],
    )
    changes.complete(s, numbers=[3])


def test_each_change_writes_one_event_and_log_lists_them_newest_first(
    open_session: OpenSession,
) -> None:
    with open_session("alice") as s:
        _seed(s)
        changes.complete(s, numbers=[1, 3])  # 3 is done already: only 1 changes
        changes.complete(s, numbers=[3])  # nothing changes: no event
        changes.edit(s, numbers=[2], title="Water the plants")
        changes.reopen(s, numbers=[1])
        changes.remove(s, numbers=[2, 3])
        events = history.log(s)
    assert [(e.action, e.numbers, e.summary) for e in events] == [
        ("rm", (2, 3), "2, 3: 2 todos"),
        ("reopen", (1,), "1: Call the bank"),
        ("edit", (2,), "2: Water plants"),
        ("done", (1,), "1: Call the bank"),
        ("done", (3,), "3: Renew passport"),
        ("add", (1, 2, 3), "1-3: Call the bank and 2 more"),
    ]
    assert all(e.undone_at is None for e in events)
    with open_session("alice") as s:
        assert [e.action for e in history.log(s, limit=2)] == ["rm", "reopen"]
    with open_session("bob") as s:
        assert history.log(s) == []


def test_undo_restores_a_removed_todo_with_its_number_and_every_field(
    open_session: OpenSession,
) -> None:
    with open_session("alice") as s:
        _seed(s)
        before = everything(s)
        changes.remove(s, numbers=[1, 2])
    with open_session("alice") as s:
        (undone,) = history.undo(s)
        assert (undone.action, undone.numbers) == ("rm", (1, 2))
        assert everything(s) == before
        assert todos.add(s, title="next").number == 4  # numbers are still never reused


def test_undo_n_goes_back_n_changes_newest_first(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        _seed(s)
        start = everything(s)
        changes.edit(s, numbers=[1], priority=None, due=None, add_tags=["x"], remove_tags=["money"])
        changes.complete(s, numbers=[1, 2])
        todos.add(s, title="later")
    with open_session("alice") as s:
        undone = history.undo(s, count=3)
        assert [e.action for e in undone] == ["add", "done", "edit"]
        assert everything(s) == start
        assert [e.undone_at is not None for e in history.log(s, limit=4)] == [
            True,
            True,
            True,
            False,
        ]


def test_undo_with_nothing_left_says_so(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        with pytest.raises(NotFoundError, match=r"^nothing to undo \(see: todo log\)$"):
            history.undo(s)
        todos.add(s, title="one")
        # All or nothing: 5 asked, 1 left, and nothing is undone.
        message = r"^only 1 change is left to undo, not 5; nothing was undone \(see: todo log\)$"
        with pytest.raises(NotFoundError, match=message):
            history.undo(s, count=5)
        assert len(history.undo(s)) == 1
        with pytest.raises(NotFoundError):
            history.undo(s)


def test_undo_refuses_when_the_todo_changed_since_and_changes_nothing(
    open_session: OpenSession,
) -> None:
    with open_session("alice") as s:
        _seed(s)
        changes.complete(s, numbers=[1])
        # Another client changed todo 1 without journaling it (an older
        # todo, or a hand-written UPDATE): the trigger of migration 0007
        # moves its version all the same.
        s.execute(
            f"UPDATE todos SET title = 'Changed elsewhere' WHERE number = 1 AND user_id = {ME}"
        )
        state = everything(s)
    with open_session("alice") as s, pytest.raises(history.UndoConflictError) as caught:
        history.undo(s)
    assert caught.value.message.startswith("cannot undo the done of todo 1 (")
    assert caught.value.message.endswith(
        "): it has changed since, on this or another machine; nothing was undone "
        "(see: todo log, todo show 1)"
    )
    with open_session("alice") as s:
        assert everything(s) == state
        assert history.log(s, limit=1)[0].undone_at is None


def test_undo_of_an_add_refuses_once_the_todo_was_edited_out_of_band(
    open_session: OpenSession,
) -> None:
    with open_session("alice") as s:
        todos.add_many(s, titles=["a", "b"])
        s.execute(f"DELETE FROM todos WHERE number = 2 AND user_id = {ME}")
    conflict = pytest.raises(history.UndoConflictError, match=r"todo 2 .*removed since")
    with open_session("alice") as s, conflict:
        history.undo(s)


def test_one_users_undo_never_touches_another_users_todos(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add(s, title="alice's")
    with open_session("bob") as s:
        todos.add(s, title="bob's")
        changes.complete(s, numbers=[1])
    with open_session("alice") as s:
        with pytest.raises(NotFoundError, match="only 1 change is left"):
            history.undo(s, count=10)  # bob's two changes are not alice's to count
        assert [e.action for e in history.undo(s)] == ["add"]
        assert everything(s) == []
    with open_session("bob") as s:
        assert [(t.title, t.done) for t in everything(s)] == [("bob's", True)]
        assert len(history.log(s)) == 2


def test_an_import_is_one_event_and_one_undo(
    open_session: OpenSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH", 2)  # several batches, still one event
    records = [Record(title=f"imported {i}", key=f"{i:032d}") for i in range(5)]
    with open_session("alice") as s:
        todos.add(s, title="mine")
        result = transfer.import_records(s, records)
        assert [t.number for t in result.added] == [2, 3, 4, 5, 6]
        (event,) = history.log(s, limit=1)
        assert (event.action, event.numbers) == ("import", (2, 3, 4, 5, 6))
        assert event.summary == "2-6: imported 0 and 4 more"
        history.undo(s)
        assert [t.title for t in everything(s)] == ["mine"]


# --- the property: undoing every change restores the starting state ------------

_EDITS = [
    {"title": "Edited title"},
    {"priority": "medium"},
    {"priority": None},
    {"due": SOON + timedelta(days=3)},
    {"due": None},
    {"note": "a note\nover two lines"},
    {"note": None},
    {"add_tags": ["new"]},
    {"remove_tags": ["money", "home"]},
    {"add_tags": ["a", "b"], "remove_tags": ["weekly"], "priority": "high"},
]
_PICK = st.integers(min_value=0, max_value=1000)
CHANGES = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(min_value=1, max_value=3)),
        st.tuples(st.just("import"), st.integers(min_value=1, max_value=3)),
        st.tuples(st.just("done"), _PICK),
        st.tuples(st.just("reopen"), _PICK),
        st.tuples(st.just("rm"), _PICK),
        st.tuples(st.just("edit"), _PICK, st.sampled_from(range(len(_EDITS)))),
    ),
    min_size=1,
    max_size=8,
)


def _apply(s: Session, change: tuple[Any, ...]) -> None:
    numbers = [t.number for t in everything(s)]
    kind = change[0]
    if kind == "add":
        todos.add_many(s, titles=[f"added {i}" for i in range(change[1])])
        return
    if kind == "import":
        records = [
            Record(title=f"imported {i}", key=uuid.uuid4().hex, done=i % 2 == 1, tags=("imp",))
            for i in range(change[1])
        ]
        transfer.import_records(s, records)
        return
    if not numbers:
        return
    picked = [numbers[change[1] % len(numbers)]]
    if kind == "done":
        changes.complete(s, numbers=picked)
    elif kind == "reopen":
        changes.reopen(s, numbers=picked)
    elif kind == "rm":
        changes.remove(s, numbers=picked)
    else:
        changes.edit(s, numbers=picked, **_EDITS[change[2]])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=CHANGES, one_at_a_time=st.booleans())
def test_undoing_every_change_returns_to_the_start(
    open_session: OpenSession, changes: list[tuple[Any, ...]], one_at_a_time: bool
) -> None:
    user = f"u{uuid.uuid4().hex[:12]}"  # every example starts from a fresh user
    with open_session(user) as s:
        _seed(s)
        start = everything(s)
        seeded = history.log(s, limit=1)[0].id
    for change in changes:
        with open_session(user) as s:
            _apply(s, change)
    with open_session(user) as s:
        made = [e for e in history.log(s, limit=1000) if e.id > seeded]
    if one_at_a_time:
        for _ in made:
            with open_session(user) as s:
                history.undo(s)
    elif made:
        with open_session(user) as s:
            assert len(history.undo(s, count=len(made))) == len(made)
    with open_session(user) as s:
        assert everything(s) == start
        assert history.log(s, limit=1)[0].id in {seeded, *(e.id for e in made)}
        assert next(e.id for e in history.log(s) if e.undone_at is None) == seeded


def test_an_item_repeated_in_one_file_is_imported_once(
    open_session: OpenSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH", 2)
    twice = Record(title="same task", key="a" * 32)
    records = [twice, Record(title="b", key="b" * 32), Record(title="c", key="c" * 32), twice]
    with open_session("alice") as s:
        result = transfer.import_records(s, records)
        assert [t.title for t in result.added] == ["same task", "b", "c"]
        assert result.repeated == [twice]
        history.undo(s)
        assert everything(s) == []


def test_done_of_a_done_todo_changes_nothing_undo_relies_on(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add(s, title="a")
        changes.complete(s, numbers=[1])
        changes.complete(s, numbers=[1])  # no change, no event, version unmoved
        assert [e.action for e in history.undo(s, count=2)] == ["done", "add"]
        assert everything(s) == []


def test_two_imports_of_one_file_at_once_add_it_once(scratch_dbs: ScratchDatabases) -> None:
    """The second waits for the user's row, then sees what the first saved."""
    import threading

    import psycopg2

    from todo_cli.config import load_settings
    from todo_cli.store.runner import run

    url = scratch_dbs.create()
    settings = load_settings(user="alice", database_url=url, env={})
    records = [Record(title=f"t{i}", key=f"{i:032d}") for i in range(3)]
    second: dict[str, transfer.Imported] = {}
    run(settings, lambda s: todos.add(s, title="alice exists already"), mode="idempotent")

    def import_again() -> None:
        second["result"] = run(
            settings, lambda s: transfer.import_records(s, records), mode="idempotent"
        )

    waiting = threading.Thread(target=import_again)

    def hold(done: int) -> None:
        # After the last batch, before the first import commits: start the
        # second and let it meet the lock on alice's row.
        if done == len(records):
            waiting.start()
            wait_for_lock_waiters(url, 1)

    first = run(
        settings,
        lambda s: transfer.import_records(s, records, on_progress=hold),
        mode="idempotent",
    )
    assert len(first.added) == 3
    waiting.join(30)
    result = second["result"]
    assert (result.added, [r.title for r in result.already]) == ([], ["t0", "t1", "t2"])
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM todos), (SELECT count(*) FROM events)")
        assert cur.fetchone() == (4, 2)  # the add, and one import
    conn.close()
