"""Reads offline: list and show from the copy (box.py), with the same
filters and orders as store/listing.py, and a one-line notice on stderr of
the copy's age and the queued count. The copy holds only what this user
read online: their todos and those shared with them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from todo_cli.offline.common import OfflineError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.context import Invocation as Env
    from todo_cli.store.listing import Filter, Sort
    from todo_cli.todo import Todo

_PRIORITY = {"high": 1, "medium": 2, "low": 3}


def _copy(env: Env, exc: OfflineError) -> tuple[list[Todo], str]:
    h = env.offline_hook()
    if h is None:  # pragma: no cover
        raise exc
    with h.box() as box:
        from todo_cli.offline.common import status_line

        if box.get("copied_at") is None:
            raise exc.__class__(
                f"{exc.message}; offline, and this machine has no copy yet (read your "
                "todos once online)",
                exc.reason,
            )
        return box.copied(), status_line(box, env.now())


def _matches(t: Todo, f: Filter, me: str, now: datetime) -> bool:
    if f.shared != ((t.owner or me) != me):
        return False
    if (f.status == "open" and t.done) or (f.status == "done" and not t.done):
        return False
    if any(tag not in t.tags for tag in f.tags):
        return False
    if f.priority and t.priority != f.priority:
        return False
    overdue = t.due is not None and t.due < now and not t.done
    if f.overdue and not overdue:
        return False
    waiting = t.wait is not None and t.wait > now
    if (f.wait == "hide" and waiting) or (f.wait == "only" and not (waiting and not t.done)):
        return False
    if f.due_before is not None and not (t.due is not None and t.due < f.due_before):
        return False
    return not (f.search and f.search.lower() not in t.title.lower())


def _key(sort: Sort, now: datetime) -> Any:
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def key(t: Todo) -> tuple[Any, ...]:
        pri = _PRIORITY.get(t.priority or "", 4)
        due = (t.due is None, t.due or far)
        if sort == "number":
            return (t.number,)
        if sort == "due":
            return (*due, t.number)
        if sort == "priority":
            return (pri, t.number)
        if sort == "created":
            return (t.created_at, t.number)
        overdue = t.due is not None and t.due < now and not t.done
        return (0 if overdue else 1, pri, *due, t.number)

    return key


def todos(
    env: Env, exc: OfflineError, f: Filter, sort: Sort, reverse: bool, limit: int | None
) -> tuple[list[Todo], int]:
    """The page a listing shows, and how many match, from the copy."""
    found, line = _copy(env, exc)
    env.out.note(f"todo: offline: {line}")
    now = env.now()
    me = env.settings().user.value
    chosen = sorted((t for t in found if _matches(t, f, me, now)), key=_key(sort, now))
    if reverse:
        chosen.reverse()
    return (chosen[:limit] if limit else chosen), len(chosen)


def json_array(
    env: Env, exc: OfflineError, f: Filter, sort: Sort, reverse: bool, limit: int | None
) -> int:
    """list --json offline: the same array, from the copy."""
    items, _ = todos(env, exc, f, sort, reverse, limit)
    return env.out.json_array(items)


def find(env: Env, exc: OfflineError, owner: str | None, numbers: list[int]) -> list[Todo]:
    """show offline: the todo from the copy."""
    from todo_cli.errors import missing_numbers

    found, line = _copy(env, exc)
    env.out.note(f"todo: offline: {line}")
    me = env.settings().user.value
    whose = owner or me
    by_number = {t.number: t for t in found if (t.owner or me) == whose}
    missing = [n for n in numbers if n not in by_number]
    if missing:
        raise missing_numbers(missing, changing=False, owner=owner)
    return [by_number[n] for n in numbers]


def listed(env: Env, f: Filter, items: list[Todo], total: int) -> None:
    """OFFLINE: a listing online that showed every one of my open todos
    (no filter, nothing cut) says which are gone: removed or done
    elsewhere, they leave the copy, so a read offline never shows them.
    The same for the todos shared with me (list --shared, open or all):
    one no longer listed was removed, or its share revoked, and a revoked
    share must not be shown offline (README: Isolation)."""
    from todo_cli.classes import replace
    from todo_cli.store.listing import Filter as Plain

    h = env.offline_hook()
    if h is None or h.error is not None or total != len(items) or not h.path.exists():
        return
    plain = replace(f, wait="show")
    shared = plain in (Plain(status="open", shared=True), Plain(status="all", shared=True))
    if plain != Plain(status="open") and not shared:
        return
    me = env.settings().user.value
    now = env.now()
    kept = {(t.owner or me, t.number) for t in items}
    with h.box() as box, box.transaction() as conn:
        gone = [
            (t.owner or me, t.number)
            for t in box.copied()
            if ((t.owner or me) != me) == shared
            and not (t.done and f.status == "open")
            and (t.owner or me, t.number) not in kept
            and (f.wait == "show" or not (t.wait is not None and t.wait > now))
        ]
        for owner, number in gone:
            box.forget(owner, [number], conn)


def tee(items: Iterable[Any], seen: list[Any]) -> Iterator[Any]:
    """The items of a JSON listing as they stream, noted (up to one more
    than the copy takes) for json_listed."""
    from todo_cli.offline.common import COPY_MAX

    for item in items:
        if len(seen) <= COPY_MAX:
            seen.append(item)
        yield item


def json_listed(env: Env, seen: list[Any]) -> None:
    """OFFLINE: a JSON listing online keeps the copy current too."""
    from todo_cli.todo import Todo

    h = env.offline_hook()
    if h is None or h.error is not None or not seen or not isinstance(seen[0], tuple):
        return
    if not all(hasattr(t, "updated_at") and isinstance(t.updated_at, str) for t in seen[:1]):
        return

    def record(t: Any) -> Todo:
        # Field by field, as the record names them: text where it holds a time.
        values = {}
        for name in type(t)._fields:
            value = getattr(t, name)
            if isinstance(value, str) and "datetime" in str(Todo.__annotations__.get(name)):
                value = datetime.fromisoformat(value)
            values[name] = value
        values["tags"] = tuple(values.get("tags") or ())
        return Todo(**values)

    todos = [record(t) for t in seen]
    h.remember(todos, read=True)
