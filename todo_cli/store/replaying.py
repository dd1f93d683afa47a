"""What replaying a change made offline asks the server (offline/replay.py),
inside the change's own transaction, whose clock is the change's stamp:
whether the journal holds it already, the todos as they are now (locked),
and the marks that show a server restored to an earlier state."""

from __future__ import annotations

import json
from datetime import datetime

from todo_cli.store import events, todos
from todo_cli.store.listing import USER_MARK
from todo_cli.store.rows import to_todo
from todo_cli.store.session import Session
from todo_cli.store.sql import in_set, whose
from todo_cli.todo import Todo

_ME = "(SELECT id FROM users WHERE name = :me)"
# A change run with the session's clock at its stamp journals it as
# events.at (an undo: as the undone entry's undone_at), in its transaction.
# With an add's entry, the request id its first todo was saved with.
_FIRST = {
    "postgresql": "CAST(CAST(e.data AS json)->>'first' AS integer)",
    "sqlite": "json_extract(e.data, '$.first')",
}
_AT_STAMP = (
    "SELECT e.id, e.data, CASE WHEN e.action = 'add' THEN (SELECT t.request_id FROM todos t "
    "WHERE t.user_id = e.user_id AND t.number = {first}) "
    f"END FROM events e WHERE e.user_id = {_ME} "
    "AND (e.at = :now AND e.action = :kind OR e.undone_at = :now AND :kind = 'undo')"
)


def journaled(
    session: Session,
    kind: str,
    *,
    title: str | None = None,
    request_id: str | None = None,
    saw: dict[int, str] | None = None,
    numbers: list[int] | None = None,
    undone: int | None = None,
) -> list[int] | None:
    """Whether this change is in the journal: applied by an earlier replay
    that died before saying so (an add: the numbers it gave; else []), or
    None. Its entry carries the change's stamp; and, so that another
    machine's change journaled at the same microsecond is never taken for
    it: an add's first todo holds its request id (or, removed since, the
    add's first title is its); an undo took back the entry it meant
    (undone, when it names one); edit, done, reopen and rm name only todos
    this change names, each as it saw it (its updated_at). A forced change
    (saw None) was applied to todos it did not see as they are: it names
    some of them (a done of a done todo is not journaled)."""
    query = _AT_STAMP.format(first=_FIRST[session.backend])
    for event_id, data, first_request in session.execute(query, params={"kind": kind}).all():
        if kind == "undo":
            if undone is None or int(event_id) == undone:
                return []
            continue
        found = json.loads(data or "{}")
        if kind == "add":
            mine = (
                first_request == request_id
                if first_request is not None and request_id is not None
                else title is None or found.get("title") == title
            )
            if mine:
                return list(range(int(found.get("first", 0)), int(found.get("last", -1)) + 1))
            continue
        before = {int(r["number"]): r.get("updated_at") for r in found.get("todos", [])}
        if saw is None:
            if before and set(before) <= set(numbers or ()):
                return []
            continue
        if before and all(n in saw and _same_time(at, saw[n]) for n, at in before.items()):
            return []
    return None


def _same_time(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    try:
        return datetime.fromisoformat(a) == datetime.fromisoformat(b)
    except ValueError:
        return False


def marks(session: Session, probe: int = 0) -> tuple[int, int, str, datetime | None]:
    """The user's last todo number, newest journal entry, when the server
    made the user (listing.USER_MARK), and when it made the user's todo
    numbered probe: (0, 0, "", None) for a user the server does not know."""
    row = session.execute(
        "SELECT u.last_number, (SELECT max(e.id) FROM events e WHERE e.user_id = u.id), "
        f"{USER_MARK[session.backend]}, (SELECT t.created_at FROM todos t "
        "WHERE t.user_id = u.id AND t.number = :probe) FROM users u WHERE u.name = :me",
        params={"probe": probe},
    ).first()
    if not row:
        return (0, 0, "", None)
    made = session.time(row[3]) if row[3] is not None else None
    return (int(row[0] or 0), int(row[1] or 0), str(row[2] or ""), made)


def newest(session: Session) -> tuple[int, datetime | None]:
    """The user's newest change not undone: what `todo undo` would take."""
    row = session.execute(
        f"SELECT id, at FROM events WHERE user_id = {_ME} AND undone_at IS NULL "
        "ORDER BY id DESC LIMIT 1"
    ).first()
    return (int(row[0]), session.time(row[1])) if row else (0, None)


def max_event(session: Session) -> tuple[int, int]:
    """The user's newest journal id, and newest not undone."""
    row = session.execute(
        "SELECT max(id), max(CASE WHEN undone_at IS NULL THEN id END) "
        f"FROM events WHERE user_id = {_ME}"
    ).first()
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)


def current(
    session: Session, numbers: list[int], owner: str | None, *, lock: bool
) -> dict[int, Todo]:
    """The todos numbered so (mine, or owner's shared with me to write) as
    they are now, locked until the transaction ends when lock."""
    scope = whose(owner, write=True)
    which = in_set(session.backend, "todos.number", "numbers") + scope.only()
    rows = session.execute(
        *(events.lock_rows(session.backend, which, owner=scope.owner) if lock else []),
        todos.select_numbers(session.backend, scope),
        params={"numbers": numbers, **scope.params},
    ).all()
    return {t.number: t for t in (to_todo(r, session.time) for r in rows)}


def identities(session: Session, numbers: list[int]) -> dict[int, str | None]:
    """The request ids my todos numbered so were saved with (a provisional
    name is checked by it: offline/__init__.refs)."""
    rows = session.execute(
        f"SELECT number, request_id FROM todos WHERE user_id = {_ME} "
        f"AND {in_set(session.backend, 'number', 'numbers')}",
        params={"numbers": numbers},
    ).all()
    return {int(r[0]): r[1] for r in rows}
