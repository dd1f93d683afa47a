"""The documented JSON shapes (README: Scripting), in one place, and the
writers that put them on a stream.

A todo, a change (`log`, `undo`), an import's outcome. Keys and types are a
contract: tests compare them exactly. todo_json() writes a todo with the C
encoder's pieces, byte for byte what json.dumps(todo_dict(t), indent=2)
writes (which falls back to the pure-Python encoder when indenting), so a
100,000-todo listing is not held up by the encoder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from todo_cli.todo import Todo

if TYPE_CHECKING:
    from todo_cli.store.history import Event

# What json.dumps(..., ensure_ascii=False) uses for a string: the C encoder.
_c_string = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, microsecond precision (what both backends store)."""
    if value is None:
        return None
    return value.isoformat(timespec="microseconds").replace("+00:00", "Z")


def todo_dict(todo: Todo) -> dict[str, Any]:
    """The JSON shape of a todo."""
    return {
        "number": todo.number,
        "title": todo.title,
        "done": todo.done,
        "priority": todo.priority,
        "due": iso(todo.due),
        "tags": list(todo.tags),
        "note": todo.note,
        "created_at": iso(todo.created_at),
        "updated_at": iso(todo.updated_at),
        "completed_at": iso(todo.completed_at),
    }


def _opt(value: str | None) -> str:
    return "null" if value is None else _c_string(value)


def _time(value: datetime | None) -> str:
    return "null" if value is None else '"' + iso(value) + '"'  # type: ignore[operator]


def todo_json(todo: Todo, indent: str = "") -> str:
    """json.dumps(todo_dict(todo), ensure_ascii=False, indent=2), with every
    line after the first indented by `indent` more (an element of an array)."""
    pad = indent + "  "
    if todo.tags:
        inner = f",\n{pad}  ".join(_c_string(t) for t in todo.tags)
        tags = f"[\n{pad}  {inner}\n{pad}]"
    else:
        tags = "[]"
    return (
        f'{{\n{pad}"number": {todo.number},\n'
        f'{pad}"title": {_c_string(todo.title)},\n'
        f'{pad}"done": {"true" if todo.done else "false"},\n'
        f'{pad}"priority": {_opt(todo.priority)},\n'
        f'{pad}"due": {_time(todo.due)},\n'
        f'{pad}"tags": {tags},\n'
        f'{pad}"note": {_opt(todo.note)},\n'
        f'{pad}"created_at": {_time(todo.created_at)},\n'
        f'{pad}"updated_at": {_time(todo.updated_at)},\n'
        f'{pad}"completed_at": {_time(todo.completed_at)}\n'
        f"{indent}}}"
    )


def dumps(data: Any) -> str:
    """Any of the shapes as the CLI prints it: indented, UTF-8 as it is."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def json_array(items: Iterable[Any], out: TextIO, *, indent: bool = True) -> int:
    """Stream a JSON array, an element at a time; return how many. Indented,
    the output matches dumps(list); otherwise one element per line (as
    `task export` writes). Todos go through todo_json."""
    count = 0
    for item in items:
        if isinstance(item, Todo):
            body = (
                todo_json(item, "  ") if indent else json.dumps(todo_dict(item), ensure_ascii=False)
            )
        elif indent:
            body = dumps(item).replace("\n", "\n  ")
        else:
            body = json.dumps(item, ensure_ascii=False)
        if indent:
            out.write(("[\n  " if count == 0 else ",\n  ") + body)
        else:
            out.write(("[\n" if count == 0 else ",\n") + body)
        count += 1
    out.write("[]\n" if count == 0 else "\n]\n")
    return count


def event_dict(event: Event) -> dict[str, Any]:
    """The JSON shape of a change (`todo log --json`, `todo undo --json`)."""
    return {
        "id": event.id,
        "at": iso(event.at),
        "action": event.action,
        "numbers": list(event.numbers),
        "summary": event.summary,
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
