"""Listing todos: filters, sort orders, a bounded page with the total, and a
full listing that streams."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from todo_cli.db import Session
from todo_cli.todos import PRIORITIES, Todo, columns, row_types, to_todo

Status = Literal["open", "done", "all"]
Sort = Literal["default", "number", "due", "priority", "created"]
SORTS: tuple[Sort, ...] = ("default", "number", "due", "priority", "created")

_ME = "(SELECT id FROM users WHERE name = :me)"
_FOLD = {"postgresql": "lower(todos.title)", "sqlite": "todo_fold(todos.title)"}
_STATUS = {"open": "todos.done = FALSE", "done": "todos.done = TRUE", "all": ""}
_DUE_LAST = "todos.due IS NULL"  # false sorts first: todos without a due date last
_ORDER_OVERDUE = "todos.due < :now AND todos.done = FALSE"
_ORDER: dict[Sort, list[str]] = {
    # Overdue first, then by priority (none last), then by due date (none last).
    # The keys after the first are the index ix_todos_user_open_order.
    "default": [
        f"CASE WHEN {_ORDER_OVERDUE} THEN 0 ELSE 1 END",
        "COALESCE(todos.priority, 4)",
        _DUE_LAST,
        "todos.due",
        "todos.number",
    ],
    "number": ["todos.number"],
    "due": [_DUE_LAST, "todos.due", "todos.number"],
    "priority": ["COALESCE(todos.priority, 4)", "todos.number"],
    "created": ["todos.created_at", "todos.number"],
}


@dataclass(frozen=True)
class Filter:
    status: Status = "open"
    tags: tuple[str, ...] = ()
    priority: str | None = None
    overdue: bool = False
    due_before: datetime | None = None
    search: str | None = None


def _where(session: Session, f: Filter) -> tuple[str, dict[str, Any]]:
    parts = [f"todos.user_id = {_ME}"]
    params: dict[str, Any] = {}
    if _STATUS[f.status]:
        parts.append(_STATUS[f.status])
    for i, tag in enumerate(dict.fromkeys(f.tags)):
        parts.append(
            f"EXISTS (SELECT 1 FROM todo_tags g WHERE g.todo_id = todos.id AND g.tag = :tag{i})"
        )
        params[f"tag{i}"] = tag
    if f.priority:
        parts.append("todos.priority = :priority")
        params["priority"] = PRIORITIES[f.priority]
    if f.overdue:
        parts.append("todos.due < :now AND todos.done = FALSE")
    if f.due_before is not None:
        parts.append("todos.due < :due_before")
        params["due_before"] = f.due_before
    if f.search:
        # A literal substring: % _ and \ in the search mean themselves.
        escaped = f.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        parts.append(f"{_FOLD[session.backend]} LIKE :pattern ESCAPE '\\'")
        params["pattern"] = f"%{escaped}%"
    return " AND ".join(parts), params


def _order(sort: Sort, reverse: bool) -> str:
    keys = _ORDER[sort]
    return ", ".join(f"{k} DESC" if reverse else k for k in keys)


def page(
    session: Session, *, filter: Filter, sort: Sort = "default", reverse: bool = False, limit: int
) -> tuple[list[Todo], int]:
    """The first `limit` todos in order, and how many match in all.

    The total comes from a scalar subquery in the same statement (an index
    scan, no rows fetched), so the cost stays flat as a user's list grows.
    """
    where, params = _where(session, filter)
    order = _order(sort, reverse)
    # The page is chosen by id first, so the per-row tags subquery runs for
    # the rows shown, not for every candidate the sort looks at.
    rows = session.execute(
        f"SELECT {columns(session)}, (SELECT count(*) FROM todos WHERE {where}) AS total "
        f"FROM todos WHERE todos.id IN ({_candidates(where, sort, reverse)}) "
        f"ORDER BY {order} LIMIT :limit",
        params={**params, "now": datetime.now(UTC), "limit": limit},
        columns=row_types(),
    ).all()
    return [to_todo(r) for r in rows], int(rows[0].total) if rows else 0


def _candidates(where: str, sort: Sort, reverse: bool) -> str:
    """Ids that include the page: a superset when that is cheaper to find.

    The default order starts with "overdue first", which no index can hold
    (it moves with the clock). The rest of it is an index
    (ix_todos_user_open_order), so take the first `limit` overdue todos and
    the first `limit` of all in that order. If m of the page are overdue, the
    second branch holds at most m overdue ones, so at least the `limit - m`
    others the page needs. Both stop after a page of index entries however
    long the list is.
    """
    if sort != "default" or reverse:
        order = _order(sort, reverse)
        return f"SELECT todos.id FROM todos WHERE {where} ORDER BY {order} LIMIT :limit"
    rest = ", ".join(_ORDER["default"][1:])
    overdue = _ORDER_OVERDUE
    # Each LIMITed branch is a derived table: SQLite refuses parenthesised
    # members of a UNION.
    return (
        f"SELECT a.id FROM (SELECT todos.id FROM todos WHERE {where} AND {overdue} "
        f"ORDER BY {rest} LIMIT :limit) AS a UNION ALL SELECT b.id FROM (SELECT todos.id "
        f"FROM todos WHERE {where} ORDER BY {rest} LIMIT :limit) AS b"
    )


def iter_todos(
    session: Session,
    *,
    filter: Filter,
    sort: Sort = "default",
    reverse: bool = False,
    limit: int | None = None,
) -> Iterator[Todo]:
    """Every matching todo in order, yielded as rows are read: one statement,
    one snapshot, one round trip; rows become Todo objects one at a time."""
    where, params = _where(session, filter)
    result = session.execute(
        f"SELECT {columns(session)} FROM todos WHERE {where} ORDER BY {_order(sort, reverse)}"
        + (" LIMIT :limit" if limit else ""),
        params={**params, "now": datetime.now(UTC), "limit": limit},
        columns=row_types(),
    )
    for row in result:
        yield to_todo(row)


def list_todos(session: Session, *, status: Status = "open", sort: Sort = "number") -> list[Todo]:
    """Every todo with this status (a convenience for tests and small lists)."""
    return list(iter_todos(session, filter=Filter(status=status), sort=sort))
