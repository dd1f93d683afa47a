"""The everyday options of the real `todo`: parsing edge cases, exact output."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tests.support.inprocess import InProcess

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
DATE_HELP = (
    "try: today, tomorrow, fri, next week, in 3 days, in 2w, 2026-12-24, "
    "2026-12-24T17:00, tomorrow 9am, fri 17:30\n"
)


def test_a_realistic_session(todo_db: InProcess) -> None:
    assert (
        todo_db.ok("add", "Write report", "-p", "high", "-d", "tomorrow 9am", "-t", "work") == "1\n"
    )
    assert todo_db.ok("add", "Pay rent", "--priority", "m", "--due", "2020-01-31") == "2\n"
    assert todo_db.ok("add", "Water plants", "-t", "home", "-n", "the big ones") == "3\n"
    # overdue first, then priority, then due date
    assert todo_db.ok("list") == "2\topen\tPay rent\n1\topen\tWrite report\n3\topen\tWater plants\n"
    assert todo_db.ok("list", "--tag", "work") == "1\topen\tWrite report\n"
    assert todo_db.ok("list", "--overdue") == "2\topen\tPay rent\n"
    assert todo_db.ok("list", "--priority", "h") == "1\topen\tWrite report\n"
    assert todo_db.ok("list", "--search", "PLANT") == "3\topen\tWater plants\n"
    assert todo_db.ok("list", "--sort", "number", "--reverse") == (
        "3\topen\tWater plants\n2\topen\tPay rent\n1\topen\tWrite report\n"
    )
    assert todo_db.ok("list", "--due-before", "2021-01-01") == "2\topen\tPay rent\n"
    assert todo_db.ok("edit", "1-3", "--tag", "+q4") == (
        "Edited 1: Write report\nEdited 2: Pay rent\nEdited 3: Water plants\n"
    )
    assert (
        todo_db.ok("edit", "2", "--no-due", "--tag", "-q4", "--priority", "none")
        == "Edited 2: Pay rent\n"
    )
    shown = json.loads(todo_db.ok("show", "2", "--json"))
    assert (shown["due"], shown["priority"], shown["tags"]) == (None, None, [])
    assert todo_db.ok("done", "1,3") == "Completed 1: Write report\nCompleted 3: Water plants\n"
    assert todo_db.ok("reopen", "3") == "Reopened 3: Water plants\n"
    assert todo_db.ok("list", "--done") == "1\tdone\tWrite report\n"
    full = json.loads(todo_db.ok("show", "1", "--json"))
    assert full["tags"] == ["q4", "work"]
    assert full["priority"] == "high"
    assert ISO_Z.match(full["due"])
    assert full["done"] is True


def test_show_prints_everything(todo_db: InProcess) -> None:
    todo_db.ok(
        "add",
        "Plan trip",
        "-p",
        "low",
        "-d",
        "2030-06-01T09:30Z",
        "-t",
        "travel",
        "-n",
        "book\nhotel",
    )
    out = todo_db.ok("show", "1")
    assert out.startswith("number     1\ntitle      Plan trip\nstatus     open\npriority   low\n")
    assert "\ntags       travel\n" in out
    assert out.endswith("note\n  book\n  hotel\n")
    result = todo_db("show", "7")
    assert (result.returncode, result.stderr) == (
        1,
        "todo: error: no todo numbered 7 (see: todo list --all)\n",
    )


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (["add", "x", "--due", "someday"], "todo: error: cannot read 'someday' as a date; " + DATE_HELP),
        (["list", "--due-before", "soon"], "todo: error: cannot read 'soon' as a date; " + DATE_HELP),
        (["add", "x", "-p", "urgent"], "todo: error: unknown priority 'urgent': use high, medium or low (h, m, l)\n"),
        (["add", "x", "-t", "a b"], "todo: error: invalid tag 'a b': use up to 64 letters, digits, _ . or -, starting with a letter or digit\n"),
        (["list", "--sort", "size"], "todo: error: unknown sort 'size': use number, due, priority, created\n"),
        (["edit", "1"], "todo: error: nothing to change: give --title, --priority, --due/--no-due, --tag, --note, "
         "--every/--no-repeat, --until or --wait (or set EDITOR to edit a form)\n"),
        (["edit", "1", "--due", "fri", "--no-due"], "todo: error: --due and --no-due cannot be combined\n"),
        (["edit", "1-2", "--title", "same"], "todo: error: --title changes one todo at a time\n"),
        (["edit", "3-1", "-p", "h"], "todo: error: bad range '3-1': use LOW-HIGH, e.g. 1-3\n"),
        (["reopen", "x"], "todo: error: 'x' is not a todo number: use positive whole numbers like 3, 3 4 or 1-3,7\n"),
    ],
)  # fmt: skip
def test_parsing_errors_are_exit_2_and_change_nothing(
    todo_db: InProcess, args: list[str], stderr: str
) -> None:
    todo_db.ok("add", "-", input="one\ntwo\n")
    result = todo_db(*args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", stderr)
    assert todo_db.ok("list") == "1\topen\tone\n2\topen\ttwo\n"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_edit_range_is_all_or_nothing(todo_db: InProcess) -> None:
    todo_db.ok("add", "-", input="a\nb\nc\n")
    result = todo_db("edit", "2-5", "-p", "high")
    assert result.returncode == 1
    assert (
        result.stderr
        == "todo: error: no todos numbered 4, 5; nothing was changed (see: todo list --all)\n"
    )
    assert [t["priority"] for t in json.loads(todo_db.ok("list", "--json"))] == [None, None, None]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_table_shows_priority_due_and_tags_at_80_columns(todo_db: InProcess) -> None:
    todo_db.ok("add", "A" * 120, "-p", "high", "-d", "2020-01-01", "-t", "work")
    code, output = todo_db.tty("list", env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert code == 0
    header, row, *wrapped = output.splitlines()
    assert header.split() == ["#", "Pri", "Title", "Due", "Tags", "Created"]
    assert row.split()[:2] == ["1", "H"]
    assert "overdue" in row
    assert "work" in row
    assert wrapped
    assert all(set(line.strip()) == {"A"} for line in wrapped)
    assert max(len(line) for line in output.splitlines()) <= 80
    assert json.loads(todo_db.ok("list", "--json"))[0]["title"] == "A" * 120  # never cut in JSON


def pinned(todo: InProcess) -> InProcess:
    """UTC, on Tuesday 2026-12-01 at 09:00."""
    todo.env["TZ"] = "UTC"
    todo.clock = lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)
    return todo


def test_overdue_never_lists_a_done_todo(todo_db: InProcess) -> None:
    """--overdue is open todos past their due, whatever --all or --done say."""
    todo = pinned(todo_db)
    todo.ok("add", "Pay rent", "-d", "2026-11-20")
    todo.ok("add", "File taxes", "-d", "2026-11-25")
    todo.ok("add", "Book flights", "-d", "2026-12-20")
    todo.ok("done", "2")
    assert todo.ok("list", "--overdue") == "1\topen\tPay rent\n"
    assert todo.ok("list", "--overdue", "--all") == "1\topen\tPay rent\n"
    assert todo.ok("list", "--overdue", "--done") == ""
    assert [t["number"] for t in json.loads(todo.ok("list", "--overdue", "--all", "--json"))] == [1]
    code, output = todo.tty("list", "--overdue", "--all", env={"NO_COLOR": "1"})
    assert code == 0
    assert [line.split()[0] for line in output.splitlines()[1:]] == ["1"]


def test_due_before_is_strictly_before(todo_db: InProcess) -> None:
    """A todo due at the very moment --due-before names is not before it."""
    todo = pinned(todo_db)
    todo.ok("add", "Wrap presents", "-d", "2026-12-23")
    todo.ok("add", "Christmas Eve dinner", "-d", "2026-12-24")  # 23:59:59, the same moment
    todo.ok("add", "Buy a tree", "-d", "2026-12-24T12:00")
    todo.ok("add", "Exactly at noon", "-d", "2026-12-24T12:00:00Z")
    assert todo.ok("list", "--due-before", "2026-12-24", "--sort", "number") == (
        "1\topen\tWrap presents\n3\topen\tBuy a tree\n4\topen\tExactly at noon\n"
    )
    assert todo.ok("list", "--due-before", "2026-12-24T12:00Z", "--sort", "number") == (
        "1\topen\tWrap presents\n"
    )


def test_the_table_says_overdue_in_days_under_two_weeks_then_in_weeks(
    todo_db: InProcess,
) -> None:
    todo = pinned(todo_db)
    for title, due in [
        ("Thirteen days late", "2026-11-18"),
        ("Fourteen days late", "2026-11-17"),
        ("Twenty days late", "2026-11-11"),
        ("Three weeks late", "2026-11-10"),
        ("In thirteen days", "2026-12-14"),
        ("In fourteen days", "2026-12-15"),
    ]:
        todo.ok("add", title, "-d", due)
    code, output = todo.tty("list", "--sort", "number", env={"NO_COLOR": "1"})
    assert code == 0
    assert output.splitlines() == [
        "#  Title               Due          Created",
        "1  Thirteen days late  overdue 13d  2026-12-01",
        "2  Fourteen days late  overdue 2w   2026-12-01",
        "3  Twenty days late    overdue 2w   2026-12-01",
        "4  Three weeks late    overdue 3w   2026-12-01",
        "5  In thirteen days    in 13d       2026-12-01",
        "6  In fourteen days    in 2w        2026-12-01",
    ]


def test_a_date_before_year_1000_is_kept_and_goes_out_whole(todo_db: InProcess) -> None:
    """Years 1 to 9999 are dates. SQLite's file stored 0999 as "999" (the
    C library's %Y), which could not be read back: "unexpected ValueError",
    exit 1, and the export formats wrote the same three digits."""
    todo = pinned(todo_db)
    todo.env["TZ"] = "UTC"
    todo.ok("add", "Old", "-d", "0999-06-01T10:00", "--wait", "0999-05-01")
    shown = json.loads(todo.ok("show", "1", "--json"))
    assert (shown["due"], shown["wait"]) == (
        "0999-06-01T10:00:00.000000Z",
        "0999-05-01T00:00:00.000000Z",
    )
    assert "due:0999-06-01 " in todo.ok("export", "-f", "todotxt")
    (task,) = json.loads(todo.ok("export", "-f", "taskwarrior"))
    assert task["due"] == "09990601T100000Z"
    todo.env["EDITOR"] = "sed -i s/^title:.*/title:\\ Older/"  # the form, read back
    assert todo.ok("edit", "1") == "Edited 1: Older\n"
    assert json.loads(todo.ok("show", "1", "--json"))["due"] == shown["due"]


@pytest.mark.parametrize("when", ["0001-01-01T00:00+05:00", "9999-12-31T23:00-05:00"])
def test_a_moment_outside_years_1_to_9999_in_utc_is_refused(todo_db: InProcess, when: str) -> None:
    result = pinned(todo_db)("add", "Edge", "-d", when)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"todo: error: cannot read {when!r} as a date; try: ")
