"""What <TAB> reads from the database (completion.py): todo numbers with
their titles, tags, and who shares with me, each in one statement, since
a read on PostgreSQL is one message and its transaction ends with it.
Imported only when a word needs the database; offers() is its one entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from todo_cli.store.rows import SHARER
from todo_cli.store.session import Session
from todo_cli.store.sql import ME, in_set

if TYPE_CHECKING:
    from todo_cli.store.target import Target

_STATUS = {"open": " AND todos.done = false", "done": " AND todos.done = true", "all": ""}


def todos(session: Session, *, status: str, shared: str = "") -> list[tuple[str, str]]:
    """Numbers and titles: mine, then (shared: "read" or "write") those
    shared with me as alice/3."""
    to_write = " AND can_write" if shared == "write" else ""
    theirs = f"todos.id IN (SELECT todo_id FROM shared_todos WHERE grantee_name = :me{to_write})"
    whose = f"(todos.user_id = {ME} OR {theirs})" if shared else f"todos.user_id = {ME}"
    rows = session.execute(
        f"SELECT CASE WHEN todos.user_id = {ME} THEN NULL ELSE {SHARER} END, todos.number, "
        f"todos.title FROM todos WHERE {whose}{_STATUS[status]} "
        f"ORDER BY CASE WHEN todos.user_id = {ME} THEN 0 ELSE 1 END, 1, 2"
    ).all()
    return [(f"{owner}/{n}" if owner else str(n), title) for owner, n, title in rows]


def _tags(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        "SELECT g.tag, count(*) FROM todo_tags g JOIN todos ON todos.id = g.todo_id "
        f"WHERE todos.user_id = {ME} GROUP BY g.tag ORDER BY g.tag"
    ).all()
    return [(tag, f"{n} todo{'s' if n != 1 else ''}") for tag, n in rows]


def tag_edits(session: Session, named: list[str]) -> list[tuple[str, str]]:
    """+tag: any of my tags; -tag: only those the todos named carry (mine,
    and OWNER/N shared with me), in one statement."""
    backend = session.backend
    mine, theirs = _named(named)
    rows = session.execute(
        "SELECT '+', g.tag, count(*) FROM todo_tags g JOIN todos ON todos.id = g.todo_id "
        f"WHERE todos.user_id = {ME} GROUP BY g.tag UNION ALL "
        "SELECT '-', g.tag, count(*) FROM todo_tags g JOIN todos ON todos.id = g.todo_id "
        f"WHERE (todos.user_id = {ME} AND {in_set(backend, 'todos.number', 'mine')}) OR "
        "(todos.id IN (SELECT todo_id FROM shared_todos WHERE grantee_name = :me) AND "
        f"{in_set(backend, f'{SHARER} || {_SLASH} || CAST(todos.number AS text)', 'theirs', kind='text')}) "
        "GROUP BY g.tag ORDER BY 1, 2",
        params={"mine": mine, "theirs": theirs},
    ).all()
    return [(f"{sign}{tag}", f"{n} todo{'s' if n != 1 else ''}") for sign, tag, n in rows]


_SLASH = "'/'"


def _named(words: list[str]) -> tuple[list[int], list[str]]:
    """The todos a command line names so far: my numbers (3, 1-4, 2,7)
    and others' (alice/3), as far as they read; the rest is ignored."""
    mine: list[int] = []
    theirs: list[str] = []
    for part in (p for w in words for p in w.split(",")):
        first, _, last = part.partition("-")
        if "/" in part:
            theirs.append(part)
        elif first.isdigit() and (not last or last.isdigit()):
            end = int(last or first)
            mine.extend(range(int(first), min(end, int(first) + 10_000) + 1))
    return mine, theirs


def _sharers(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        "SELECT DISTINCT owner_name FROM shares WHERE grantee_name = :me AND can_write "
        "ORDER BY owner_name"
    ).all()
    return [(name, "shares with you to write") for (name,) in rows]


LIVE: dict[str, Callable[..., list[tuple[str, str]]]] = {
    "open": partial(todos, status="open", shared="write"),
    "mine": partial(todos, status="open"),
    "done": partial(todos, status="done"),
    "any": partial(todos, status="all", shared="read"),
    "tag": _tags,
    "mytag": _tags,
    "sharer": _sharers,
}
KINDS = frozenset({*LIVE, "tagedit"})


def offers(settings: Target, kind: str, named: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(value, description) pairs for a word of `kind` (KINDS): one read,
    retried within the settings' budget. named: the words of the command
    line so far, for "tagedit" (-tag offers the tags those todos carry)."""
    from todo_cli.store.runner import run

    if kind == "tagedit":
        return run(settings, lambda session: tag_edits(session, list(named)), mode="read")
    return run(settings, LIVE[kind], mode="read")
