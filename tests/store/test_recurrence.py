"""Repeating todos in the store: PostgreSQL's todo_next_due agrees with the
Python reference, an instance an older release completed is repaired
exactly once, and undo refuses to take back a next instance changed since."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg2
import pytest

from tests.support.inprocess import timezone
from tests.support.sessions import OpenSession
from todo_cli.errors import InvalidInputError
from todo_cli.recurrence import next_due, parse
from todo_cli.store import changes, history, listing, todos
from todo_cli.store.history import UndoConflictError
from todo_cli.todo import NewTodo

DUES = [
    datetime(2026, 1, 31, 8, 0, tzinfo=UTC),
    datetime(2028, 2, 29, 22, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # the night summer time begins in Europe
    datetime(2026, 10, 24, 22, 59, 59, tzinfo=UTC),  # and ends
    datetime(2026, 12, 4, 13, 15, tzinfo=UTC),  # a Friday
    datetime(2026, 12, 31, 12, tzinfo=UTC),
    datetime(2025, 3, 29, 1, 30, tzinfo=UTC),  # 02:30 in Berlin, the day before the clocks skip it
    datetime(2025, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 in Berlin, the day before it comes twice
]
# A series' time of day (seconds after local midnight), or the due's own.
CLOCKS = [None, 2 * 3600 + 30 * 60]
SPECS = ["1d", "3d", "1w", "2w", "1m", "3m", "1y", "weekday", "mon,thu", "sun", "1m from done"]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]
DONE_AT = datetime(2026, 12, 9, 18, 45, tzinfo=UTC)


def test_postgresql_computes_the_next_due_as_python_does(pg_url: str) -> None:
    """Every due x rule x zone x time of day (month ends, a leap day, both
    summer time changes, a time the clocks skip and one they pass twice,
    weekdays, counting from done): the SQL function and recurrence.next_due
    give the same moment."""
    cases = list(itertools.product(DUES, SPECS, ZONES, CLOCKS))
    conn = psycopg2.connect(pg_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SET TimeZone = 'UTC'")
            cur.execute(
                "SELECT todo_next_due(d, s, a, k, %s, z) FROM unnest(%s::timestamptz[], "
                "%s::text[], %s::integer[], %s::integer[], %s::text[]) AS c(d, s, a, k, z)",
                (
                    DONE_AT,
                    [d for d, _, _, _ in cases],
                    [s for _, s, _, _ in cases],
                    [31 if d.day >= 28 else None for d, _, _, _ in cases],
                    [k for _, _, _, k in cases],
                    [z for _, _, z, _ in cases],
                ),
            )
            got = [row[0] for row in cur.fetchall()]
    finally:
        conn.close()
    expected = []
    for due, spec, zone, clock in cases:
        with timezone(zone):
            anchor = 31 if due.day >= 28 else None
            expected.append(next_due(due, parse(spec), anchor=anchor, clock=clock, done_at=DONE_AT))
    mismatches = [(c, g, e) for c, g, e in zip(cases, got, expected, strict=True) if g != e]
    assert mismatches == []
    assert len(cases) == 880


def _as_an_older_release_completes(open_session: OpenSession, title: str) -> None:
    """done without a next one: what a release before recurrence does."""
    with open_session("alice") as s:
        s.execute(
            "UPDATE todos SET done = true, completed_at = :now "
            "WHERE user_id = (SELECT id FROM users WHERE name = :me) AND title = :title",
            params={"title": title},
        )


def test_an_instance_an_older_release_completed_is_followed_once(
    open_session: OpenSession,
) -> None:
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    with open_session("alice") as s:
        todos.add_many(
            s,
            todos=[
                NewTodo("Water plants", due=due, every="1w", tags=("home",)),
                NewTodo("Other"),
            ],
        )
    _as_an_older_release_completes(open_session, "Water plants")
    # The next listing makes the next one; listings after it do not again.
    for _ in range(3):
        with open_session("alice") as s:
            listed = listing.list_todos(s, status="all")
        assert [(t.number, t.title, t.done, t.due, t.tags) for t in listed] == [
            (1, "Water plants", True, due, ("home",)),
            (2, "Other", False, None, ()),
            (3, "Water plants", False, due + timedelta(weeks=1), ("home",)),
        ]
    # As does a done (of anything), on its way.
    _as_an_older_release_completes(open_session, "Water plants")
    with open_session("alice") as s:
        changes.complete(s, numbers=[2])
    with open_session("alice") as s:
        after = listing.list_todos(s, status="all")
    assert [(t.number, t.done, t.due) for t in after][2:] == [
        (3, True, due + timedelta(weeks=1)),
        (4, False, due + timedelta(weeks=2)),
    ]
    # None of it is in the journal: undo takes back the done of 2 alone.
    with open_session("alice") as s:
        (event,) = history.undo(s)
    assert (event.action, event.numbers, event.created) == ("done", (2,), ())


def test_undo_refuses_when_the_next_one_changed_since(open_session: OpenSession) -> None:
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    with open_session("alice") as s:
        todos.add(s, title="Water plants", due=due, every="1w")
        made = changes.complete(s, numbers=[1]).made
    assert [t.number for t in made] == [2]
    # Changed outside the journal (raw SQL; the version moves all the same).
    with open_session("alice") as s:
        s.execute(
            "UPDATE todos SET title = 'Water all plants' "
            "WHERE user_id = (SELECT id FROM users WHERE name = :me) AND number = 2"
        )
    conflict = r"cannot undo the done of todo 2 .*changed since"
    with pytest.raises(UndoConflictError, match=conflict), open_session("alice") as s:
        history.undo(s)
    with open_session("alice") as s:
        assert [(t.number, t.done) for t in listing.list_todos(s, status="all")] == [
            (1, True),
            (2, False),
        ]


def test_until_and_no_due_make_no_next_one(open_session: OpenSession) -> None:
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    with open_session("alice") as s:
        todos.add_many(
            s,
            todos=[
                NewTodo("Last", due=due, every="1w", until=due + timedelta(days=6)),
                NewTodo("Ends today", due=due, every="1d", until=due + timedelta(days=1)),
            ],
        )
        result = changes.complete(s, numbers=[1, 2])
    assert [(t.title, t.due) for t in result.made] == [("Ends today", due + timedelta(days=1))]


@pytest.mark.parametrize("stop", [{"every": None}, {"due": None}])
def test_an_until_with_what_stops_the_repeat_is_refused(
    open_session: OpenSession, stop: dict[str, Any]
) -> None:
    """The edit form can stop a repeat and give an until in one change."""
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    with open_session("alice") as s:
        todos.add(s, title="Weekly", due=due, every="1w")
    refused = "--until ends a repeat, and 1 does not repeat: give --every too"
    with pytest.raises(InvalidInputError, match=refused), open_session("alice") as s:
        changes.edit(s, numbers=[1], until=due + timedelta(days=30), **stop)
    with open_session("alice") as s:
        (todo,) = todos.find(s, numbers=[1])
    assert (todo.every, todo.due, todo.until) == ("1w", due, None)
