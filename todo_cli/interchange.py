"""Todos to and from other formats, for `todo export` and `todo import`.

Pure functions over text: no database, no Typer or Rich, standard library
only (the validation helpers of todo_cli.todos are imported when a parse
needs them, as that module pulls in SQLAlchemy).

Formats
  json         our own: the array `todo list --json` prints. Lossless.
  todotxt      http://todotxt.org lines, as todo.txt-cli (`todo.sh`) reads them.
  csv          export only: one header row, then one row per todo (RFC 4180).
  taskwarrior  the JSON array `task export` writes and `task import` reads.

What each format keeps and drops
  todotxt export: the note is dropped (todo.txt has no place for free text);
    dates are local calendar days, so the time of a due date is lost; every
    tag is written as a +project. A done todo keeps its priority as `pri:A`,
    since todo.sh removes the (A) when it marks a task done.
  todotxt import: `x` marks a done task, followed by its completion and
    creation dates; `(A)` `(B)` `(C)` are high, medium and low, and `(D)` to
    `(Z)` are low too (they rank below C). `+project` and `@context` tokens
    become tags and leave the title, wherever they stand; `due:YYYY-MM-DD` is
    due at the end of that day, local time (as `--due YYYY-MM-DD`); `pri:X`
    sets the priority; any other key:value stays in the title. Dates with
    no time are the start of that local day. Blank lines are ignored.
  taskwarrior import: status pending and waiting are open, completed is done,
    deleted and recurring templates are skipped (the template's pending
    instances are imported as ordinary todos). Priority H/M/L is
    high/medium/low; the project becomes a tag (`home.garden` stays whole);
    each annotation becomes a note line "YYYY-MM-DD: text" (local date).
    Other attributes (wait, scheduled, depends, UDAs) are dropped.
  taskwarrior export: each non-blank note line becomes an annotation; the
    uuid is derived from the todo (see Record.key), so importing the same
    export twice updates the tasks instead of duplicating them.

Tags that are not valid here (todo_cli.todos.clean_tag) are sanitised rather
than refused: runs of other characters become "-", leading punctuation is
removed and the tag is cut to 64 characters; a tag with nothing left is
dropped. Titles and notes are refused when invalid: that item is Skipped
with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, TextIO

from todo_cli.errors import InvalidInputError
from todo_cli.render import iso, json_array, todo_dict

if TYPE_CHECKING:
    from todo_cli.todos import Todo

EXPORT_FORMATS = ("json", "todotxt", "csv", "taskwarrior")
IMPORT_FORMATS = ("json", "todotxt", "taskwarrior")
CSV_HEADER = (
    "number",
    "title",
    "done",
    "priority",
    "due",
    "tags",
    "note",
    "created_at",
    "updated_at",
    "completed_at",
)

# Fixed forever: changing it changes every exported taskwarrior uuid, and
# re-importing an export would then duplicate every todo.
_NAMESPACE = uuid.UUID("b0aae8d2-8579-56fd-8e4a-02cdc951a1a6")
_TW_KEYS = ("description", "uuid", "status", "entry")
_TW_PRIORITY = {"H": "high", "M": "medium", "L": "low"}
_TW_LETTER = {v: k for k, v in _TW_PRIORITY.items()}
_TXT_LETTER = {"high": "A", "medium": "B", "low": "C"}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PRI = re.compile(r"\(([A-Z])\)")
_FORMAT_HINT = "pass --format json, todotxt or taskwarrior"


@dataclass(frozen=True)
class Record:
    """One todo on its way in: every field a format can carry.

    key is a stable identity, 32 characters of [0-9a-z]: the same input item
    always gives the same key. For our json it is the uuid that a taskwarrior
    export of the same todo carries (hex), so a todo that went out to
    taskwarrior and came back has the key it would have from our json.
    """

    title: str
    key: str
    done: bool = False
    priority: str | None = None
    due: datetime | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    # Our json's number: kept on import when it is still free (transfer.py).
    number: int | None = None


@dataclass(frozen=True)
class Skipped:
    item: (
        int  # 1-based: the line for todotxt, the position in the array (or of the object) for JSON
    )
    reason: str


@dataclass(frozen=True)
class Parsed:
    format: str
    records: list[Record]
    skipped: list[Skipped]


class _Skip(Exception):
    """An item that cannot be imported; the message is the reason."""


# --- detection ----------------------------------------------------------------------


def detect(text: str) -> str:
    """The import format of text: json, taskwarrior or todotxt.

    Text that starts like JSON ([ or { followed by JSON) must be JSON; an
    array of objects with "title" is ours (so is an empty array), with
    description/uuid/status/entry taskwarrior's. Anything else, empty input
    included, is todo.txt lines.
    """
    text = _strip_bom(text)
    if not _looks_like_json(text):
        return "todotxt"  # an empty file too: an empty todo.txt holds nothing to import
    items = _load_json(text)
    if not items:
        return "json"  # what `todo export` writes for a user with no todos
    kinds = Counter(_kind(item) for item in items)
    if len(kinds) == 1 and ("json" in kinds or "taskwarrior" in kinds):
        return next(iter(kinds))
    # Point at the first item that is neither format, else where the two meet.
    odd = [i for i, x in enumerate(items, 1) if _kind(x) not in ("json", "taskwarrior")]
    where = (
        odd[0] if odd else next(i for i, x in enumerate(items, 1) if _kind(x) != _kind(items[0]))
    )
    raise InvalidInputError(
        f"cannot tell the format of this JSON: {_describe_kinds(kinds)} (see item {where}); "
        + _FORMAT_HINT
    )


def _kind(item: Any) -> str:
    if not isinstance(item, dict):
        return "not an object"
    ours = "title" in item
    theirs = any(k in item for k in _TW_KEYS)
    if ours and theirs:
        return "ambiguous"
    return "json" if ours else "taskwarrior" if theirs else "unknown"


def _describe_kinds(kinds: Counter[str]) -> str:
    names = {
        "json": "todos with a title (our json)",
        "taskwarrior": "taskwarrior tasks",
        "ambiguous": "objects with both a title and taskwarrior fields",
        "unknown": "objects with neither a title nor a description",
        "not an object": "items that are not objects",
    }
    return "it holds " + " and ".join(names[k] for k in sorted(kinds))


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _looks_like_json(text: str) -> bool:
    """[ or { followed by what JSON puts there. A todo.txt line may well start
    with "[urgent]", but not with '[{' or '{"'."""
    head = text.lstrip()
    if head[:1] not in ("[", "{"):
        return False
    rest = head[1:].lstrip()
    return rest[:1] in ("", "{", "}", "]", '"', "[")


def _load_json(text: str) -> list[Any]:
    """The items of a JSON array, a lone object, or one object per line (what
    taskwarrior before 2.5 and rc.json.array=off write)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            lines = _json_lines(text)
            if lines is not None:
                return lines
        raise InvalidInputError(
            f"the input is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; "
            "fix the file, or pass --format todotxt if it is a todo.txt file"
        ) from None
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return [data]
    raise InvalidInputError(
        f"the input is a JSON {type(data).__name__}, not an array of todos; {_FORMAT_HINT}"
    )


def _json_lines(text: str) -> list[Any] | None:
    items = []
    for line in text.split("\n"):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError:
                return None
    return items


# --- parsing ------------------------------------------------------------------------


def parse(text: str, format: str | None = None) -> Parsed:
    """Records from text in format (None: detect it)."""
    if format is None:
        format = detect(text)
    if format not in IMPORT_FORMATS:
        extra = " (csv is for export only)" if format == "csv" else ""
        raise InvalidInputError(
            f"cannot import format {format!r}{extra}; use json, todotxt or taskwarrior"
        )
    text = _strip_bom(text)
    if format == "todotxt":
        if _looks_like_json(text):
            _refuse_json_as_todotxt(text)
        return _parse_todotxt(text)
    if not _looks_like_json(text):
        raise InvalidInputError(
            f"the input is not JSON, so it is not a {format} export; "
            "pass --format todotxt if it is a todo.txt file"
        )
    items = _load_json(text)
    kinds = {_kind(item) for item in items}
    other = "taskwarrior" if format == "json" else "json"
    if items and format not in kinds and other in kinds:
        raise InvalidInputError(
            f"the input is {'a taskwarrior export' if other == 'taskwarrior' else 'our json export'},"
            f" not {format}; pass --format {other}"
        )
    convert = _json_record if format == "json" else _taskwarrior_record
    return _collect(format, items, convert)


def _refuse_json_as_todotxt(text: str) -> None:
    try:
        found = detect(text)
    except InvalidInputError:
        return  # not our kind of JSON after all: read it as lines, as asked
    raise InvalidInputError(
        f"the input is JSON ({found}), not todo.txt lines; pass --format {found}"
    )


def _collect(
    format: str, items: list[Any], convert: Callable[[dict[str, Any], Counter[str]], Record]
) -> Parsed:
    records: list[Record] = []
    skipped: list[Skipped] = []
    seen: Counter[str] = Counter()
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            skipped.append(Skipped(n, f"a JSON {type(item).__name__}, not an object"))
            continue
        try:
            records.append(convert(item, seen))
        except _Skip as exc:
            skipped.append(Skipped(n, str(exc)))
    return Parsed(format, records, skipped)


def _title(raw: Any) -> str:
    from todo_cli.todos import TITLE_MAX, clean_title

    if not isinstance(raw, str):
        raise _Skip("no title" if raw is None else f"the title is a {type(raw).__name__}")
    stripped = raw.strip()
    if not stripped:
        raise _Skip("empty title")
    if len(stripped) > TITLE_MAX:
        raise _Skip(f"the title is {len(stripped)} characters; the limit is {TITLE_MAX}")
    try:
        return clean_title(raw)
    except InvalidInputError as exc:
        raise _Skip(exc.message) from None


def _note(raw: Any) -> str | None:
    from todo_cli.todos import clean_note

    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _Skip(f"the note is a {type(raw).__name__}")
    try:
        return clean_note(raw)
    except InvalidInputError as exc:
        raise _Skip(exc.message) from None


def _tags(raw: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({t for t in map(_tag, raw) if t}))


def _tag(raw: str) -> str | None:
    """raw as a valid tag, sanitised if need be; None if nothing is left."""
    from todo_cli.todos import clean_tag

    for candidate in (raw, re.sub(r"[^\w.-]+", "-", raw.strip()).lstrip("._-")[:64].rstrip("-")):
        try:
            return clean_tag(candidate)
        except InvalidInputError:
            continue
    return None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def _due_day(day: date) -> datetime:
    from todo_cli.dates import parse_due

    return parse_due(day.isoformat())  # end of that day, local: as --due YYYY-MM-DD


def _timestamp(raw: Any, field: str) -> datetime | None:
    """An ISO 8601 or taskwarrior (20261125T114041Z) timestamp, in UTC.

    Without an offset it is UTC (both formats are written by programs, which
    write UTC); a date alone is the start of that local day, or for a due
    date its end (as everywhere in todo).
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        if _DAY.fullmatch(raw):
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                pass
            else:
                return _due_day(day) if field == "due" else _day_start(day)
        else:
            try:
                value = datetime.fromisoformat(raw.replace("z", "Z"))
            except ValueError:
                pass
            else:
                return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    raise _Skip(f"invalid {field} {raw!r}")


def _occurrence(seen: Counter[str], identity: str) -> str:
    """identity, made unique within one file by counting repeats."""
    seen[identity] += 1
    n = seen[identity]
    return identity if n == 1 else f"{identity}\x1f#{n}"


def _hash_key(kind: str, identity: str) -> str:
    return hashlib.sha256(f"{kind}\x1f{identity}".encode()).hexdigest()[:32]


def _todo_uuid(created_at: datetime | None, number: Any, title: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{iso(created_at) or ''}\x1f{number}\x1f{title}")


def todo_key(created_at: datetime | None, number: int, title: str) -> str:
    """The key a todo of ours comes back with from our json or taskwarrior
    export (its exported uuid), so an import can recognise it."""
    return _todo_uuid(created_at, number, title).hex


# --- json -----------------------------------------------------------------------------


def _json_record(item: dict[str, Any], seen: Counter[str]) -> Record:
    from todo_cli.todos import parse_priority

    title = _title(item.get("title"))
    done = item.get("done", False)
    if not isinstance(done, bool):
        raise _Skip(f"invalid done {done!r} (true or false)")
    raw_priority = item.get("priority")
    try:
        if raw_priority is not None and not isinstance(raw_priority, str):
            raise InvalidInputError("not a string")
        priority = parse_priority(raw_priority) if raw_priority else None
    except InvalidInputError:
        raise _Skip(f"invalid priority {raw_priority!r} (high, medium or low)") from None
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _Skip("invalid tags (a list of strings)")
    created_at = _timestamp(item.get("created_at"), "created_at")
    number = item.get("number", "")
    base = _todo_uuid(created_at, number, title).hex
    identity = _occurrence(seen, base)
    return Record(
        title=title,
        key=base if identity == base else _hash_key("json", identity),
        done=done,
        priority=priority,
        due=_timestamp(item.get("due"), "due"),
        tags=_tags(tags),
        note=_note(item.get("note")),
        created_at=created_at,
        updated_at=_timestamp(item.get("updated_at"), "updated_at"),
        completed_at=_timestamp(item.get("completed_at"), "completed_at"),
        number=number if type(number) is int and 0 < number < 2**31 else None,
    )


# --- taskwarrior --------------------------------------------------------------------


def _taskwarrior_record(item: dict[str, Any], seen: Counter[str]) -> Record:
    status = item.get("status")
    if status == "deleted":
        raise _Skip("deleted in taskwarrior")
    if status == "recurring":
        raise _Skip("recurring template in taskwarrior (its pending instances are imported)")
    if status not in ("pending", "waiting", "completed"):
        raise _Skip(f"unknown taskwarrior status {status!r}")
    title = _title(item.get("description"))
    priority = item.get("priority") or None
    if priority is not None and priority not in _TW_PRIORITY:
        raise _Skip(f"invalid priority {priority!r} (taskwarrior's are H, M and L)")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _Skip("invalid tags (a list of strings)")
    project = item.get("project")
    if isinstance(project, str) and project:
        tags = [*tags, project]
    created_at = _timestamp(item.get("entry"), "entry")
    done = status == "completed"
    return Record(
        title=title,
        key=_taskwarrior_key(item, seen),
        done=done,
        priority=_TW_PRIORITY[priority] if priority else None,
        due=_timestamp(item.get("due"), "due"),
        tags=_tags(tags),
        note=_note(_annotations(item.get("annotations"))),
        created_at=created_at,
        updated_at=_timestamp(item.get("modified"), "modified"),
        completed_at=_timestamp(item.get("end"), "end") if done else None,
    )


def _taskwarrior_key(item: dict[str, Any], seen: Counter[str]) -> str:
    raw = item.get("uuid")
    if isinstance(raw, str):
        try:
            return uuid.UUID(raw).hex
        except ValueError:
            pass
    # Hand-written tasks may lack a uuid (task import gives them a new one).
    identity = f"{item.get('entry')}\x1f{item.get('description')}"
    return _hash_key("taskwarrior", _occurrence(seen, identity))


def _annotations(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise _Skip("invalid annotations (a list of objects)")
    lines = []
    for a in raw:
        if not isinstance(a, dict) or not isinstance(a.get("description"), str):
            raise _Skip("invalid annotation (an object with a description)")
        entry = _timestamp(a.get("entry"), "annotation entry")
        day = f"{entry.astimezone():%Y-%m-%d}: " if entry else ""
        lines.append(day + a["description"])
    return "\n".join(lines)


# --- todo.txt -----------------------------------------------------------------------


def _parse_todotxt(text: str) -> Parsed:
    records: list[Record] = []
    skipped: list[Skipped] = []
    seen: Counter[str] = Counter()
    # split, not splitlines: line numbers must match an editor's, and
    # splitlines also breaks at form feeds and U+2028.
    for n, line in enumerate(text.split("\n"), 1):
        tokens = line.split()
        if not tokens:
            continue
        identity = _occurrence(seen, " ".join(tokens))
        try:
            records.append(_todotxt_record(tokens, _hash_key("todotxt", identity)))
        except _Skip as exc:
            skipped.append(Skipped(n, str(exc)))
    return Parsed("todotxt", records, skipped)


def _day_token(tokens: list[str]) -> date | None:
    """Pop a leading YYYY-MM-DD token, if there is one."""
    if tokens and _DAY.fullmatch(tokens[0]):
        try:
            day = date.fromisoformat(tokens[0])
        except ValueError:
            return None
        tokens.pop(0)
        return day
    return None


def _pri_token(tokens: list[str]) -> str | None:
    if tokens and _PRI.fullmatch(tokens[0]):
        return tokens.pop(0)[1]
    return None


def _todotxt_record(tokens: list[str], key: str) -> Record:
    done = tokens[0] == "x"
    completed = created = None
    letter = None
    if done:
        tokens.pop(0)
        letter = _pri_token(tokens)
        completed = _day_token(tokens)
        # Some todo.sh versions kept "(A)" after the completion date.
        letter = letter or _pri_token(tokens)
        created = _day_token(tokens) if completed else None
        letter = letter or _pri_token(tokens)
    else:
        letter = _pri_token(tokens)
        created = _day_token(tokens)
    words: list[str] = []
    tags: list[str] = []
    due = None
    for token in tokens:
        head, sep, value = token.partition(":")
        if token[0] in "+@" and len(token) > 1 and (tag := _tag(token[1:])):
            tags.append(tag)
        elif sep and head == "due" and value:
            day = _valid_day(value) if _DAY.fullmatch(value) else None
            if day is None:
                raise _Skip(f"invalid due date {value!r} (todo.txt dues are YYYY-MM-DD)")
            due = _due_day(day)
        elif sep and head == "pri" and value:
            if not _PRI.fullmatch(f"({value})"):
                raise _Skip(f"invalid priority {value!r} (A to Z)")
            letter = value
        else:
            words.append(token)
    return Record(
        title=_title(" ".join(words)),
        key=key,
        done=done,
        priority=_letter_priority(letter),
        due=due,
        tags=tuple(sorted(set(tags))),
        created_at=_day_start(created) if created else None,
        completed_at=_day_start(completed) if completed else None,
    )


def _valid_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _letter_priority(letter: str | None) -> str | None:
    if letter is None:
        return None
    return {"A": "high", "B": "medium"}.get(letter, "low")


# --- writing ------------------------------------------------------------------------


def write(todos: Iterable[Todo], format: str, out: TextIO) -> int:
    """Write todos to out in format, one at a time; return how many."""
    writers = {
        "json": _write_json,
        "todotxt": _write_todotxt,
        "csv": _write_csv,
        "taskwarrior": _write_taskwarrior,
    }
    if format not in writers:
        raise InvalidInputError(
            f"cannot export format {format!r}; use json, todotxt, csv or taskwarrior"
        )
    return writers[format](todos, out)


def _write_json(todos: Iterable[Todo], out: TextIO) -> int:
    return json_array((todo_dict(t) for t in todos), out)


def _local_day(value: datetime) -> str:
    return f"{value.astimezone():%Y-%m-%d}"


def _todotxt_line(todo: Todo) -> str:
    parts = []
    letter = _TXT_LETTER.get(todo.priority or "")
    if todo.done:
        # todo.txt allows a creation date only after a completion date.
        parts += ["x", _local_day(todo.completed_at or todo.updated_at)]
    elif letter:
        parts.append(f"({letter})")
    parts += [_local_day(todo.created_at), todo.title]
    parts += [f"+{tag}" for tag in todo.tags]
    if todo.due:
        parts.append(f"due:{_local_day(todo.due)}")
    if todo.done and letter:
        parts.append(f"pri:{letter}")
    return " ".join(parts)


def _write_todotxt(todos: Iterable[Todo], out: TextIO) -> int:
    count = 0
    for todo in todos:
        out.write(_todotxt_line(todo) + "\n")
        count += 1
    return count


def _write_csv(todos: Iterable[Todo], out: TextIO) -> int:
    # Cells are written as they are: no "'" before a leading = + - @, which
    # would change the data for every program that is not a spreadsheet.
    writer = csv.writer(out)  # RFC 4180: CRLF rows, quotes where needed
    writer.writerow(CSV_HEADER)
    count = 0
    for todo in todos:
        writer.writerow(
            [
                todo.number,
                todo.title,
                "true" if todo.done else "false",
                todo.priority or "",
                iso(todo.due) or "",
                " ".join(todo.tags),
                todo.note or "",
                iso(todo.created_at),
                iso(todo.updated_at),
                iso(todo.completed_at) or "",
            ]
        )
        count += 1
    return count


def _tw_time(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _taskwarrior_task(todo: Todo) -> dict[str, Any]:
    task: dict[str, Any] = {
        "uuid": str(_todo_uuid(todo.created_at, todo.number, todo.title)),
        "description": todo.title,
        "status": "completed" if todo.done else "pending",
        "entry": _tw_time(todo.created_at),
        "modified": _tw_time(todo.updated_at),
    }
    if todo.done:
        task["end"] = _tw_time(todo.completed_at or todo.updated_at)
    if todo.due:
        task["due"] = _tw_time(todo.due)
    if todo.priority:
        task["priority"] = _TW_LETTER[todo.priority]
    if todo.tags:
        task["tags"] = list(todo.tags)
    lines = [line.strip() for line in (todo.note or "").split("\n") if line.strip()]
    if lines:
        # taskwarrior keys annotations by their entry second: one second apart
        # keeps every line, and a fixed base keeps a re-import a no-op.
        base = int(todo.updated_at.timestamp())
        task["annotations"] = [
            {"entry": _tw_time(datetime.fromtimestamp(base + i, UTC)), "description": line}
            for i, line in enumerate(lines)
        ]
    return task


def _write_taskwarrior(todos: Iterable[Todo], out: TextIO) -> int:
    return json_array((_taskwarrior_task(t) for t in todos), out, indent=False)
