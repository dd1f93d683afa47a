"""What replaying a change made offline asks the server (offline/replay.py),
inside the change's own transaction, whose clock is the change's stamp:
whether the journal holds it already, the todos as they are now (locked),
and the marks that show a server restored to an earlier state."""

from __future__ import annotations

import json
from datetime import datetime

from todo_cli.store import events, todos
from todo_cli.store.rows import to_todo
from todo_cli.store.session import Session
from todo_cli.store.sql import in_set, whose
from todo_cli.todo import Todo

_ME = "(SELECT id FROM users WHERE name = :me)"
# A change run with the session's clock at its stamp journals it as
# events.at (an undo: as the undone entry's undone_at), in its transaction.
_AT_STAMP = (
    f"SELECT data FROM events WHERE user_id = {_ME} "
    "AND (at = :now AND action = :kind OR undone_at = :now AND :kind = 'undo')"
)


def journaled(
    session: Session,
    kind: str,
    *,
    title: str | None = None,
    saw: dict[int, str] | None = None,
    numbers: list[int] | None = None,
) -> bool:
    """Whether this change is in the journal: applied by an earlier replay
    that died before saying so. Its entry carries the change's stamp; and,
    so that another machine's change journaled at the same microsecond is
    never taken for it, an add's first title, or (edit, done, reopen, rm)
    only todos this change names, each as it saw it (its updated_at). A
    forced change (saw None, numbers given) was applied to a todo it did
    not see as it is: exactly the todos it names."""
    for (data,) in session.execute(_AT_STAMP, params={"kind": kind}).all():
        if kind == "undo":
            return True
        found = json.loads(data or "{}")
        if kind == "add":
            if title is None or found.get("title") == title:
                return True
            continue
        before = {int(r["number"]): r.get("updated_at") for r in found.get("todos", [])}
        if saw is None:
            if before and set(before) == set(numbers or ()):
                return True
            continue
        if before and all(n in saw and _same_time(at, saw[n]) for n, at in before.items()):
            return True
    return False


def _same_time(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    try:
        return datetime.fromisoformat(a) == datetime.fromisoformat(b)
    except ValueError:
        return False


def added(session: Session) -> list[int]:
    """The numbers the add journaled at this transaction's stamp gave out."""
    data = session.execute(
        f"SELECT data FROM events WHERE user_id = {_ME} AND at = :now AND action = 'add'"
    ).scalar()
    found = json.loads(data or "{}")
    return list(range(int(found.get("first", 0)), int(found.get("last", -1)) + 1))


def marks(session: Session) -> tuple[int, int]:
    """The user's last todo number and newest journal entry: (0, 0) for a
    user the server does not know."""
    row = session.execute(
        "SELECT u.last_number, (SELECT max(e.id) FROM events e WHERE e.user_id = u.id) "
        "FROM users u WHERE u.name = :me"
    ).first()
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)


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
