"""Taskwarrior: the JSON array `task export` writes and `task import` reads.

Import: status pending and waiting are open, completed is done, deleted
is skipped. Priority H/M/L is high/medium/low; the project becomes a tag
(`home.garden` stays whole); each annotation becomes a note line
"YYYY-MM-DD: text" (local date). A due at local midnight was set as a day
(due:2026-12-20): it is due at the end of that day, as todo's dates are.
recur, until and wait are kept (wait, on an instance of a recurring task:
as that long before each due). Other attributes (scheduled, depends, UDAs)
are dropped.

A recurring task is a template (status recurring) and the instances
Taskwarrior made of it (parent: the template's uuid). It comes in as one
series: its earliest pending instance is the open todo, under the
template's identity (so importing it again is recognised), its completed
instances are done todos, and its later pending instances are skipped (a
series has one open todo at a time). A template with no pending instance
in the input is its own open todo.

Export: each non-blank note line becomes an annotation (a line
"YYYY-MM-DD: text", as import writes them, that day's "text"); the uuid is the
task's own for a todo that came from Taskwarrior (records.uuid_key), else
derived from the todo (records.todo_uuid), so importing the same export
twice updates the tasks instead of duplicating them. An open repeating todo
is the template (recur, until, wait) and the pending instance Taskwarrior
would keep for it; a done one carries none (Taskwarrior would make a
template of it). Named weekdays (mon,thu) and counting from done have no
Taskwarrior form: those todos go without recur.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import todo_cli.formats.records as r
from todo_cli.shapes import json_array
from todo_cli.todo import Todo

KEYS = ("description", "uuid", "status", "entry")
_PRIORITY = {"H": "high", "M": "medium", "L": "low"}
_LETTER = {v: k for k, v in _PRIORITY.items()}


Reader = Callable[[dict[str, Any]], r.Record]


def reader(items: list[Any]) -> Reader:
    """record() for the items of one export, which knows their recurring
    tasks: each template's earliest pending instance."""
    tasks = [i for i in items if isinstance(i, dict)]
    templates = {t["uuid"]: t for t in tasks if t.get("status") == "recurring" and "uuid" in t}
    first: dict[str, dict[str, Any]] = {}
    for task in tasks:
        parent = task.get("parent")
        if task.get("status") in ("pending", "waiting") and isinstance(parent, str):
            earlier = first.get(parent)
            if earlier is None or str(task.get("due", "")) < str(earlier.get("due", "")):
                first[parent] = task

    def read(item: dict[str, Any]) -> r.Record:
        status = item.get("status")
        parent = item.get("parent")
        if status == "recurring":
            if item.get("uuid") in first:
                raise r.Folded  # it comes in as its earliest pending instance
            return record({**item, "status": "pending"})
        if isinstance(parent, str) and status in ("pending", "waiting"):
            if first.get(parent) is not item:
                raise r.Skip(
                    f"a later occurrence of the recurring task {item.get('description')!r} "
                    "(todo keeps one open at a time: the earliest is imported)"
                )
            template = templates.get(parent, {})
            return record({**template, **item, "uuid": template.get("uuid", item.get("uuid"))})
        return record(item)

    return read


def record(item: dict[str, Any]) -> r.Record:
    status = item.get("status")
    if status == "deleted":
        raise r.Skip("deleted in taskwarrior")
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
    set_due = r.timestamp(item.get("due"), "due")
    due = _due(item.get("due"))
    every = _recur(item.get("recur"))
    wait = r.timestamp(item.get("wait"), "wait")
    # A recurring task's wait is the same distance before each due (from
    # the due as Taskwarrior set it, before _due moves a day to its end).
    lead = None
    if every and set_due and due and wait and wait < set_due:
        lead = int((set_due - wait).total_seconds())
        if lead % 3600 == 0:
            wait = due - timedelta(seconds=lead)
        else:
            lead = None
    key, alias = _key(item)
    return r.Record(
        title=title,
        key=key,
        alias=alias,
        done=done,
        priority=_PRIORITY[priority] if priority else None,
        due=due,
        tags=r.tags(tags),
        note=r.note(_annotations(item.get("annotations"))),
        created_at=created_at,
        updated_at=r.timestamp(item.get("modified"), "modified"),
        completed_at=r.timestamp(item.get("end"), "end") if done else None,
        every=every,
        until=_due(item.get("until")) if every else None,
        wait=wait,
        wait_lead=lead,
    )


# Taskwarrior's names of periods, and the SPEC of each (recurrence.py).
_RECUR = {
    "daily": "1d", "day": "1d", "weekly": "1w", "week": "1w", "weekdays": "weekday",
    "biweekly": "2w", "fortnight": "2w", "monthly": "1m", "month": "1m", "bimonthly": "2m",
    "quarterly": "3m", "semiannual": "6m", "yearly": "1y", "year": "1y", "annual": "1y",
    "biannual": "2y", "biyearly": "2y",
}  # fmt: skip
_RECUR_COUNT = (
    r"^(\d{1,3})\s*(d|days?|w|wks?|weeks?|mo|mos|mths?|months?|q|qtrs?|quarters?|y|yrs?|years?)$"
)
_SPELLED = {"1d": "daily", "1w": "weekly", "1m": "monthly", "1y": "yearly", "weekday": "weekdays"}


def _recur(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    text = str(raw).strip().lower()
    if text in _RECUR:
        return _RECUR[text]
    match = re.match(_RECUR_COUNT, text)
    if match:
        n, unit = int(match.group(1)), match.group(2)
        if unit.startswith("q"):
            n, unit = n * 3, "m"
        unit = "m" if unit.startswith("m") else unit[0]
        return r.every(f"{n}{unit}")
    return r.every(text)  # our own spelling; anything else is skipped


def _recur_out(spec: str) -> str | None:
    """A SPEC as Taskwarrior's recur, if it has one."""
    if spec in _SPELLED:
        return _SPELLED[spec]
    match = re.fullmatch(r"(\d+)([dwmy])", spec)
    if not match:
        return None  # named weekdays, counting from done
    n, unit = match.groups()
    return f"{n}{'mo' if unit == 'm' else unit}"


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


def _key(item: dict[str, Any]) -> tuple[str, str | None]:
    """The item's key, and the key it had before uuids were kept (see
    records.uuid_key)."""
    raw = item.get("uuid")
    if isinstance(raw, str):
        try:
            task_uuid = uuid.UUID(raw)
        except ValueError:
            pass
        else:
            return r.uuid_key(task_uuid), task_uuid.hex
    # Hand-written tasks may lack a uuid (task import gives them a new one).
    return r.hash_key("taskwarrior", f"{item.get('entry')}\x1f{item.get('description')}"), None


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
        day = f"{entry.astimezone().date().isoformat()}: " if entry else ""
        lines.append(day + a["description"])
    return "\n".join(lines)


def _time(value: datetime) -> str:
    utc = value.astimezone(UTC)
    return f"{utc.year:04d}{utc:%m%dT%H%M%SZ}"  # strftime's %Y: 999, not 0999


def task(todo: Todo) -> dict[str, Any]:
    came = r.key_uuid(todo.source) if todo.source else None
    out: dict[str, Any] = {
        "uuid": str(came or r.todo_uuid(todo.created_at, todo.number, todo.title)),
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
    recur = _recur_out(todo.every) if todo.every and not todo.done and todo.due else None
    if recur:
        out["recur"] = recur
        if todo.until:
            out["until"] = _time(todo.until)
    if todo.wait and not todo.done:
        out["wait"] = _time(todo.wait)
    lines = [line.strip() for line in (todo.note or "").split("\n") if line.strip()]
    if lines:
        out["annotations"] = _annotations_out(lines, int(todo.updated_at.timestamp()))
    return out


_DAY_PREFIX = r"(\d{4}-\d{2}-\d{2}): (.+)"


def _annotations_out(lines: list[str], base: int) -> list[dict[str, str]]:
    """Note lines as annotations. A line "YYYY-MM-DD: text" (what an
    import made of an annotation) is that day's annotation "text" again,
    so each round trip gives the same note, never one more date in front.
    Taskwarrior keys annotations by their entry second: one second apart
    keeps every line, and fixed bases keep a re-import a no-op."""
    out: list[dict[str, str]] = []
    used: set[int] = set()
    for i, line in enumerate(lines):
        second, text = base + i, line
        dated = re.fullmatch(_DAY_PREFIX, line)
        if dated:
            try:
                # noon: the same day wherever within 11 hours it is read
                day = datetime.fromisoformat(dated.group(1) + "T12:00").astimezone()
                second, text = int(day.timestamp()) + i, dated.group(2)
            except ValueError:  # not a date after all: the line as it is
                pass
        while second in used:
            second += 1
        used.add(second)
        out.append({"entry": _time(datetime.fromtimestamp(second, UTC)), "description": text})
    return out


def tasks(todo: Todo) -> list[dict[str, Any]]:
    """The tasks of a todo: one; for an open repeating one, the two that
    Taskwarrior keeps for it, its template and its pending instance. A lone
    pending task with recur, Taskwarrior turns into a template on import;
    importing it again then resets the template's mask, and it makes the
    instance a second time."""
    one = task(todo)
    if "recur" not in one:
        return [one]
    template = {**one, "status": "recurring", "rtype": "periodic", "mask": "-"}
    instance = {
        **one,
        "uuid": str(uuid.uuid5(uuid.UUID(one["uuid"]), "instance 0")),
        "parent": one["uuid"],
        "imask": 0,
        "rtype": "periodic",
    }
    return [template, instance]


def write(todos: Iterable[Todo], out: TextIO) -> int:
    count = 0

    def each() -> Iterator[dict[str, Any]]:
        nonlocal count
        for todo in todos:
            count += 1
            yield from tasks(todo)

    json_array(each(), out, indent=False)
    return count
