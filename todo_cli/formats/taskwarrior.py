"""Taskwarrior: the JSON array `task export` writes and `task import` reads.

Import: status pending and waiting are open, completed is done, deleted
and recurring templates are skipped (the template's pending instances are
imported as ordinary todos). Priority H/M/L is high/medium/low; the project
becomes a tag (`home.garden` stays whole); each annotation becomes a note
line "YYYY-MM-DD: text" (local date). A due at local midnight was set as a
day (due:2026-12-20): it is due at the end of that day, as todo's dates
are. Other attributes (wait, scheduled, depends, UDAs) are dropped.

Export: each non-blank note line becomes an annotation; the uuid is derived
from the todo (see records.todo_uuid), so importing the same export twice
updates the tasks instead of duplicating them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from todo_cli.formats import records as r
from todo_cli.shapes import json_array
from todo_cli.todo import Todo

KEYS = ("description", "uuid", "status", "entry")
_PRIORITY = {"H": "high", "M": "medium", "L": "low"}
_LETTER = {v: k for k, v in _PRIORITY.items()}


def record(item: dict[str, Any], seen: Counter[str]) -> r.Record:
    status = item.get("status")
    if status == "deleted":
        raise r.Skip("deleted in taskwarrior")
    if status == "recurring":
        raise r.Skip("recurring template in taskwarrior (its pending instances are imported)")
    if status not in ("pending", "waiting", "completed"):
        raise r.Skip(f"unknown taskwarrior status {status!r}")
    title = r.title(item.get("description"))
    priority = item.get("priority") or None
    if priority is not None and priority not in _PRIORITY:
        raise r.Skip(f"invalid priority {priority!r} (taskwarrior's are H, M and L)")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise r.Skip("invalid tags (a list of strings)")
    project = item.get("project")
    if isinstance(project, str) and project:
        tags = [*tags, project]
    created_at = r.timestamp(item.get("entry"), "entry")
    done = status == "completed"
    return r.Record(
        title=title,
        key=_key(item, seen),
        done=done,
        priority=_PRIORITY[priority] if priority else None,
        due=_due(item.get("due")),
        tags=r.tags(tags),
        note=r.note(_annotations(item.get("annotations"))),
        created_at=created_at,
        updated_at=r.timestamp(item.get("modified"), "modified"),
        completed_at=r.timestamp(item.get("end"), "end") if done else None,
    )


def _due(raw: Any) -> datetime | None:
    """A due date set as a day in Taskwarrior (due:2026-12-20) arrives as
    that day's local midnight: it means that day, which todo says as the end
    of it (as --due 2026-12-20 does), not the start."""
    due = r.timestamp(raw, "due")
    if due is None:
        return None
    local = due.astimezone()
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return r.due_day(local.date())
    return due


def _key(item: dict[str, Any], seen: Counter[str]) -> str:
    raw = item.get("uuid")
    if isinstance(raw, str):
        try:
            return uuid.UUID(raw).hex
        except ValueError:
            pass
    # Hand-written tasks may lack a uuid (task import gives them a new one).
    identity = f"{item.get('entry')}\x1f{item.get('description')}"
    return r.hash_key("taskwarrior", r.occurrence(seen, identity))


def _annotations(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise r.Skip("invalid annotations (a list of objects)")
    lines = []
    for a in raw:
        if not isinstance(a, dict) or not isinstance(a.get("description"), str):
            raise r.Skip("invalid annotation (an object with a description)")
        entry = r.timestamp(a.get("entry"), "annotation entry")
        day = f"{entry.astimezone():%Y-%m-%d}: " if entry else ""
        lines.append(day + a["description"])
    return "\n".join(lines)


def _time(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def task(todo: Todo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uuid": str(r.todo_uuid(todo.created_at, todo.number, todo.title)),
        "description": todo.title,
        "status": "completed" if todo.done else "pending",
        "entry": _time(todo.created_at),
        "modified": _time(todo.updated_at),
    }
    if todo.done:
        out["end"] = _time(todo.completed_at or todo.updated_at)
    if todo.due:
        out["due"] = _time(todo.due)
    if todo.priority:
        out["priority"] = _LETTER[todo.priority]
    if todo.tags:
        out["tags"] = list(todo.tags)
    lines = [line.strip() for line in (todo.note or "").split("\n") if line.strip()]
    if lines:
        # taskwarrior keys annotations by their entry second: one second apart
        # keeps every line, and a fixed base keeps a re-import a no-op.
        base = int(todo.updated_at.timestamp())
        out["annotations"] = [
            {"entry": _time(datetime.fromtimestamp(base + i, UTC)), "description": line}
            for i, line in enumerate(lines)
        ]
    return out


def write(todos: Iterable[Todo], out: TextIO) -> int:
    return json_array((task(t) for t in todos), out, indent=False)
