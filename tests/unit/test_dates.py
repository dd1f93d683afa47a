"""Due dates as people type them (the machine's local timezone is whatever it is)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from todo_cli.dates import END_OF_DAY, parse_due, relative
from todo_cli.errors import InvalidInputError

# Wednesday 25 November 2026, 10:00 local.
NOW = datetime(2026, 11, 25, 10, 0).astimezone()


def local(y: int, m: int, d: int, clock: time = END_OF_DAY) -> datetime:
    return datetime.combine(datetime(y, m, d).date(), clock).astimezone().astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", local(2026, 11, 25)),
        ("Tomorrow", local(2026, 11, 26)),
        ("fri", local(2026, 11, 27)),
        ("friday", local(2026, 11, 27)),
        ("wed", local(2026, 12, 2)),  # strictly after today
        ("next week", local(2026, 11, 30)),  # Monday
        ("in 3 days", local(2026, 11, 28)),
        ("in 1 day", local(2026, 11, 26)),
        ("in 2w", local(2026, 12, 9)),
        ("in 2 weeks", local(2026, 12, 9)),
        ("2026-12-24", local(2026, 12, 24)),
        ("2026-12-24T17:00", local(2026, 12, 24, time(17))),
        ("2026-12-24T17:00Z", datetime(2026, 12, 24, 17, tzinfo=UTC)),
        ("2026-12-24 17:00+01:00", datetime(2026, 12, 24, 16, tzinfo=UTC)),
        ("tomorrow 9am", local(2026, 11, 26, time(9))),
        ("tomorrow 12pm", local(2026, 11, 26, time(12))),
        ("tomorrow 12am", local(2026, 11, 26, time(0))),
        ("fri 17:30", local(2026, 11, 27, time(17, 30))),
        ("fri at 5pm", local(2026, 11, 27, time(17))),
        ("next week 9am", local(2026, 11, 30, time(9))),
        ("in 3 days 10:00", local(2026, 11, 28, time(10))),
        ("3pm", local(2026, 11, 25, time(15))),  # later today
        ("9am", local(2026, 11, 26, time(9))),  # already past: tomorrow
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert parse_due(text, now=NOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "someday",
        "fri 25:00",
        "13pm",
        "3",
        "in 3 parsecs",
        "2026-13-01",
        "",
        "next",
        "tomorrow soon",
    ],
)
def test_rejected_forms_say_what_works(text: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        parse_due(text, now=NOW)
    assert exc.value.message == (
        f"cannot read {text!r} as a date; try: today, tomorrow, fri, next week, in 3 days, "
        "in 2w, 2026-12-24, 2026-12-24T17:00, tomorrow 9am, fri 17:30"
    )


@pytest.mark.parametrize(
    ("due", "shown"),
    [
        (local(2026, 11, 25), "today"),
        (local(2026, 11, 26), "tomorrow"),
        (local(2026, 11, 26, time(9)), "tomorrow 09:00"),
        (local(2026, 11, 28), "in 3d"),
        (local(2026, 12, 24), "in 4w"),
        (local(2026, 11, 25, time(8)), "overdue"),
        (local(2026, 11, 23), "overdue 2d"),
        (local(2026, 11, 1), "overdue 3w"),
    ],
)
def test_relative(due: datetime, shown: str) -> None:
    assert relative(due, now=NOW) == shown


def test_dates_rely_on_the_standard_library_alone() -> None:
    """No date library is imported: the module's imports are the standard
    library's and todo's own (read from its source)."""
    import ast
    import sys

    import todo_cli.dates

    tree = ast.parse(Path(todo_cli.dates.__file__).read_text())
    imported = {
        alias.name.partition(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").partition(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported, "the scan found no imports: it proves nothing"
    assert imported - set(sys.stdlib_module_names) - {"todo_cli", "__future__"} == set()
