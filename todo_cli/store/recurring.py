"""Recurring todos in the store: the statements that make the next
instance of a series, sent in the message of the change that completes or
removes the current one (no round trip of their own).

Exactly once: the unique index (user_id, series, due) refuses a second
instance of a series for the same due date, whichever client, retry or
lost reply tries to make it (ON CONFLICT DO NOTHING), and the user's
counter row is locked before a number is handed out. An instance completed
by a release without recurrence is left done and not `continued`; the next
`todo` to list or complete repairs it (repair()).

Each next instance carries a request id made of this command's prefix, a
letter and the number of the todo it follows, so the change finds the
instances it made (to show them, and to journal them for undo) without a
round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from todo_cli.dates import end_of_day
from todo_cli.errors import InvalidInputError
from todo_cli.store import todo_columns
from todo_cli.store.ids import uuid4_hex
from todo_cli.store.sql import ME, in_set
from todo_cli.todo import UNSET, _Unset

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

    from todo_cli.store.session import Session
    from todo_cli.store.sql import Backend

# The instances a release without recurrence completed without making the
# next one; spelled as the partial index ix_todos_user_unfollowed is.
UNFOLLOWED: Final = "s.every IS NOT NULL AND s.done = true AND s.continued = false"
WAIT_AT: Final = {
    "postgresql": "({due} - make_interval(secs => {lead}))",
    "sqlite": "todo_wait_at({due}, {lead})",
}
# A next due Python can read back and show in any timezone (its dates end
# with the year 9999): SQLite's todo_next_due says NULL past it, and
# PostgreSQL's goes on, so its condition says where to stop.
_IN_RANGE: Final = {
    "postgresql": "n.due < CAST('10000-01-01 00:00:00+00' AS timestamptz) "
    "AND CAST(n.due AT TIME ZONE :tz AS timestamp) < CAST('10000-01-01' AS timestamp)",
    "sqlite": "n.due IS NOT NULL",
}
# What an instance has of its own; it copies every other column from the
# one it follows (todo_columns), the series, its rule and its wait included.
_OWN: Final = frozenset(
    {"number", "done", "due", "wait", "created_at", "updated_at", "completed_at"}
    | {"request_id", "continued", "version"}
)


def _copied() -> list[str]:
    return [c for c in todo_columns.journaled() if c not in _OWN]


def _inserted() -> str:
    return "user_id, number, done, due, wait, created_at, updated_at, request_id, added_by, " + (
        ", ".join(_copied())
    )


def made_ids(prefix: str, letter: str, numbers: list[int]) -> list[str]:
    """The request ids of the instances that follow `numbers`."""
    return [f"{prefix}{letter}{n}" for n in numbers]


def spawn(
    backend: Backend, source: str, *, done_at: str, letter: str, owner: str = ME
) -> list[str]:
    """The statements that make the next instance of each recurring todo of
    the user's matching `source` (a condition on `s`, the todos followed),
    due after its due (or, counted from done, after done_at: an SQL
    expression; always after its due). Nothing past a series' until or the
    year 9999, nor an instance that exists.
    The caller binds :spawn (this command's prefix). owner: whose todos
    (another user's, shared with me to write: numbered from their counter
    on PostgreSQL by the trigger todos_added, alembic/versions/0010)."""
    step = "todo_next_due(s.due, s.every, s.anchor, s.clock, {}, :tz)"
    due = step.format("NULL")
    if done_at != "NULL":
        # Counted from done, the next may fall on the due of the one done
        # (done a step early, or twice in a day), where the unique index
        # would refuse it and end the series: then it is a step after that
        # due. A rule that is not from done ignores done_at.
        counted = step.format(done_at)
        due = f"CASE WHEN {counted} > s.due THEN {counted} ELSE {due} END"
    nexts = (
        "(SELECT s.id AS src, s.user_id, s.number, "
        + ", ".join(f"s.{c}" for c in _copied())
        + f", {due} AS due "
        f"FROM todos s WHERE s.user_id = {owner} AND {source} AND s.due IS NOT NULL)"
    )
    fresh = (
        f"{_IN_RANGE[backend]} AND (n.until IS NULL OR n.due <= n.until) AND NOT EXISTS "
        "(SELECT 1 FROM todos t WHERE t.user_id = n.user_id AND t.series = n.series "
        "AND t.due = n.due)"
    )
    ranked = (
        # Numbered in no particular order: an ORDER BY would have the
        # planner walk every todo of the user in number order (a list turns
        # sorting off) rather than read the few the condition picks.
        f"(SELECT n.*, row_number() OVER () AS k, count(*) OVER () AS total "
        f"FROM {nexts} AS n WHERE {fresh})"
    )
    wait = (
        "CASE WHEN f.wait_lead IS NOT NULL THEN "
        + WAIT_AT[backend].format(due="f.due", lead="f.wait_lead")
        + " END"
    )
    values = (
        f"f.user_id, {{base}} + f.k, false, f.due, {wait}, :now, :now, "
        f":spawn || '{letter}' || CAST(f.number AS text), "
        # Added to another's list: by me (alembic/versions/0010).
        + ("NULL, " if owner == ME else "CAST(:me AS text), ")
        + ", ".join(f"f.{c}" for c in _copied())
    )
    conflict = "ON CONFLICT (user_id, series, due) WHERE series IS NOT NULL DO NOTHING"
    # The tags of each todo followed, onto the next one it made (found by
    # its request id: a statement of its own, so row-level security sees
    # the new todo).
    tags = (
        "INSERT INTO todo_tags (todo_id, tag) SELECT t.id, g.tag "
        f"FROM todos s JOIN todo_tags g ON g.todo_id = s.id JOIN todos t "
        f"ON t.user_id = s.user_id AND t.request_id = :spawn || '{letter}' || CAST(s.number AS text) "
        f"WHERE s.user_id = {owner} AND {source} ON CONFLICT DO NOTHING"
    )
    if backend == "postgresql":
        # One statement, one snapshot: the counter is locked and read back
        # (RETURNING) by the statement that numbers the instances; another
        # user's counter through the function that checks the share.
        if owner != ME:
            # Another's list: the trigger numbers each one from their counter.
            # No ON CONFLICT: it would hold the new row to the read policy
            # before it is in the share. The row lock and the done check
            # keep a second one out; the unique index would refuse it.
            return [
                f"WITH f AS MATERIALIZED {ranked} "
                f"INSERT INTO todos ({_inserted()}) SELECT {values.format(base='0')} FROM f",
                tags,
            ]
        return [
            f"WITH f AS MATERIALIZED {ranked}, "
            "c AS (UPDATE users SET last_number = users.last_number + (SELECT count(*) FROM f) "
            "WHERE users.name = :me AND EXISTS (SELECT 1 FROM f) "
            "RETURNING users.last_number - (SELECT count(*) FROM f) AS base) "
            f"INSERT INTO todos ({_inserted()}) SELECT {values.format(base='c.base')} "
            f"FROM f, c {conflict}",
            tags,
        ]
    # SQLite: the write transaction holds the file, so the statements see
    # one state.
    return [
        f"UPDATE users SET last_number = last_number + (SELECT count(*) FROM {nexts} AS n "
        f"WHERE {fresh}) WHERE users.id = {owner} AND EXISTS (SELECT 1 FROM {nexts} AS n "
        f"WHERE {fresh})",
        f"INSERT INTO todos ({_inserted()}) SELECT "
        f"{values.format(base='users.last_number - f.total')} FROM users, {ranked} AS f "
        f"WHERE users.id = {owner} {conflict}",
        tags,
    ]


def repair(backend: Backend) -> list[str]:
    """spawn() for the instances a release without recurrence completed,
    then mark them continued."""
    return [
        *spawn(backend, UNFOLLOWED, done_at="s.completed_at", letter="r"),
        f"UPDATE todos SET continued = true WHERE todos.id IN (SELECT s.id FROM todos s "
        f"WHERE s.user_id = {ME} AND {UNFOLLOWED})",
    ]


def needs_repair() -> str:
    """A query: does the user have instances to repair? (SQLite asks before
    it writes; on PostgreSQL repair() finds nothing at the cost of a read of
    an empty index.)"""
    return f"SELECT EXISTS (SELECT 1 FROM todos s WHERE s.user_id = {ME} AND {UNFOLLOWED})"


def made(backend: Backend, param: str, *, owner: str = ME) -> str:
    """A condition on `todos`: one of the instances with the request ids
    bound to :param."""
    return f"todos.user_id = {owner} AND {in_set(backend, 'todos.request_id', param, kind='text')}"


def repairs(session: Session) -> list[str]:
    """repair()'s statements, where there may be something to repair: on
    SQLite a local read says whether."""
    if session.backend == "sqlite" and not session.execute(needs_repair()).scalar():
        return []
    return repair(session.backend)


def repair_first(session: Session) -> tuple[list[str], dict[str, Any]]:
    """For a listing: the statements (and their parameters) to send before
    it, so it shows the next instances of todos an older release completed."""
    statements = repairs(session)
    return statements, ({"spawn": uuid4_hex()[:20]} if statements else {})


# The local time of day of a due, in seconds (a series keeps it).
_CLOCK_OF = {
    "postgresql": "CAST(extract(epoch FROM CAST(({0}) AT TIME ZONE :tz AS time)) AS integer)",
    "sqlite": "CAST(strftime('%s', strftime('1970-01-01 %H:%M:%S', {0}, 'localtime')) AS integer)",
}
# The day of the month of a due, in the local timezone (a series keeps it).
_DAY_OF = {
    "postgresql": "CAST(extract(day FROM ({0}) AT TIME ZONE :tz) AS smallint)",
    "sqlite": "CAST(strftime('%d', {0}, 'localtime') AS integer)",
}


def edit_sets(
    backend: Backend, params: dict[str, Any], now: datetime, changes: Mapping[str, Any]
) -> list[str]:
    """edit's SET clauses for the recurrence and the wait, from edit's
    changes (editing.py; UNSET or absent: left as it is); each reads the
    row as it was: SET sees the old values."""
    due: datetime | _Unset | None = changes.get("due", UNSET)
    every: str | _Unset | None = changes.get("every", UNSET)
    until: datetime | _Unset | None = changes.get("until", UNSET)
    wait: datetime | _Unset | None = changes.get("wait", UNSET)
    wait_lead: int | _Unset | None = changes.get("wait_lead", UNSET)
    if due is None and isinstance(every, str):
        raise InvalidInputError("a recurring todo needs a due date; give --due a date, not none")
    sets: dict[str, str] = {}
    new_due = "todos.due"
    if isinstance(due, datetime):
        from todo_cli.recurrence import anchor_and_clock

        new_due = ":due"
        params["anchor"], params["clock"] = anchor_and_clock(due)
        sets.update(anchor=":anchor", clock=":clock")
    elif due is None and not isinstance(every, str):
        # No due date, no next one: the todo stops repeating.
        every = None
    if isinstance(every, str):
        if not isinstance(due, datetime):
            new_due = "COALESCE(todos.due, :default_due)"
            sets["due"] = new_due
            sets["anchor"] = _DAY_OF[backend].format(new_due)
            sets["clock"] = _CLOCK_OF[backend].format(new_due)
            params["default_due"] = end_of_day(now)
        sets["every"] = ":every"
        sets["series"] = "COALESCE(todos.series, :series || CAST(todos.number AS text))"
        params["every"] = every
        params["series"] = uuid4_hex()[:22]
    elif every is None:
        sets.update(every="NULL", until="NULL", wait_lead="NULL")
    if not isinstance(until, _Unset):
        sets["until"] = ":until"
        params["until"] = until
    wait_at = WAIT_AT[backend]
    if not isinstance(wait_lead, _Unset) and wait_lead is not None:
        sets["wait_lead"] = ":wait_lead"
        sets["wait"] = wait_at.format(due=new_due, lead=":wait_lead")
        params["wait_lead"] = wait_lead
    elif not isinstance(wait, _Unset):
        sets.update(wait=":wait", wait_lead="NULL")
        params["wait"] = wait
    elif new_due != "todos.due":
        # The due moved: so does a wait that is a time before it.
        lead = wait_at.format(due=new_due, lead="todos.wait_lead")
        sets["wait"] = f"CASE WHEN todos.wait_lead IS NULL THEN todos.wait ELSE {lead} END"
    return [f"{column} = {value}" for column, value in sets.items()]
