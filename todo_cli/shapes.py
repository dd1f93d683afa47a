"""The documented JSON shapes (README: Scripting), in one place, and the
writers that put them on a stream.

A todo, a change (`log`, `undo`), an import's outcome. Keys and types are a
contract: tests compare them exactly. todo_json() writes a todo with the C
encoder's pieces, byte for byte what json.dumps(todo_dict(t), indent=2)
writes (which falls back to the pure-Python encoder when indenting), so a
100,000-todo listing is not held up by the encoder.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from todo_cli.todo import Event, Todo, TodoText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

# What json.dumps uses for a string: the C encoder, as is or ASCII only.
_c_string = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
_c_ascii = (
    getattr(json.encoder, "c_encode_basestring_ascii", None)
    or json.encoder.py_encode_basestring_ascii
)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, microsecond precision (what both backends store)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat() leaves out a zero microsecond, and is quicker without timespec.
    text = value.isoformat()[:-6]
    return text + "Z" if value.microsecond else text + ".000000Z"


def _as_is(value: Any) -> Any:
    return value


def todo_dict(todo: Todo | TodoText) -> dict[str, Any]:
    """The JSON shape of a todo (a TodoText's timestamps are that text already)."""
    at: Callable[[Any], str | None] = iso if isinstance(todo, Todo) else _as_is
    return {
        "number": todo.number,
        "title": todo.title,
        "done": todo.done,
        "priority": todo.priority,
        "due": at(todo.due),
        "tags": list(todo.tags),
        "note": todo.note,
        "created_at": at(todo.created_at),
        "updated_at": at(todo.updated_at),
        "completed_at": at(todo.completed_at),
        "every": todo.every,
        "until": at(todo.until),
        "wait": at(todo.wait),
        "wait_before": todo.wait_before(),
        "owner": todo.owner,
    }


_TODOS = (Todo, TodoText)


def _quoted(value: str | None) -> str:
    return "null" if value is None else '"' + value + '"'


def todo_json(todo: Todo | TodoText, indent: str = "", *, ascii: bool = False) -> str:
    """json.dumps(todo_dict(todo), ensure_ascii=ascii, indent=2), with every
    line after the first indented by `indent` more (an element of an array)."""
    string = _c_ascii if ascii else _c_string
    number, title, done, priority = todo.number, todo.title, todo.done, todo.priority
    tags, note, every, who = todo.tags, todo.note, todo.every, todo.owner
    if isinstance(todo, Todo):
        due, created = iso(todo.due), iso(todo.created_at)
        updated, completed = iso(todo.updated_at), iso(todo.completed_at)
        until, wait = iso(todo.until), iso(todo.wait)
    else:
        due, created, updated = todo.due, todo.created_at, todo.updated_at
        completed, until, wait = todo.completed_at, todo.until, todo.wait
    lead = todo.wait_before()
    pad = indent + "  "
    if tags:
        inner = f",\n{pad}  ".join(map(string, tags))
        tag_list = f"[\n{pad}  {inner}\n{pad}]"
    else:
        tag_list = "[]"
    return (
        f'{{\n{pad}"number": {number},\n'
        f'{pad}"title": {string(title)},\n'
        f'{pad}"done": {"true" if done else "false"},\n'
        f'{pad}"priority": {"null" if priority is None else string(priority)},\n'
        f'{pad}"due": {_quoted(due)},\n'
        f'{pad}"tags": {tag_list},\n'
        f'{pad}"note": {"null" if note is None else string(note)},\n'
        f'{pad}"created_at": "{created}",\n'
        f'{pad}"updated_at": "{updated}",\n'
        f'{pad}"completed_at": {_quoted(completed)}'
        + (
            # Most todos neither repeat nor wait: their end is the same text.
            _plain_end(pad, indent, who, string)
            if every is None and until is None and wait is None and lead is None
            else f',\n{pad}"every": {"null" if every is None else string(every)},\n'
            f'{pad}"until": {_quoted(until)},\n'
            f'{pad}"wait": {_quoted(wait)},\n'
            f'{pad}"wait_before": {_quoted(lead)},\n'
            f'{pad}"owner": {"null" if who is None else string(who)}\n'
            f"{indent}}}"
        )
    )


@functools.lru_cache(maxsize=64)
def _plain_end(pad: str, indent: str, who: str | None, string: Any) -> str:
    """The end of a todo that neither repeats nor waits, once per owner."""
    return (
        f',\n{pad}"every": null,\n{pad}"until": null,\n{pad}"wait": null,\n'
        f'{pad}"wait_before": null,\n{pad}"owner": {"null" if who is None else string(who)}\n'
        f"{indent}}}"
    )


_CHUNK = 256  # elements per write: fewer calls through a watched stream


def json_array(
    items: Iterable[Any], out: TextIO, *, indent: bool = True, ascii: bool = False
) -> int:
    """Stream a JSON array, a few hundred elements per write; return how
    many. Indented, the output matches json.dumps(list, indent=2);
    otherwise one element per line (as `task export` writes). Todos go
    through todo_json."""
    count = 0
    chunk: list[str] = []
    first, between = ("[\n  ", ",\n  ") if indent else ("[\n", ",\n")
    for item in items:
        if not indent:
            body = json.dumps(item, ensure_ascii=ascii)
        elif isinstance(item, _TODOS):
            body = todo_json(item, "  ", ascii=ascii)
        else:
            body = json.dumps(item, ensure_ascii=ascii, indent=2).replace("\n", "\n  ")
        chunk.append(between if count else first)
        chunk.append(body)
        count += 1
        if len(chunk) >= _CHUNK:
            out.write("".join(chunk))
            chunk.clear()
    chunk.append("\n]\n" if count else "[]\n")
    out.write("".join(chunk))
    return count


def event_dict(event: Event) -> dict[str, Any]:
    """The JSON shape of a change (`todo log --json`, `todo undo --json`)."""
    return {
        "id": event.id,
        "at": iso(event.at),
        "action": event.action,
        # null: an entry todo cannot read (written by something else)
        "numbers": None if event.unreadable else list(event.numbers),
        "summary": None if event.unreadable else event.summary,
        "undone": event.undone_at is not None,
        "undone_at": iso(event.undone_at),
    }


def import_dict(
    fmt: str, numbers: Sequence[int], skipped: Sequence[tuple[int | None, str]]
) -> dict[str, Any]:
    """The JSON shape of an import's outcome (`todo import --json`)."""
    return {
        "format": fmt,
        "added": len(numbers),
        "numbers": list(numbers),
        "skipped": [{"item": item, "reason": reason} for item, reason in skipped],
    }


def stats_dict(
    data: Any, weeks: Sequence[tuple[Any, int]], days: Sequence[tuple[Any, int]]
) -> dict[str, Any]:
    """The JSON shape of `todo stats --json`."""
    return {
        "completed_per_week": [{"week_start": w.isoformat(), "done": n} for w, n in weeks],
        "open": {
            "total": data.open,
            "by_priority": dict(data.open_by_priority),
            "overdue": data.overdue,
        },
        "oldest_open": [
            {"number": n, "title": title, "created_at": iso(at)} for n, title, at in data.oldest
        ],
        "open_per_day": [{"date": d.isoformat(), "open": n} for d, n in days],
    }
