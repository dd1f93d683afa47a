"""Shares: my todos with a tag, shared with another user, and what is shared
with me (alembic/versions/0010).

A share is the owner's: they make it, change it and revoke it; its grantee
sees it and nothing of other grantees. The todos of a share are those of
the owner that carry its tag, now and later. On PostgreSQL row-level
security enforces every rule here; every statement states them too, which
is all SQLite has.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from todo_cli.errors import InvalidInputError, NotFoundError
from todo_cli.store import todos
from todo_cli.store.rows import columns, to_todo
from todo_cli.store.session import Session
from todo_cli.store.sql import ME, in_set, shared_with_me
from todo_cli.todo import NewTodo, Todo


class Share(NamedTuple):
    owner: str
    tag: str
    grantee: str
    write: bool


def share(session: Session, *, tag: str, grantee: str, write: bool) -> tuple[Share, bool]:
    """Share my todos tagged `tag` with `grantee` (to write, with write), or
    change an existing share's write. Returns it, and whether it changed."""
    if grantee == session.user:
        raise InvalidInputError("your todos are yours already: share them with another user")
    backend = session.backend
    row = session.execute(
        todos.me_row(backend),
        "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, created_at) "
        f"SELECT {ME}, :me, :tag, :grantee, :write, :now "
        "ON CONFLICT (owner_id, tag, grantee_name) DO UPDATE SET can_write = excluded.can_write "
        "WHERE shares.can_write <> excluded.can_write RETURNING owner_name",
        params={"tag": tag, "grantee": grantee, "write": write},
    ).first()
    return Share(session.user, tag, grantee, write), row is not None


def unshare(session: Session, *, tag: str, grantee: str) -> Share:
    """Revoke a share of mine; from the next statement on every connection."""
    row = session.execute(
        f"DELETE FROM shares WHERE owner_id = {ME} AND tag = :tag AND grantee_name = :grantee "
        "RETURNING can_write",
        params={"tag": tag, "grantee": grantee},
    ).first()
    if row is None:
        raise NotFoundError(f"you do not share +{tag} with {grantee} (see: todo shares)")
    return Share(session.user, tag, grantee, bool(row[0]))


def shares(session: Session) -> list[Share]:
    """What I share (each grantee), then what is shared with me."""
    rows = session.execute(
        "SELECT owner_name, tag, grantee_name, can_write, "
        f"CASE WHEN owner_id = {ME} THEN 0 ELSE 1 END AS theirs FROM shares "
        f"WHERE owner_id = {ME} OR grantee_name = :me "
        "ORDER BY theirs, owner_name, tag, grantee_name"
    ).all()
    return [Share(o, t, g, bool(w)) for o, t, g, w, _ in rows]


def add_to(
    session: Session, *, owner: str, new: Sequence[NewTodo], request_id: str | None = None
) -> list[Todo]:
    """Add todos to `owner`'s list, into a share of theirs with me to write:
    numbered in their sequence, journaled as mine for both of us to see.
    Each must carry a tag they share with me to write; with none, the one
    such tag they share, if there is one."""
    backend = session.backend
    scope = shared_with_me(owner, write=True)
    session.begin()
    writable = [
        tag
        for (tag,) in session.execute(
            "SELECT tag FROM shares WHERE owner_name = :owner AND grantee_name = :me "
            "AND can_write ORDER BY tag",
            params=scope.params,
        ).all()
    ]
    if not writable:
        raise NotFoundError(f"{owner} shares nothing with you to write (see: todo shares)")
    ready = []
    for t in todos.prepared(session, new):
        if set(t.tags) - set(writable) or (not t.tags and len(writable) > 1):
            # Any other tag could share it further, with someone the owner
            # never chose (alembic/versions/0011 says the same).
            raise InvalidInputError(
                f"a todo added to {owner}'s list carries only tags they share with you to "
                f"write: {', '.join('+' + w for w in writable)}"
            )
        if not t.tags:
            t = replace(t, tags=(writable[0],))
        ready.append(t)
    prefix = (request_id or uuid.uuid4().hex)[:26]
    rids = [f"{prefix}{i:06d}" for i in range(1, len(ready) + 1)]
    mine = f"todos.user_id = {scope.owner} AND {in_set(backend, 'todos.request_id', 'rids', kind='text')}"
    # On PostgreSQL the trigger todos_added numbers each one from the
    # owner's counter (after checking the share): these are placeholders.
    counter = (
        "(SELECT CAST(:n AS integer) AS last) AS c"
        if backend == "postgresql"
        else f"(SELECT last_number AS last FROM users WHERE id = {scope.owner}) AS c"
    )
    statements = [todos.me_row(backend)]
    if backend == "sqlite":
        statements.append(
            f"UPDATE users SET last_number = last_number + :n WHERE id = {scope.owner}"
        )
    statements += [
        f"INSERT INTO todos ({todos.inserted()}, added_by) "
        f"SELECT {scope.owner}, c.last - :n + i.ord, {todos.item_values()}, CAST(:me AS text) "
        f"FROM {counter}, {todos.items(backend)}",
        "INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, n.tag "
        f"FROM {todos.ITEM_TAGS[backend]} CROSS JOIN todos "
        f"WHERE {mine} AND todos.request_id = n.request_id ON CONFLICT DO NOTHING",
        "INSERT INTO events (user_id, owner_id, at, action, data) "
        f"SELECT {ME}, {scope.owner}, :now, 'add', {_added_json(backend)} FROM todos "
        f"WHERE {mine} HAVING count(*) > 0",
        f"SELECT {columns(backend, scope)} FROM todos WHERE {mine} ORDER BY todos.number",
    ]
    params: dict[str, Any] = {
        **scope.params,
        "n": len(ready),
        "items": todos.items_json(backend, ready, rids, [None] * len(ready)),
        "rids": rids,
        "event_title": ready[0].title,
    }
    rows = session.execute(*statements, params=params).all()
    return [to_todo(r, session.time) for r in rows]


def _added_json(backend: str) -> str:
    """An add to another's list, as the journal holds it (history._event)."""
    if backend == "postgresql":
        return (
            "CAST(json_build_object('numbers', json_agg(todos.number ORDER BY todos.number), "
            "'title', CAST(:event_title AS text), 'by', CAST(:me AS text), "
            "'owner', CAST(:owner AS text)) AS text)"
        )
    return (
        "json_object('numbers', json_group_array(todos.number), 'title', :event_title, "
        "'by', :me, 'owner', :owner)"
    )
