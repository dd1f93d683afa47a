"""What every format shares: the record an item becomes on its way in, and
the checks its fields pass (the same as for typed input: todo_cli.todo).

Tags that are not valid here (todo.clean_tag) are sanitised rather than
refused: runs of other characters become "-", leading punctuation is
removed and the tag is cut to 64 characters; a tag with nothing left is
dropped. Titles and notes are refused when invalid: that item is Skipped
with the reason.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from todo_cli import dates
from todo_cli.classes import dataclass
from todo_cli.errors import InvalidInputError
from todo_cli.shapes import iso
from todo_cli.todo import TITLE_MAX, NewTodo, clean_note, clean_tag, clean_title

# Fixed forever: changing it changes every exported taskwarrior uuid, and
# re-importing an export would then duplicate every todo.
_NAMESPACE = uuid.UUID("b0aae8d2-8579-56fd-8e4a-02cdc951a1a6")
DAY = r"\d{4}-\d{2}-\d{2}"


@dataclass(frozen=True, kw_only=True)
class Record(NewTodo):
    """One todo on its way in from a file: a NewTodo (every field a format
    can carry, by the record's names) and its identity in that file.

    key is a stable identity, 32 characters of [0-9a-z]: the same input item
    always gives the same key. For our json it is the uuid that a taskwarrior
    export of the same todo carries (hex), so a todo that went out to
    taskwarrior and came back has the key it would have from our json.
    """

    key: str
    # Another key that names the same item: for a task, its uuid as plain
    # hex (the key earlier releases gave it, and our own todo's exported
    # uuid); for our json, the todo's uuid as a task that came back keeps it.
    alias: str | None = None
    # The todo's number where the format carries it (our json; todo.txt's
    # id:N): kept on import when it is still free (store.transfer).
    number: int | None = None
    # created_at is a calendar day only (todo.txt): a todo of the user with
    # this number, created that day, is this item come back.
    day_only: bool = False


@dataclass(frozen=True)
class Skipped:
    # 1-based: the line for todotxt, the position in the array (or of the object) for JSON
    item: int
    reason: str


@dataclass(frozen=True)
class Parsed:
    format: str
    records: list[Record]
    skipped: list[Skipped]


class Skip(Exception):
    """An item that cannot be imported; the message is the reason."""


class Folded(Exception):
    """An item that comes in as part of another (a Taskwarrior template, as
    its pending instance): neither imported nor skipped."""


def title(raw: Any) -> str:
    if not isinstance(raw, str):
        raise Skip("no title" if raw is None else f"the title is a {type(raw).__name__}")
    stripped = raw.strip()
    if not stripped:
        raise Skip("empty title")
    if len(stripped) > TITLE_MAX:
        raise Skip(f"the title is {len(stripped)} characters; the limit is {TITLE_MAX}")
    try:
        return clean_title(raw)
    except InvalidInputError as exc:
        raise Skip(exc.message) from None


def note(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Skip(f"the note is a {type(raw).__name__}")
    try:
        return clean_note(raw)
    except InvalidInputError as exc:
        raise Skip(exc.message) from None


def tags(raw: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({t for t in map(tag, raw) if t}))


def tag(raw: str) -> str | None:
    """raw as a valid tag, sanitised if need be; None if nothing is left."""
    for candidate in (raw, re.sub(r"[^\w.-]+", "-", raw.strip()).lstrip("._-")[:64].rstrip("-")):
        try:
            return clean_tag(candidate)
        except InvalidInputError:
            continue
    return None


def day_start(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def due_day(day: date) -> datetime:
    return dates.parse_due(day.isoformat())  # end of that day, local: as --due YYYY-MM-DD


def timestamp(raw: Any, field: str) -> datetime | None:
    """An ISO 8601 or taskwarrior (20261125T114041Z) timestamp, in UTC.

    Without an offset it is UTC (both formats are written by programs, which
    write UTC); a date alone is the start of that local day, or for a due
    date its end (as everywhere in todo).
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        if re.fullmatch(DAY, raw):
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                pass
            else:
                return due_day(day) if field == "due" else day_start(day)
        else:
            try:
                value = datetime.fromisoformat(raw.replace("z", "Z"))
            except ValueError:
                pass
            else:
                return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    raise Skip(f"invalid {field} {raw!r}")


def every(raw: Any, *, from_done: bool = False) -> str | None:
    """A repeat as a format writes it, as its canonical SPEC."""
    if raw is None or raw == "":
        return None
    from todo_cli.recurrence import parse

    try:
        if not isinstance(raw, str):
            raise InvalidInputError("not a string")
        return parse(raw, from_done=from_done).spec
    except InvalidInputError:
        raise Skip(f"invalid repeat {raw!r}") from None


def wait_before(raw: Any) -> int | None:
    """A wait before each due as our JSON writes it (3d, 2w, 12h), in seconds."""
    if raw is None:
        return None
    from todo_cli.recurrence import parse_lead

    try:
        if not isinstance(raw, str):
            raise InvalidInputError("not a string")
        return parse_lead(f"{raw} before")
    except InvalidInputError:
        raise Skip(f"invalid wait_before {raw!r} (3d, 2w or 12h)") from None


# The 13th hex digit of a uuid (its version) as one of these letters marks a
# key as a Taskwarrior uuid: no other key has a letter past f (they are hex).
_VERSION_LETTERS = "ghijklmnopqrstuv"


def uuid_key(task_uuid: uuid.UUID) -> str:
    """The key of a task that came with a uuid: a todo keeps it as its
    request id, and its Taskwarrior export gives the task that uuid back,
    so `task import` updates the task instead of adding another."""
    digits = task_uuid.hex
    return digits[:12] + _VERSION_LETTERS[int(digits[12], 16)] + digits[13:]


def key_uuid(key: str) -> uuid.UUID | None:
    """The Taskwarrior uuid a key was made from by uuid_key, if it was."""
    if len(key) != 32 or key[12] not in _VERSION_LETTERS:
        return None
    try:
        return uuid.UUID(key[:12] + f"{_VERSION_LETTERS.index(key[12]):x}" + key[13:])
    except ValueError:
        return None


def hash_key(kind: str, identity: str) -> str:
    return hashlib.sha256(f"{kind}\x1f{identity}".encode()).hexdigest()[:32]


def todo_uuid(created_at: datetime | None, number: Any, title: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{iso(created_at) or ''}\x1f{number}\x1f{title}")


def todo_key(created_at: datetime | None, number: int, title: str) -> str:
    """The key a todo of ours comes back with from our json or taskwarrior
    export (its exported uuid), so an import can recognise it."""
    return todo_uuid(created_at, number, title).hex
