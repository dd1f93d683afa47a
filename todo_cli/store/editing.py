"""Editing todos: edit's fields, tags and repeats, for one set of changes
to many todos (the flags) or different changes to each (the edit form),
journaled as one change either way."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from todo_cli.errors import InvalidInputError, missing_numbers
from todo_cli.store import events, recurring
from todo_cli.store.rows import columns, to_todo
from todo_cli.store.session import Session
from todo_cli.store.sql import Scope, in_set, values_of, whose
from todo_cli.store.todos import guard, in_order, lookup, named, select_numbers, unique
from todo_cli.todo import PRIORITIES, UNSET, Todo, _Unset, clean_title

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.store.sql import Backend

    Changes = Mapping[str, Any]  # edit's keyword arguments: title, priority, due, ...


def edit(
    session: Session, *, numbers: Sequence[int], owner: str | None = None, **fields: Any
) -> list[Todo]:
    """Change fields of todos, all or nothing; tags are added and removed.
    Fields: title (one todo at a time), priority, due, note, add_tags,
    remove_tags, every (a canonical SPEC makes each todo recurring, due by
    the end of today if it has no due date; None stops it), until, and a
    wait, fixed or a lead before each due (recurring.edit_sets)."""
    if fields.get("title") is not None and len(unique(numbers)) > 1:
        raise InvalidInputError("--title changes one todo at a time")
    return edit_each(session, [(n, fields) for n in unique(numbers)], owner=owner)


def edit_each(
    session: Session,
    edits: Sequence[tuple[int, Changes]],
    *,
    owner: str | None = None,
    versions: Mapping[int, int] | None = None,
) -> list[Todo]:
    """Different changes to different todos (mine, or owner's shared with
    me to write), one journal entry for them all, all or nothing. versions:
    each todo must still be at that version (read when the edit form was
    opened), or nothing changes."""
    scope = whose(owner, write=True)
    backend = session.backend
    numbers = [n for n, _ in edits]
    params: dict[str, Any] = {"numbers": unique(numbers), **scope.params}
    if scope.owner_name and any(c.get("remove_tags") or c.get("add_tags") for _, c in edits):
        # A tag could share the todo further, or unshare it from another
        # grantee: the owner's alone (alembic/versions/0011 says the same).
        raise InvalidInputError(f"the tags of {scope.owner_name}'s todos are theirs to change")
    repeat = ("every", "until")
    if scope.owner_name and any(k in c and c[k] is not UNSET for _, c in edits for k in repeat):
        raise InvalidInputError(f"the repeat of {scope.owner_name}'s todos is theirs to change")
    _until_needs_a_repeat(session, edits, scope)
    which = in_set(backend, "todos.number", "numbers") + scope.only()
    statements = [
        *guard(backend, which, scope),
        *(_same_versions(backend, scope, params, versions) if versions else []),
        events.record_before(backend, "edit", which, scope=scope),
    ]
    # The same changes to every todo go once; different ones, each with its
    # own parameters (name_k).
    groups: dict[str, list[int]] = {}
    for number, changes in edits:
        groups.setdefault(repr(sorted(changes.items(), key=lambda kv: kv[0])), []).append(number)
    by_key = {repr(sorted(c.items(), key=lambda kv: kv[0])): c for _, c in edits}
    for k, (key, group) in enumerate(groups.items()):
        statements += _edit_parts(session, scope, params, k, group, by_key[key])
    if backend == "sqlite":
        lookup(session, numbers, changing=True, scope=scope)
        if versions:
            _check_versions(session, scope, versions)
    with named(scope):
        rows = session.execute(*statements, select_numbers(backend, scope), params=params).all()
    return in_order(numbers, [to_todo(r, session.time) for r in rows], owner=scope.owner_name)


def _edit_parts(
    session: Session,
    scope: Scope,
    params: dict[str, Any],
    k: int,
    numbers: list[int],
    changes: Changes,
) -> list[str]:
    """The tag statements and the UPDATE of one set of changes, for the
    todos numbered `numbers`; its parameters end in _k."""
    backend = session.backend
    own: dict[str, Any] = {"numbers": numbers}
    sets = ["updated_at = :now", "version = version + 1"]
    title = changes.get("title")
    if title is not None:
        sets.append("title = :title")
        own["title"] = clean_title(title)
    for name in ("priority", "due", "note"):
        if name in changes and not isinstance(changes[name], _Unset):
            sets.append(f"{name} = :{name}")
            value = changes[name]
            own[name] = PRIORITIES[value] if name == "priority" and value else value
    sets += recurring.edit_sets(backend, own, session.now, changes)
    which = in_set(backend, "todos.number", "numbers") + scope.only()
    mine = f"SELECT id FROM todos WHERE todos.user_id = {scope.owner} AND {which}"
    statements = []
    if changes.get("remove_tags"):
        statements.append(
            f"DELETE FROM todo_tags WHERE {in_set(backend, 'tag', 'remove_tags', kind='text')} "
            f"AND todo_id IN ({mine})"
        )
        own["remove_tags"] = list(dict.fromkeys(changes["remove_tags"]))
    if changes.get("add_tags"):
        statements.append(
            f"INSERT INTO todo_tags (todo_id, tag) SELECT todos.id, a.value FROM todos, "
            f"{values_of(backend, 'add_tags')} AS a WHERE todos.user_id = {scope.owner} "
            f"AND {which} ON CONFLICT DO NOTHING"
        )
        own["add_tags"] = list(dict.fromkeys(changes["add_tags"]))
    statements.append(
        f"UPDATE todos SET {', '.join(sets)} WHERE todos.user_id = {scope.owner} AND {which}"
    )
    # Each parameter of its own gets the suffix, in the SQL and in the values.
    names = sorted(own, key=len, reverse=True)
    pattern = re.compile(r":(" + "|".join(map(re.escape, names)) + r")\b")
    params.update({f"{name}_{k}": value for name, value in own.items()})
    return [pattern.sub(lambda m: f":{m.group(1)}_{k}", sql) for sql in statements]


def _until_needs_a_repeat(
    session: Session, edits: Sequence[tuple[int, Changes]], scope: Scope
) -> None:
    """An until on a todo that will not repeat after the edit is refused,
    as add's --until without --every is: nobody would see it until a later
    --every brought it back. Whether a todo repeats now is a read of its
    own (a round trip on PostgreSQL, for this edit alone)."""
    asked = [
        n
        for n, c in edits
        if isinstance(c.get("until"), datetime) and not isinstance(c.get("every"), str)
    ]
    if not asked:
        return
    session.begin()
    backend = session.backend
    plain = [
        int(n)
        for (n,) in session.execute(
            f"SELECT todos.number FROM todos WHERE todos.user_id = {scope.owner} "
            f"AND {in_set(backend, 'todos.number', 'asked')}{scope.only()} "
            "AND todos.every IS NULL ORDER BY todos.number",
            params={"asked": unique(asked), **scope.params},
        ).all()
    ]
    # Not repeating, or stopped by this very edit (every or due set to none).
    stopped = [
        n for n, c in edits if n in asked and None in (c.get("every", UNSET), c.get("due", UNSET))
    ]
    if plain or stopped:
        names = [scope.label + str(n) for n in sorted({*plain, *stopped})]
        which = f"{names[0]} does" if len(names) == 1 else f"{', '.join(names[:5])} do"
        raise InvalidInputError(
            f"--until ends a repeat, and {which} not repeat: give --every too (nothing was changed)"
        )


def _same_versions(
    backend: Backend, scope: Scope, params: dict[str, Any], versions: Mapping[int, int]
) -> list[str]:
    """PostgreSQL: stop the message unless each todo is at its version."""
    if backend != "postgresql":
        return []
    params["vn"], params["vv"] = list(versions), list(versions.values())
    return [
        "SELECT todo_require_numbers(CAST(:vn AS integer[]), ARRAY(SELECT t.number FROM todos t "
        "JOIN unnest(CAST(:vn AS integer[]), CAST(:vv AS integer[])) AS e(n, v) "
        f"ON t.number = e.n AND t.version = e.v WHERE t.user_id = {scope.owner}))"
    ]


def _check_versions(session: Session, scope: Scope, versions: Mapping[int, int]) -> None:
    """SQLite: the same check, read in the write transaction."""
    found = dict(
        session.execute(
            f"SELECT number, version FROM todos WHERE todos.user_id = {scope.owner} "
            f"AND {in_set(session.backend, 'todos.number', 'vn')}",
            params={"vn": list(versions), **scope.params},
        ).all()
    )
    changed = [n for n, v in versions.items() if found.get(n) != v]
    if changed:
        raise missing_numbers(changed, owner=scope.owner_name)


def for_editing(
    session: Session, *, numbers: Sequence[int], owner: str | None = None
) -> list[tuple[Todo, int]]:
    """The todos for the edit form, each with the version to expect on save."""
    scope = whose(owner, write=True)
    backend = session.backend
    rows = session.execute(
        f"SELECT {columns(backend, scope)}, todos.version FROM todos "
        f"WHERE todos.user_id = {scope.owner} "
        f"AND {in_set(backend, 'todos.number', 'numbers')}{scope.only()}",
        params={"numbers": unique(numbers), **scope.params},
    ).all()
    found = {int(r[0]): (to_todo(r, session.time), int(r[-1])) for r in rows}
    in_order(numbers, [t for t, _ in found.values()], changing=False, owner=scope.owner_name)
    return [found[n] for n in unique(numbers)]
