r"""The text form `todo edit N` opens in $VISUAL or $EDITOR: pure text in,
the changes out (no database, no terminal).

    ## 3
    title: Call the bank
    priority: high
    due: 2026-12-01 17:00
    tags: money work
    wait:
    every: 1w
    until:
    ---
    The note, every line of it, up to the next ## or the end.

Several todos are several sections. Lines starting with # (other than the
## headers) are comments. A field left empty clears it; a section removed
changes nothing for that todo.

A note may hold any text: only `## NUMBER` (or `## OWNER/NUMBER`) alone on
a line starts a section, and a note line that reads so is written with a
backslash before it (`\## 3`), which is taken off again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from todo_cli.errors import InvalidInputError
from todo_cli.todo import Todo

FIELDS = ("title", "priority", "due", "tags", "wait", "every", "until")
_HEADER = r"## ((?:[^\s/]+/)?\d+)\s*"
# A note line that would read as a header, with the backslashes it has.
_ESCAPED = r"\\*## (?:[^\s/]+/)?\d+\s*"
HELP = (
    "# todo edit: change what you like, then save and quit. A field left empty\n"
    "# clears it; a section taken out is left as it is. Dates as --due takes\n"
    "# them (2026-12-24, fri 17:00, tomorrow); every as --every (week, 2w,\n"
    "# weekday, mon,thu; add 'from done'); wait a date or '3 days before'.\n"
    "# The note is everything under ---. Lines starting with # are ignored.\n"
)


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    from todo_cli.dates import END_OF_DAY

    local = value.astimezone()
    day = local.date().isoformat()  # strftime's %Y: 999, not 0999
    return day if local.time() == END_OF_DAY else f"{day} {local:%H:%M}"


def header(error: str | None = None) -> str:
    """The comments at the top of the form, with the error of the last save."""
    return "".join(f"# error: {line}\n" for line in (error or "").splitlines()) + HELP


def render(todos: list[tuple[str, Todo]]) -> str:
    """The form for (name, todo) pairs: name is 3, or alice/3."""
    parts = [header()]
    for name, t in todos:
        lead = t.wait_before()
        wait = f"{lead} before" if lead else _when(t.wait)
        values = {
            "title": t.title,
            "priority": t.priority or "",
            "due": _when(t.due),
            "tags": " ".join(t.tags),
            "wait": wait,
            "every": t.every or "",
            "until": _when(t.until),
        }
        parts.append(f"\n## {name}\n")
        parts.extend(f"{key}: {values[key]}\n".replace(": \n", ":\n") for key in FIELDS)
        parts.append("---\n")
        note = [
            "\\" + line if re.fullmatch(_ESCAPED, line) else line
            for line in (t.note or "").split("\n")
        ]
        parts.append("\n".join(note) + "\n" if t.note else "")
    return "".join(parts)


@dataclass
class Section:
    name: str
    fields: dict[str, str]
    note: str
    line: int


def sections(text: str) -> list[Section]:
    """The ## sections of a saved form."""
    found: list[Section] = []
    current: Section | None = None
    in_note = False
    for n, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        header = re.fullmatch(_HEADER, line)
        if header:
            current = Section(header.group(1), {}, "", n)
            found.append(current)
            in_note = False
            continue
        if current is None:
            if line.strip() and not line.startswith("#"):
                raise InvalidInputError(f"line {n}: text before the first ## NUMBER header")
            continue
        if in_note:
            current.note += (
                line[1:] if line[:1] == "\\" and re.fullmatch(_ESCAPED, line) else line
            ) + "\n"
        elif line.strip() == "---":
            in_note = True
        elif line.startswith("#") or not line.strip():
            continue
        else:
            key, colon, value = line.partition(":")
            key = key.strip().lower()
            if not colon or key not in FIELDS:
                raise InvalidInputError(
                    f"line {n}: {line.strip()!r} is not a field ({', '.join(FIELDS)})"
                )
            current.fields[key] = value.strip()
    return found


def changes(text: str, originals: dict[str, Todo], now: datetime) -> dict[str, dict[str, Any]]:
    """What the saved form changes, per todo name, as changes.edit takes
    them; only what differs from the original. Raises InvalidInputError
    with the line of the first mistake."""
    from todo_cli import todo as rules
    from todo_cli.inputs import parse_when, repeat_fields

    found: dict[str, dict[str, Any]] = {}
    for section in sections(text):
        if section.name not in originals:
            raise InvalidInputError(
                f"line {section.line}: ## {section.name} is not one of the todos being edited"
            )
        if section.name in found:
            raise InvalidInputError(f"line {section.line}: ## {section.name} appears twice")
        before = originals[section.name]
        was = render([(section.name, before)]).split(f"## {section.name}\n", 1)[1]
        old = sections(f"## {section.name}\n{was}")[0]
        new = section.fields
        edit: dict[str, Any] = {}
        try:
            for key in FIELDS:
                if key not in new or new[key] == old.fields.get(key, ""):
                    continue
                value = new[key]
                if key == "title":
                    edit["title"] = rules.clean_title(value)
                elif key == "priority":
                    edit["priority"] = rules.parse_priority(value or "none")
                elif key == "due":
                    edit["due"] = parse_when(value, now) if value else None
                elif key == "tags":
                    tags = {rules.clean_tag(t) for t in value.split()}
                    if tags != set(before.tags):
                        edit["add_tags"] = sorted(tags - set(before.tags))
                        edit["remove_tags"] = sorted(set(before.tags) - tags)
                elif key == "every":
                    edit.update(repeat_fields(now, every=value, from_done=False, until=None,
                                              wait=None) if value else {"every": None})  # fmt: skip
                else:  # wait, until
                    edit.update(repeat_fields(now, every=None, from_done=False,
                                              **{key: value or "none"}))  # fmt: skip
            if section.note.strip() != (before.note or "").strip():
                edit["note"] = rules.clean_note(section.note)
        except InvalidInputError as exc:
            raise InvalidInputError(f"## {section.name}: {exc.message}") from None
        if edit:
            found[section.name] = edit
    return found
