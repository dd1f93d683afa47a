"""Journaling: the SQL that records an event with each change.

Each function returns one more statement for the change's own
Session.execute call, so the event travels in the same message (no extra
round trip) and commits or rolls back with the change. history.py reads the
events back for `todo log` and `todo undo`.

Two shapes of event data (JSON text in events.data):
- edit, done, reopen, rm: {"todos": [every changed todo as it was before]},
  each row with its tags, request id and version, as the backend writes
  JSON (history.py hands them back to the same backend unchanged), and
  for done and rm "created": [the next instances of recurring todos made];
- add: {"first": N, "last": M, "title": "..."}, the consecutive numbers
  the change handed out and the first title (for the log);
- import: {"numbers": [...], "title": "..."} (an import may keep the
  numbers of its file, so they need not be consecutive).
"""

from __future__ import annotations

from todo_cli.store import todo_columns
from todo_cli.store.sql import ME, MINE, Scope

TYPE_CHECKING = False
if TYPE_CHECKING:
    from todo_cli.store.sql import Backend


def _row_json(backend: Backend) -> str:
    """The JSON object of one row of `todos`, tags included."""
    pairs = ", ".join(f"'{f}', todos.{f}" for f in todo_columns.journaled())
    if backend == "postgresql":
        tags = (
            "COALESCE((SELECT json_agg(g.tag ORDER BY g.tag) FROM todo_tags g "
            "WHERE g.todo_id = todos.id), CAST('[]' AS json))"
        )
        return f"json_build_object({pairs}, 'tags', {tags})"
    tags = (
        "json(COALESCE((SELECT json_group_array(s.tag) FROM (SELECT g.tag FROM todo_tags g "
        "WHERE g.todo_id = todos.id ORDER BY g.tag) AS s), '[]'))"
    )
    return f"json_object({pairs}, 'tags', {tags})"


def _todos_json(backend: Backend, created: str | None, by: bool) -> str:
    """{"todos": [...]} over the rows a statement selects, as text, with
    "created": [the numbers of the todos matching `created`, a condition
    on `todos`] when given, and "by": the user who made the change, when
    the todos are another's."""
    who = ", 'by', CAST(:me AS text), 'owner', CAST(:owner AS text)" if by else ""
    if backend == "postgresql":
        made = (
            f", 'created', (SELECT json_agg(todos.number ORDER BY todos.number) FROM todos "
            f"WHERE {created})"
            if created
            else ""
        )
        return (
            f"CAST(json_build_object('todos', json_agg({_row_json(backend)} "
            f"ORDER BY todos.number){made}{who}) AS text)"
        )
    made = (
        f", 'created', (SELECT json_group_array(todos.number) FROM todos WHERE {created})"
        if created
        else ""
    )
    return f"json_object('todos', json_group_array({_row_json(backend)}){made}{who})"


def lock_rows(backend: Backend, where: str, *, owner: str = ME) -> list[str]:
    """On PostgreSQL, a statement that locks the user's todos matching
    `where` until the transaction ends; place it first, so the snapshot
    record_before journals is the one the change then changes (a concurrent
    change waits, and the next statement sees what it committed). SQLite
    needs none: a write transaction holds the database's write lock."""
    if backend != "postgresql":
        return []
    return [f"SELECT 1 FROM todos WHERE todos.user_id = {owner} AND {where} FOR UPDATE"]


def record_before(
    backend: Backend,
    action: str,
    where: str,
    *,
    created: str | None = None,
    scope: Scope = MINE,
) -> str:
    """An INSERT that journals the todos of the scope's owner matching
    `where` (a condition on `todos`) as they are now; place it before the
    statements that change them. Nothing is recorded when no todo matches.
    created: a condition on `todos`, the next instances of recurring todos
    the change made (place it after the statements that made them). A change
    to another user's todos is the user's event, naming the owner."""
    theirs = scope.owner_name is not None
    return (
        "INSERT INTO events (user_id, owner_id, at, action, data) "
        f"SELECT {ME}, {scope.owner if theirs else 'NULL'}, :now, '{action}', "
        f"{_todos_json(backend, created, theirs)} "
        f"FROM todos WHERE todos.user_id = {scope.owner} AND {where} HAVING count(*) > 0"
    )


def record_numbers(backend: Backend, action: str, *, count: str, condition: str) -> str:
    """An INSERT that journals an add or import of `count` todos numbered up
    to users.last_number; place it after the statement that bumps the
    counter. `condition` (on `users`) must hold for the event to be written."""
    first = f"users.last_number - {count} + 1"
    if backend == "postgresql":
        data = (
            f"CAST(json_build_object('first', {first}, 'last', users.last_number, "
            "'title', CAST(:event_title AS text)) AS text)"
        )
    else:
        data = f"json_object('first', {first}, 'last', users.last_number, 'title', :event_title)"
    return (
        "INSERT INTO events (user_id, at, action, data) "
        f"SELECT users.id, :now, '{action}', {data} FROM users "
        f"WHERE users.name = :me AND {condition}"
    )


def record_created(backend: Backend, action: str) -> str:
    """An INSERT that journals the todos numbered :event_numbers (a JSON
    array) as created by `action` (an import, made in several batches);
    :event_done, those of them made done (they never counted as open)."""
    if backend == "postgresql":
        data = (
            "CAST(json_build_object('numbers', CAST(:event_numbers AS json), "
            "'title', CAST(:event_title AS text), 'done', CAST(:event_done AS json)) AS text)"
        )
    else:
        data = (
            "json_object('numbers', json(:event_numbers), 'title', :event_title, "
            "'done', json(:event_done))"
        )
    return f"INSERT INTO events (user_id, at, action, data) SELECT {ME}, :now, '{action}', {data}"
