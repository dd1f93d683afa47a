"""todo.txt (http://todotxt.org) lines, as todo.txt-cli (`todo.sh`) reads them.

Export: a title word the import would read as syntax (+word, pri:A, id:9)
gets a backslash before it, which the import removes, so titles come back
whole. The note is dropped (todo.txt has no place for free text); dates
are local calendar days, so the time of a due date is lost; every tag is
written as a +project. A done todo keeps its priority as `pri:A`, since
todo.sh removes the (A) when it marks a task done. Each line ends with
`id:N`, the todo's number, so importing the file back into the account it
came from recognises its todos (same number, created the same day). A
repeat is written as the recurrence add-ons have it (topydo, todo.txt's
rec add-on): `rec:+1w` counts from the due date, `rec:1w` from the day it
is done; weekdays are `rec:+1b` (business days), named weekdays
`rec:+mon,thu` (ours alone). A wait is `t:YYYY-MM-DD` (threshold); until
has no todo.txt form and is dropped.

Import: `x` marks a done task, followed by its completion and creation
dates; `(A)` `(B)` `(C)` are high, medium and low, and `(D)` to `(Z)` are
low too (they rank below C). `+project` and `@context` tokens become tags
and leave the title, wherever they stand; `due:YYYY-MM-DD` is due at the
end of that day, local time (as `--due YYYY-MM-DD`); `pri:X` sets the
priority; the last `id:N` is the todo's number; `rec:` and `t:` as above.
Any other key:value, and a due:, pri:, id:, rec: or t: whose value is not
one of those, stays in the title.
Dates with no time are the start of that local day. Blank lines are
ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import TextIO

import todo_cli.formats.records as r
from todo_cli.todo import Todo

_LETTER = {"high": "A", "medium": "B", "low": "C"}
_PRI = r"\(([A-Z])\)"


def parse(text: str) -> r.Parsed:
    records: list[r.Record] = []
    skipped: list[r.Skipped] = []
    # split, not splitlines: line numbers must match an editor's, and
    # splitlines also breaks at form feeds and U+2028.
    for n, line in enumerate(text.split("\n"), 1):
        tokens = line.split()
        if not tokens:
            continue
        # The same line twice is one todo (README: Import), so the key is
        # the line's words alone.
        try:
            records.append(_record(tokens, r.hash_key("todotxt", " ".join(tokens))))
        except r.Skip as exc:
            skipped.append(r.Skipped(n, str(exc)))
    return r.Parsed("todotxt", records, skipped)


def _day_token(tokens: list[str]) -> date | None:
    """Pop a leading YYYY-MM-DD token, if there is one."""
    if tokens and re.fullmatch(r.DAY, tokens[0]):
        try:
            day = date.fromisoformat(tokens[0])
        except ValueError:
            return None
        tokens.pop(0)
        return day
    return None


def _pri_token(tokens: list[str]) -> str | None:
    if tokens and re.fullmatch(_PRI, tokens[0]):
        return tokens.pop(0)[1]
    return None


def _record(tokens: list[str], key: str) -> r.Record:
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
    due = number = every = wait = None
    for i, token in enumerate(tokens):
        head, sep, value = token.partition(":")
        if token[0] == "\\" and _syntax(token.lstrip("\\"), first=i == 0):
            words.append(token[1:])  # written by line(): a word of the title
        elif token[0] in "+@" and len(token) > 1 and (tag := r.tag(token[1:])):
            tags.append(tag)
        elif sep and head == "due" and (day := _valid_day(value)):
            due = r.due_day(day)
        elif sep and head == "t" and (day := _valid_day(value)):
            wait = r.day_start(day)
        elif sep and head == "rec" and (spec := _rec(value)):
            every = spec
        elif sep and head == "pri" and re.fullmatch(_PRI, f"({value})"):
            letter = value
        elif sep and head == "id" and value.isascii() and value.isdigit():
            if number is not None:  # an earlier id: was a word of the title
                words.append(f"id:{number}")
            number = int(value)
        else:
            # Syntax in name only (due:tomorrow, a title's own words): kept.
            words.append(token)
    return r.Record(
        title=r.title(" ".join(words)),
        key=key,
        done=done,
        priority=_letter_priority(letter),
        due=due,
        tags=tuple(sorted(set(tags))),
        # A done line with its completion date alone: made that day at the
        # latest (never completed before it was created).
        created_at=r.day_start(made) if (made := created or completed) else None,
        completed_at=r.day_start(completed) if completed else None,
        number=number if number is not None and 0 < number < 2**31 else None,
        day_only=number is not None and created is not None,
        every=every,
        wait=wait,
    )


def _syntax(token: str, *, first: bool = False) -> bool:
    """Whether _record reads token as more than a word of the title (first:
    it is the first after the dates, where a done line may hold its (A))."""
    head, sep, value = token.partition(":")
    if token[:1] in ("+", "@") and len(token) > 1 and r.tag(token[1:]):
        return True
    if first and re.fullmatch(_PRI, token):
        return True
    if not sep:
        return False
    if head in ("due", "t"):
        return _valid_day(value) is not None
    if head == "rec":
        return _rec(value) is not None
    if head == "pri":
        return re.fullmatch(_PRI, f"({value})") is not None
    return head == "id" and value.isascii() and value.isdigit()


def _title_out(title: str) -> str:
    """The title as words the import reads back as the title: a word it
    would take for syntax (pri:A, +word, id:9), or for such a word written
    so, gets a backslash before it, which the import removes."""
    words = title.split(" ")
    return " ".join(
        "\\" + word if word and _syntax(word.lstrip("\\"), first=i == 0) else word
        for i, word in enumerate(words)
    )


def _rec(value: str) -> str | None:
    """rec:+1w (strict: from the due date), rec:1w (from done), rec:2b
    (business days: only 1b has a form here) -> a SPEC; None if it is none."""
    strict = value.startswith("+")
    body = value.removeprefix("+")
    if body in ("b", "1b"):
        body = "weekday"
    try:
        return r.every(body, from_done=not strict)
    except r.Skip:
        return None


def _rec_out(spec: str) -> str:
    from_done = spec.endswith(" from done")
    body = spec.removesuffix(" from done")
    body = "1b" if body == "weekday" else body
    return f"rec:{'' if from_done else '+'}{body}"


def _valid_day(value: str) -> date | None:
    if not re.fullmatch(r.DAY, value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _letter_priority(letter: str | None) -> str | None:
    if letter is None:
        return None
    return {"A": "high", "B": "medium"}.get(letter, "low")


def _local_day(value: datetime) -> str:
    return value.astimezone().date().isoformat()  # strftime's %Y: 999, not 0999


def line(todo: Todo) -> str:
    parts = []
    letter = _LETTER.get(todo.priority or "")
    if todo.done:
        # todo.txt allows a creation date only after a completion date.
        parts += ["x", _local_day(todo.completed_at or todo.updated_at)]
    elif letter:
        parts.append(f"({letter})")
    parts += [_local_day(todo.created_at), _title_out(todo.title)]
    parts += [f"+{tag}" for tag in todo.tags]
    if todo.due:
        parts.append(f"due:{_local_day(todo.due)}")
    if todo.every:
        parts.append(_rec_out(todo.every))
    if todo.wait:
        parts.append(f"t:{_local_day(todo.wait)}")
    if todo.done and letter:
        parts.append(f"pri:{letter}")
    parts.append(f"id:{todo.number}")
    return " ".join(parts)


def write(todos: Iterable[Todo], out: TextIO) -> int:
    count = 0
    for todo in todos:
        out.write(line(todo) + "\n")
        count += 1
    return count
