"""Our own JSON: the array `todo list --json` and `todo export` print. Lossless."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

import todo_cli.formats.records as r
from todo_cli.errors import InvalidInputError
from todo_cli.shapes import json_array
from todo_cli.todo import Todo, TodoText, parse_priority


def record(item: dict[str, Any]) -> r.Record:
    title = r.title(item.get("title"))
    done = item.get("done", False)
    if not isinstance(done, bool):
        raise r.Skip(f"invalid done {done!r} (true or false)")
    raw_priority = item.get("priority")
    try:
        if raw_priority is not None and not isinstance(raw_priority, str):
            raise InvalidInputError("not a string")
        priority = parse_priority(raw_priority) if raw_priority else None
    except InvalidInputError:
        raise r.Skip(f"invalid priority {raw_priority!r} (high, medium or low)") from None
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise r.Skip("invalid tags (a list of strings)")
    created_at = r.timestamp(item.get("created_at"), "created_at")
    number = item.get("number", "")
    key = r.todo_uuid(created_at, number, title)
    return r.Record(
        title=title,
        # The same item twice in one file is one todo (README: Import).
        key=key.hex,
        # The key of this todo come back from Taskwarrior (its uuid, kept).
        alias=r.uuid_key(key),
        done=done,
        priority=priority,
        due=r.timestamp(item.get("due"), "due"),
        tags=r.tags(tags),
        note=r.note(item.get("note")),
        created_at=created_at,
        updated_at=r.timestamp(item.get("updated_at"), "updated_at"),
        completed_at=r.timestamp(item.get("completed_at"), "completed_at"),
        number=number if type(number) is int and 0 < number < 2**31 else None,
        every=r.every(item.get("every")),
        until=r.timestamp(item.get("until"), "until"),
        wait=r.timestamp(item.get("wait"), "wait"),
        wait_lead=r.wait_before(item.get("wait_before")),
    )


def write(todos: Iterable[Todo | TodoText], out: TextIO, *, ascii: bool = False) -> int:
    return json_array(todos, out, ascii=ascii)
