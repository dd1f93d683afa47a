"""Listing todos: filters, sort orders, a bounded page with the total, and a
full listing that streams."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from todo_cli.classes import dataclass
from todo_cli.store import recurring
from todo_cli.store.rows import WIDTH, columns, text_columns, to_todo, to_todo_text
from todo_cli.store.session import Session
from todo_cli.store.sql import ME, MINE, Scope
from todo_cli.todo import PRIORITIES, Todo, TodoText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    from todo_cli.store.sql import Backend

    Status = Literal["open", "done", "all"]
    Sort = Literal["default", "number", "due", "priority", "created"]

SORTS: tuple[Sort, ...] = ("default", "number", "due", "priority", "created")

_FOLD = {"postgresql": "lower(todos.title)", "sqlite": "todo_fold(todos.title)"}
# Spelled as the partial indexes are (done = false): SQLite matches an
# index's condition by its text (tests/store/test_query_plans.py).
_STATUS = {"open": "todos.done = false", "done": "todos.done = true", "all": ""}
_DUE_LAST = "todos.due IS NULL"  # false sorts first: todos without a due date last
_ORDER_OVERDUE = "todos.due < :now AND todos.done = false"
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
    # The todos waiting (a wait still ahead): hidden, only those, or shown.
    wait: Literal["hide", "only", "show"] = "show"
    # The todos others share with me, instead of mine.
    shared: bool = False


def _where(backend: Backend, f: Filter) -> tuple[str, dict[str, Any]]:
    parts = [SHARED_WITH_ME if f.shared else f"todos.user_id = {ME}"]
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
        parts.append("todos.due < :now AND todos.done = false")
    if f.wait == "hide":
        parts.append("(todos.wait IS NULL OR todos.wait <= :now)")
    elif f.wait == "only":
        parts.append("todos.done = false AND todos.wait > :now")
    if f.due_before is not None:
        parts.append("todos.due < :due_before")
        params["due_before"] = f.due_before
    if f.search:
        # A literal substring: % _ and \ in the search mean themselves.
        escaped = f.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        parts.append(f"{_FOLD[backend]} LIKE :pattern ESCAPE '\\'")
        params["pattern"] = f"%{escaped}%"
    return " AND ".join(parts), params


SHARED_WITH_ME = "todos.id IN (SELECT todo_id FROM shared_todos WHERE grantee_name = :me)"


def _whose(f: Filter) -> Scope | None:
    """Whose names the rows carry: mine, or each one's sharer."""
    return None if f.shared else MINE


def _repair(session: Session, f: Filter) -> tuple[list[str], dict[str, Any]]:
    return ([], {}) if f.shared else recurring.repair_first(session)


def _order(sort: Sort, reverse: bool) -> str:
    keys = _ORDER[sort]
    return ", ".join(f"{k} DESC" if reverse else k for k in keys)


# The plans a page wants whatever the statistics say (a user's first
# thousands of todos arrive before any): walk an index in order and stop
# after a page, rather than fetch every open todo and sort it. PostgreSQL
# picks these by itself once the table is analysed; these settings last
# this transaction only (tests/store/test_query_plans.py checks both ways).
# An unavoidable sort (the page's own, of at most 5 x limit ids) then costs
# more than JIT compilation's threshold, hence jit off.
PAGE_PLANNER = {
    "enable_sort": "off",
    "enable_incremental_sort": "off",
    "enable_bitmapscan": "off",
    "jit": "off",
}
# The overdue todos of one priority in index order. Each database sees the
# order a range of ix_todos_user_open_order is in through a different
# spelling (PostgreSQL keeps the expression column, SQLite drops the
# constant one).
_OVERDUE_ORDER = {
    "postgresql": f"{_DUE_LAST}, todos.due, todos.number",
    "sqlite": "todos.due, todos.number",
}


# A page counts the todos it does not show up to this many: past it,
# "… and over 1,000 more" says enough, and the count stays a bounded read of
# an index however long the list grows (an exact count of 100,000 open
# todos reads them all, and without a recent VACUUM visits every row).
COUNT_CAP = 1000


# Three more columns a listing can carry, computed once per statement (no
# round trip): the user's newest journal id, and newest not undone; and when
# the server made the user (USER_MARK). Offline mode keeps them
# (offline/__init__.py: a restored server, a queued undo, another server).
USER_MARK = {
    "postgresql": "(SELECT CAST(extract(epoch FROM u.created_at) AS text) FROM users u "
    "WHERE u.name = :me)",
    "sqlite": "(SELECT CAST(u.created_at AS text) FROM users u WHERE u.name = :me)",
}


def journal_columns(backend: Backend) -> str:
    return (
        f", (SELECT max(e.id) FROM events e WHERE e.user_id = {ME}) AS journal_max"
        f", (SELECT max(e.id) FROM events e WHERE e.user_id = {ME} AND e.undone_at IS NULL)"
        f" AS journal_live, {USER_MARK[backend]} AS journal_user"
    )


def _journal(session: Session, row: Any, at: int) -> None:
    session.journal = (int(row[at] or 0), int(row[at + 1] or 0), str(row[at + 2] or ""))


def page(
    session: Session,
    *,
    filter: Filter,
    sort: Sort = "default",
    reverse: bool = False,
    limit: int,
    journal: bool = False,
) -> tuple[list[Todo], int]:
    """The first `limit` todos in order, and how many match in all, counted
    up to limit + COUNT_CAP + 1 (more than that reads as "over").

    The total comes from a scalar subquery in the same statement, so the
    cost stays flat as a user's list grows.
    """
    where, params = _where(session.backend, filter)
    order = _order(sort, reverse)
    repair, more = _repair(session, filter)
    # The page is chosen by id first, so the per-row tags subquery runs for
    # the rows shown, not for every candidate the sort looks at.
    rows = session.execute(
        *repair,
        f"SELECT {columns(session.backend, _whose(filter))}, (SELECT count(*) FROM (SELECT 1 FROM todos "
        f"WHERE {where} LIMIT :count_cap) AS c) AS total{journal_columns(session.backend) if journal else ''} "
        f"FROM todos WHERE todos.id IN ({_candidates(session.backend, where, sort, reverse)}) "
        f"ORDER BY {order} LIMIT :limit",
        params={**params, **more, "limit": limit, "count_cap": limit + COUNT_CAP + 1},
        planner=PAGE_PLANNER,
    ).all()
    if journal and rows:
        _journal(session, rows[0], WIDTH + 1)
    return [to_todo(r, session.time) for r in rows], int(rows[0][WIDTH]) if rows else 0


def _candidates(backend: Backend, where: str, sort: Sort, reverse: bool) -> str:
    """Ids that include the page: a superset when that is cheaper to find.

    The default order starts with "overdue first", which no index can hold
    (it moves with the clock). The rest of it is an index
    (ix_todos_user_open_order: priority, then due, then number), so take the
    first `limit` of all in that order, and the first `limit` overdue todos
    of each priority: within a priority the index holds the due ones in due
    order, so each of those is a range of the index that stops after a page.
    If m of the page are overdue, the branch of all holds at most m overdue
    ones, so at least the `limit - m` others the page needs. Every branch
    reads a page of index entries however long the list is.
    """
    if sort != "default" or reverse:
        order = _order(sort, reverse)
        return f"SELECT todos.id FROM todos WHERE {where} ORDER BY {order} LIMIT :limit"
    rest = ", ".join(_ORDER["default"][1:])
    # Each LIMITed branch is a derived table: SQLite refuses parenthesised
    # members of a UNION. (due IS NULL) = false is spelled as the index's
    # column, so both databases read a range of it.
    overdue = [
        f"SELECT o{p}.id FROM (SELECT todos.id FROM todos WHERE {where} "
        f"AND todos.done = false AND COALESCE(todos.priority, 4) = {p} "
        f"AND ({_DUE_LAST}) = false AND todos.due < :now "
        f"ORDER BY {_OVERDUE_ORDER[backend]} LIMIT :limit) AS o{p}"
        for p in (1, 2, 3, 4)
    ]
    everything = (
        f"SELECT b.id FROM (SELECT todos.id FROM todos WHERE {where} "
        f"ORDER BY {rest} LIMIT :limit) AS b"
    )
    return " UNION ALL ".join([*overdue, everything])


def iter_todos(
    session: Session,
    *,
    filter: Filter,
    sort: Sort = "default",
    reverse: bool = False,
    limit: int | None = None,
    source: bool = False,
    journal: bool = False,
) -> Iterator[Todo]:
    """Every matching todo in order, yielded as rows are read: one statement,
    one snapshot, one round trip; rows become Todo objects one at a time.
    source: with each todo's request id (Todo.source). journal: the
    session learns the journal marks (journal_columns) from the first row."""
    where, params = _where(session.backend, filter)
    repair, more = _repair(session, filter)
    rows = session.execute(
        *repair,
        f"SELECT {columns(session.backend, _whose(filter), source=source)}"
        f"{journal_columns(session.backend) if journal else ''} FROM todos WHERE {where} "
        f"ORDER BY {_order(sort, reverse)}" + (" LIMIT :limit" if limit else ""),
        params={**params, **more, "limit": limit},
    )
    time = session.time
    first = journal
    for row in rows:
        if first:
            _journal(session, row, WIDTH + (1 if source else 0))
            first = False
        yield to_todo(row, time, source=source)


def iter_text(
    session: Session,
    *,
    filter: Filter,
    sort: Sort = "default",
    reverse: bool = False,
    limit: int | None = None,
) -> Iterator[TodoText]:
    """iter_todos, with the timestamps formatted by the database: what a
    JSON listing streams (100,000 todos in a third of the time)."""
    where, params = _where(session.backend, filter)
    repair, more = _repair(session, filter)
    rows = session.execute(
        *repair,
        f"SELECT {text_columns(session.backend, _whose(filter))} FROM todos WHERE {where} "
        f"ORDER BY {_order(sort, reverse)}" + (" LIMIT :limit" if limit else ""),
        params={**params, **more, "limit": limit},
    )
    return map(to_todo_text(session.backend), rows)


def list_todos(session: Session, *, status: Status = "open", sort: Sort = "number") -> list[Todo]:
    """Every todo with this status (a convenience for tests and small lists)."""
    return list(iter_todos(session, filter=Filter(status=status), sort=sort))
