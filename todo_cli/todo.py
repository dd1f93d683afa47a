"""A todo, a change to todos, and the rules for a todo's fields: plain
data, no database, no output.

The store reads and writes these; the formats parse into and write from
them; the renderer shows them. Every rule a field must pass lives here, so a
title typed at the prompt and one read from a todo.txt file meet the same
checks.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from todo_cli.classes import NamedTuple, dataclass, field, fields
from todo_cli.errors import InvalidInputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

TITLE_MAX = 500  # characters, after trimming; mirrored by models.TITLE_MAX
NOTE_MAX = 10_000
PRIORITIES: Final = {"high": 1, "medium": 2, "low": 3}
PRIORITY_NAMES: Final = {v: k for k, v in PRIORITIES.items()}
_PRIORITY_ALIASES = {"h": "high", "m": "medium", "l": "low", "med": "medium"}
_TAG_RE = r"[^\W\d_][\w.-]{0,63}|\d[\w.-]{0,63}"
_NAME_RE = r"[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}"
NAME_RULE = "use 1-64 letters, digits or _ . @ + -, starting with a letter, digit or _"


class _Unset:
    """Marks an edit field that was not given (None means: clear it)."""


UNSET: Final = _Unset()


class Todo(NamedTuple):
    """A todo as read from the store. A named tuple: immutable, and quick to
    make 100,000 of (a frozen dataclass takes four times as long)."""

    number: int
    title: str
    done: bool
    priority: str | None
    due: datetime | None
    tags: tuple[str, ...]
    note: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    # Recurrence (todo_cli/recurrence.py): the canonical SPEC, the series'
    # end, the day of the month it keeps; and when it stops waiting, fixed
    # or (wait_lead, seconds) that long before each due.
    every: str | None = None
    until: datetime | None = None
    wait: datetime | None = None
    wait_lead: int | None = None
    anchor: int | None = None
    clock: int | None = None
    # Whose it is: my own name for mine (sharing, alembic/versions/0010).
    owner: str | None = None
    # The request id it was saved with, where a reader asks for it (the
    # Taskwarrior export: a task's uuid, kept by import, formats.records).
    source: str | None = None

    def wait_before(self) -> str | None:
        """A wait that is a lead before each due, as people write it (3d,
        2w, 12h; the JSON's wait_before); None for a fixed wait, or none."""
        return None if self.wait_lead is None else lead_text(self.wait_lead)


class TodoText(NamedTuple):
    """A todo with its timestamps already as the JSON shape writes them
    (ISO 8601 text in UTC), and only the fields that shape writes: what a
    long listing streams (shapes.todo_json), formatted by the database
    rather than once more in Python. Its fields are Todo's, by name."""

    number: int
    title: str
    done: bool
    priority: str | None
    due: str | None
    tags: tuple[str, ...]
    note: str | None
    created_at: str
    updated_at: str
    completed_at: str | None
    every: str | None = None
    until: str | None = None
    wait: str | None = None
    wait_lead: int | None = None
    owner: str | None = None

    def wait_before(self) -> str | None:
        """A wait that is a lead before each due, as people write it (3d,
        2w, 12h; the JSON's wait_before); None for a fixed wait, or none."""
        return None if self.wait_lead is None else lead_text(self.wait_lead)


@dataclass(frozen=True)
class NewTodo:
    """A todo on its way in: what `add` and `import` hand the store."""

    title: str
    priority: str | None = None
    due: datetime | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    # Set by import to keep a todo's history; None means: now.
    done: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    every: str | None = None
    until: datetime | None = None
    wait: datetime | None = None
    wait_lead: int | None = None
    # Import: a series already continued (its next instance exists), and
    # the day of the month it keeps.
    continued: bool = False
    anchor: int | None = None
    clock: int | None = None

    def stored(self) -> dict[str, Any]:
        """Its fields by name, as the store keeps them: a wait that is a
        lead before each due also ends at a time, that long before this due."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.wait_lead is not None and self.due is not None:
            values["wait"] = self.due - timedelta(seconds=self.wait_lead)
        return values


UNREADABLE = "(an entry todo cannot read)"


@dataclass(frozen=True)
class Event:
    """One change, as the journal holds it (store/events.py, store/history.py)."""

    id: int
    at: datetime
    action: str
    numbers: tuple[int, ...]
    titles: tuple[str, ...]  # for add and import: the first title only
    undone_at: datetime | None
    # The todos as they were before (edit, done, reopen, rm), for undo.
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False, compare=False)
    # What the todo of a one-todo change is called now, where it was read
    # (todo log): a title changed since shows as "now (was: then)".
    title_now: str | None = field(default=None, compare=False)
    # The next instances of recurring todos the change made (done, rm).
    created: tuple[int, ...] = ()
    # A change to another user's todos: their id, and their name (for the
    # one who made it); for the owner, who made it (by).
    owner_id: int | None = field(default=None, compare=False)
    owner: str | None = field(default=None, compare=False)
    by: str | None = field(default=None, compare=False)
    # Its journal entry is not a shape todo writes (store/journal.py).
    unreadable: bool = field(default=False, compare=False)

    @property
    def summary(self) -> str:
        """`3: Call the bank`, `4-6: Buy milk and 2 more`, `2, 9: 2 todos`,
        `3: Dentist appointment (was: Dentist)`; another's todos as
        `alice/3: Milk`, and a change someone else made as `... (by bob)`."""
        if self.unreadable:
            return UNREADABLE
        text = self._summary()
        return f"{text} (by {self.by})" if self.by else text

    def label(self, number: int) -> str:
        """A todo of this change as its user names it: 3, or alice/3."""
        return f"{self.owner}/{number}" if self.owner else str(number)

    def _summary(self) -> str:
        n = len(self.numbers)
        label = self.label
        if self.action in ("add", "import") and n > 1:
            first, last = self.numbers[0], self.numbers[-1]
            where = f"{label(first)}-{last}" if last - first + 1 == n else f"{label(first)}…{last}"
            return f"{where}: {self.titles[0]} and {n - 1} more"
        if n == 1:
            then = self.titles[0]
            if self.title_now is not None and self.title_now != then:
                return f"{label(self.numbers[0])}: {self.title_now} (was: {then})"
            return f"{label(self.numbers[0])}: {then}"
        shown = ", ".join(label(x) for x in self.numbers[:5]) + (", …" if n > 5 else "")
        return f"{shown}: {n} todos"


def lead_text(seconds: int) -> str:
    """A wait before each due, as `show` and the JSON write it: 3d, 2w, 12h."""
    if seconds % (7 * 86400) == 0:
        return f"{seconds // (7 * 86400)}w"
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    return f"{seconds // 3600}h"


def check_text(what: str, text: str) -> str:
    """text, unless it holds bytes that were not UTF-8 (an argument such as
    $'\\xff' reaches Python as a lone surrogate, which no encoder takes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(f"the {what} is not valid UTF-8 text") from None
    return text


def clean_search(raw: str) -> str:
    """list --search: a substring of a title, so never longer than one (and
    SQLite refuses a LIKE pattern of 50,000 bytes as too complex)."""
    check_text("search", raw)
    if len(raw) > TITLE_MAX:
        raise InvalidInputError(
            f"the search is {len(raw)} characters; no title is longer than {TITLE_MAX}"
        )
    return raw


def clean_title(raw: str) -> str:
    """1-500 characters after trimming; never silently cut.

    Control characters (NUL, newlines, tabs, escapes) are refused: a title
    is one line, and plain output stays one todo per line.
    """
    title = raw.strip()
    if not title:
        raise InvalidInputError(
            "the title is empty; say what needs doing, e.g. todo add Call the bank"
        )
    if len(title) > TITLE_MAX:
        raise InvalidInputError(
            f"the title is {len(title)} characters; the limit is {TITLE_MAX}. "
            "Shorten it (nothing was saved)"
        )
    check_text("title", title)
    bad = next((c for c in title if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise InvalidInputError(
            f"the title contains a control character (U+{ord(bad):04X}); "
            "titles are a single line of text"
        )
    return title


def clean_note(raw: str) -> str | None:
    """Free text (newlines allowed); empty clears the note."""
    note = raw.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInputError(f"the note is {len(note)} characters; the limit is {NOTE_MAX}")
    check_text("note", note)
    bad = next((c for c in note if unicodedata.category(c) == "Cc" and c not in "\n\t"), None)
    if bad is not None:
        raise InvalidInputError(f"the note contains a control character (U+{ord(bad):04X})")
    return note or None


def parse_priority(raw: str) -> str | None:
    """high/medium/low (or h/m/l); none or - clears."""
    word = check_text("priority", raw).strip().lower()
    if word in ("none", "-", ""):
        return None
    word = _PRIORITY_ALIASES.get(word, word)
    if word not in PRIORITIES:
        raise InvalidInputError(f"unknown priority {raw!r}: use high, medium or low (h, m, l)")
    return word


def clean_tag(raw: str) -> str:
    tag = check_text("tag", raw).strip().lstrip("+")
    if not re.fullmatch(_TAG_RE, tag):
        raise InvalidInputError(
            f"invalid tag {raw!r}: use up to 64 letters, digits, _ . or -, starting with a "
            "letter or digit"
        )
    return tag


def validate_name(kind: str, name: str) -> str:
    """User and profile names (a todo's owner is one): 1-64 of letters,
    digits and _ . @ + -."""
    if not re.fullmatch(_NAME_RE, name):
        shown = name if len(name) <= 64 else name[:64] + "…"
        raise InvalidInputError(f"invalid {kind} name {shown!r}: {NAME_RULE}")
    return name
