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

import uuid
from typing import TYPE_CHECKING, Any, Final

from todo_cli.store.sql import ME, Backend, in_set

if TYPE_CHECKING:
    from todo_cli.store.session import Session

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
_COPIED = ("title", "priority", "note", "every", "anchor", "clock", "until", "wait_lead", "series")
_INSERTED = (
    "user_id, number, done, due, wait, created_at, updated_at, request_id, added_by, "
    + ", ".join(_COPIED)
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
        + ", ".join(f"s.{c}" for c in _COPIED)
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
        + ", ".join(f"f.{c}" for c in _COPIED)
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
                f"INSERT INTO todos ({_INSERTED}) SELECT {values.format(base='0')} FROM f",
                tags,
            ]
        return [
            f"WITH f AS MATERIALIZED {ranked}, "
            "c AS (UPDATE users SET last_number = users.last_number + (SELECT count(*) FROM f) "
            "WHERE users.name = :me AND EXISTS (SELECT 1 FROM f) "
            "RETURNING users.last_number - (SELECT count(*) FROM f) AS base) "
            f"INSERT INTO todos ({_INSERTED}) SELECT {values.format(base='c.base')} "
            f"FROM f, c {conflict}",
            tags,
        ]
    # SQLite: the write transaction holds the file, so the statements see
    # one state.
    return [
        f"UPDATE users SET last_number = last_number + (SELECT count(*) FROM {nexts} AS n "
        f"WHERE {fresh}) WHERE users.id = {owner} AND EXISTS (SELECT 1 FROM {nexts} AS n "
        f"WHERE {fresh})",
        f"INSERT INTO todos ({_INSERTED}) SELECT "
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
    return statements, ({"spawn": uuid.uuid4().hex[:20]} if statements else {})
