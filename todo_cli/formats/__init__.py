"""Todos to and from other formats, for `todo export` and `todo import`.

Pure functions over text: no database, no output, standard library only.
One module per format (native: our JSON; todotxt; csv, export only;
taskwarrior); records.py holds what they share. Here: telling the formats
apart, and the dispatch.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from todo_cli.errors import InvalidInputError
from todo_cli.formats import csv, native, taskwarrior, todotxt
from todo_cli.formats.records import Folded, Parsed, Record, Skip, Skipped
from todo_cli.todo import Todo, TodoText

__all__ = ["EXPORT_FORMATS", "IMPORT_FORMATS", "Parsed", "Record", "Skipped", "detect", "parse"]

EXPORT_FORMATS = ("json", "todotxt", "csv", "taskwarrior")
# Formats whose writers take todos with their timestamps as ISO text
# (todo.TodoText), which the database formats quicker than Python does.
TEXT_FORMATS = ("json", "csv")
IMPORT_FORMATS = ("json", "todotxt", "taskwarrior")
_WRITERS: dict[str, Callable[[Iterable[Any], TextIO], int]] = {
    "json": native.write,
    "todotxt": todotxt.write,
    "csv": csv.write,
    "taskwarrior": taskwarrior.write,
}
_FORMAT_HINT = "pass --format json, todotxt or taskwarrior"


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
        _refuse_a_table(text)
        return "todotxt"  # an empty file too: an empty todo.txt holds nothing to import
    items = _load_json(text)
    if not items:
        return "json"  # what `todo export` writes for a user with no todos
    _refuse_no_todos(items)
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


_SEPARATORS = (":", ",", "\t", ";", "|")
_OUR_TODOTXT = r"\sid:\d+\s*$"


def _refuse_a_table(text: str) -> None:
    """Any text reads as todo.txt lines, /etc/passwd too: refuse, unless the
    format is given, text whose every line splits into the same number of
    fields (five or more) at one separator, and text with NUL bytes."""
    if "\0" in text:
        raise InvalidInputError(
            "the input is not text (it has NUL bytes); pass --format todotxt to import it anyway"
        )
    lines = [line for line in text.split("\n") if line.strip()][:200]
    if len(lines) < 2 or all(re.search(_OUR_TODOTXT, line) for line in lines):
        return  # our todo.txt export, whose titles may hold colons alike
    for sep in _SEPARATORS:
        counts = {line.count(sep) for line in lines}
        if len(counts) == 1 and counts.pop() >= 4:
            shown = {"\t": "tabs"}.get(sep, repr(sep))
            raise InvalidInputError(
                f"the input looks like a table of fields separated by {shown}, not todo.txt "
                "lines; pass --format todotxt to import its lines as todos anyway"
            )


_JSON_TYPES = {
    "int": "numbers", "float": "numbers", "bool": "booleans", "NoneType": "nulls",
    "str": "strings", "list": "arrays", "dict": "objects",
}  # fmt: skip


def _refuse_no_todos(items: list[Any]) -> None:
    """JSON with no todo or task in it at all (`[1,2]`, a config file) is
    not a todo file, whatever --format says."""
    if any(_kind(item) in ("json", "taskwarrior", "ambiguous") for item in items):
        return
    if len(items) == 1 and isinstance(items[0], dict):
        why = "a JSON object that is neither a todo nor a task"
    else:
        names = {_JSON_TYPES.get(type(item).__name__, "values") for item in items}
        what = names.pop() if len(names) == 1 else "values"
        if what == "objects":
            what = "objects that are neither todos nor tasks"
        why = f"a JSON array of {what}, not of todos"
    raise InvalidInputError(f"not a todo file: {why}")


def _kind(item: Any) -> str:
    if not isinstance(item, dict):
        return "not an object"
    ours = "title" in item
    theirs = any(k in item for k in taskwarrior.KEYS)
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
    if rest[:1] in ("", "{", "}", "]", '"', "["):
        return True
    # `[1,2]` is JSON too, if all of it parses (a title fails at its words).
    try:
        json.loads(head)
    except (ValueError, RecursionError):
        return False
    return True


def _load_json(text: str) -> list[Any]:
    """The items of a JSON array, a lone object, or one object per line (what
    taskwarrior before 2.5 and rc.json.array=off write)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise InvalidInputError(_TOO_DEEP) from None
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


# json.loads recurses per level of nesting: a file of 100,000 [ runs out of stack.
_TOO_DEEP = "not a todo file: its JSON is nested too deeply"


def _json_lines(text: str) -> list[Any] | None:
    items = []
    for line in text.split("\n"):
        if line.strip():
            try:
                items.append(json.loads(line))
            except RecursionError:
                raise InvalidInputError(_TOO_DEEP) from None
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
        return todotxt.parse(text)
    if not _looks_like_json(text):
        raise InvalidInputError(
            f"the input is not JSON, so it is not a {format} export; "
            "pass --format todotxt if it is a todo.txt file"
        )
    items = _load_json(text)
    if items:
        _refuse_no_todos(items)
    kinds = {_kind(item) for item in items}
    other = "taskwarrior" if format == "json" else "json"
    if items and format not in kinds and other in kinds:
        raise InvalidInputError(
            f"the input is {'a taskwarrior export' if other == 'taskwarrior' else 'our json export'},"
            f" not {format}; pass --format {other}"
        )
    convert = native.record if format == "json" else taskwarrior.reader(items)
    return _collect(format, items, convert)


def _refuse_json_as_todotxt(text: str) -> None:
    try:
        found = detect(text)
    except InvalidInputError:
        return  # not our kind of JSON after all: read it as lines, as asked
    raise InvalidInputError(
        f"the input is JSON ({found}), not todo.txt lines; pass --format {found}"
    )


def _collect(format: str, items: list[Any], convert: Callable[[dict[str, Any]], Record]) -> Parsed:
    records: list[Record] = []
    skipped: list[Skipped] = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            skipped.append(Skipped(n, f"a JSON {type(item).__name__}, not an object"))
            continue
        try:
            records.append(convert(item))
        except Skip as exc:
            skipped.append(Skipped(n, str(exc)))
        except Folded:
            continue
    return Parsed(format, records, skipped)


# --- writing ------------------------------------------------------------------------


def write(
    todos: Iterable[Todo] | Iterable[TodoText], format: str, out: TextIO, *, ascii: bool = False
) -> int:
    """Write todos to out in format, one at a time; return how many. ascii:
    our JSON escapes every non-ASCII character (for a stream that cannot
    hold them)."""
    if format not in _WRITERS:
        raise InvalidInputError(
            f"cannot export format {format!r}; use json, todotxt, csv or taskwarrior"
        )
    if format == "json":
        return native.write(todos, out, ascii=ascii)
    return _WRITERS[format](todos, out)
