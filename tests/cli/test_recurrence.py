"""Repeating todos and todos that wait, through main(), on every backend,
with a pinned clock and timezone."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.inprocess import InProcess

BERLIN = "Europe/Berlin"


@pytest.fixture
def todo_at(todo_db: InProcess) -> InProcess:
    """Berlin, on 2026-12-01 at 10:00 (09:00 UTC) unless a test moves the clock."""
    todo_db.env["TZ"] = BERLIN
    todo_db.clock = lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)
    return todo_db


def at(todo: InProcess, year: int, month: int, day: int, hour: int = 0) -> None:
    moment = datetime(year, month, day, hour, tzinfo=UTC)
    todo.clock = lambda: moment


def shown(todo: InProcess, number: int) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(todo.ok("show", str(number), "--json"))
    return result


def listed(todo: InProcess, *args: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(todo.ok("list", "--json", *args))
    return result


def dues(todo: InProcess) -> list[tuple[int, bool, str | None]]:
    return [(t["number"], t["done"], t["due"]) for t in listed(todo, "--all", "--sort", "number")]


def test_done_makes_the_next_one_with_what_it_carries(todo_at: InProcess) -> None:
    todo = todo_at
    assert todo.ok(
        "add", "Water plants", "--every", "3 days", "--due", "2026-12-01", "-p", "h", "-t",
        "home", "-n", "the ferns too",
    ) == "1\n"  # fmt: skip
    assert todo.ok("done", "1") == (
        "Completed 1: Water plants\nNext 2: Water plants (due 2026-12-04 23:59 CET)\n"
    )
    nxt = shown(todo, 2)
    assert {k: nxt[k] for k in ("title", "done", "priority", "tags", "note", "every")} == {
        "title": "Water plants",
        "done": False,
        "priority": "high",
        "tags": ["home"],
        "note": "the ferns too",
        "every": "3d",
    }
    assert nxt["due"] == "2026-12-04T22:59:59.000000Z"
    # Done again, reopened and done again: never a second next one.
    assert todo.ok("done", "1") == "Already done 1: Water plants\n"
    todo.ok("reopen", "1")
    assert todo.ok("done", "1") == "Completed 1: Water plants\n"
    assert dues(todo) == [
        (1, True, "2026-12-01T22:59:59.000000Z"),
        (2, False, "2026-12-04T22:59:59.000000Z"),
    ]


def test_without_a_due_the_first_is_due_at_the_end_of_today(todo_at: InProcess) -> None:
    todo_at.ok("add", "Stretch", "--every", "day")
    assert shown(todo_at, 1)["due"] == "2026-12-01T22:59:59.000000Z"
    assert shown(todo_at, 1)["every"] == "1d"


def test_month_ends_and_leap_years(todo_at: InProcess) -> None:
    todo = todo_at
    at(todo, 2028, 1, 15)
    todo.ok("add", "Rent", "--every", "month", "--due", "2028-01-31T09:00")
    todo.ok("add", "Birthday", "--every", "year", "--due", "2028-02-29T09:00")
    for number in (1, 3, 4, 2, 6):
        todo.ok("done", str(number))
    by_title: dict[str, list[str]] = {}
    for t in listed(todo, "--all", "--sort", "number"):
        by_title.setdefault(t["title"], []).append(t["due"])
    assert by_title == {
        # 09:00 in Berlin: CET in winter, CEST from the end of March.
        "Rent": [
            "2028-01-31T08:00:00.000000Z",
            "2028-02-29T08:00:00.000000Z",
            "2028-03-31T07:00:00.000000Z",
            "2028-04-30T07:00:00.000000Z",
        ],
        "Birthday": [
            "2028-02-29T08:00:00.000000Z",
            "2029-02-28T08:00:00.000000Z",
            "2030-02-28T08:00:00.000000Z",
        ],
    }


def test_from_done_counts_from_the_completion(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Haircut", "--every", "2w", "--from-done", "--due", "2026-12-01")
    at(todo, 2026, 12, 10, 17)  # done nine days late
    assert "Next 2: Haircut (due 2026-12-24 23:59 CET)" in todo.ok("done", "1")
    assert shown(todo, 2)["every"] == "2w from done"


def test_from_done_done_early_or_twice_on_one_day_goes_on(todo_at: InProcess) -> None:
    """Counted from done, the next would fall on (or before) the due of the
    one completed: it is one step after that due instead, never nothing."""
    todo = todo_at  # 2026-12-01 10:00 CET
    todo.ok("add", "Weekly review", "--every", "week", "--from-done", "--due", "in 7 days")
    assert todo.ok("done", "1") == (
        "Completed 1: Weekly review\nNext 2: Weekly review (due 2026-12-15 23:59 CET)\n"
    )
    todo.ok("add", "Stretch", "--every", "3d", "--from-done", "--due", "2026-12-01")
    assert todo.ok("done", "3") == (
        "Completed 3: Stretch\nNext 4: Stretch (due 2026-12-04 23:59 CET)\n"
    )
    for done, made, day in ((4, 5, "07"), (5, 6, "10")):
        assert todo.ok("done", str(done)) == (
            f"Completed {done}: Stretch\nNext {made}: Stretch (due 2026-12-{day} 23:59 CET)\n"
        )
    # Done late, it counts from the day it is done, as before.
    at(todo, 2026, 12, 20, 9)
    assert todo.ok("done", "6").endswith("Next 7: Stretch (due 2026-12-23 23:59 CET)\n")
    assert [(n, d) for n, d, _ in dues(todo)] == [
        (1, True), (2, False), (3, True), (4, True), (5, True), (6, True), (7, False),
    ]  # fmt: skip


def test_a_series_whose_next_would_fall_past_the_year_9999_ends(todo_at: InProcess) -> None:
    """Python's dates end with 9999: the todo completes with no next one,
    whether the step is counted from the due or from done."""
    todo = todo_at
    todo.ok("add", "Far", "--every", "year", "--due", "9999-06-30")
    todo.ok("add", "Farther", "--every", "999 days", "--from-done", "--due", "9999-06-30")
    # In the year 9999 in UTC, but not here.
    todo.ok("add", "Last hour", "--every", "day", "--due", "9999-12-31T00:30")
    todo.ok("add", "Near", "--every", "year", "--due", "9998-12-31")
    assert todo.ok("done", "1-4") == (
        "Completed 1: Far\nCompleted 2: Farther\nCompleted 3: Last hour\nCompleted 4: Near\n"
        "Next 5: Near (due 9999-12-31 23:59 CET)\n"
    )
    assert todo.ok("done", "5") == "Completed 5: Near\n"
    assert [(n, d) for n, d, _ in dues(todo)] == [(n, True) for n in range(1, 6)]
    assert todo.ok("list") == ""


def test_until_ends_the_series(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Advent", "--every", "day", "--due", "2026-12-01", "--until", "2026-12-02")
    assert shown(todo, 1)["until"] == "2026-12-02T22:59:59.000000Z"
    assert todo.ok("done", "1").endswith("Next 2: Advent (due 2026-12-02 23:59 CET)\n")
    assert todo.ok("done", "2") == "Completed 2: Advent\n"  # the 3rd is past until
    assert [n for n, _, _ in dues(todo)] == [1, 2]


def test_weekdays_and_named_days(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Standup", "--every", "weekday", "--due", "2026-12-04T09:30")  # a Friday
    todo.ok("add", "Gym", "--every", "mon,thu", "--due", "2026-12-07T18:00")
    assert todo.ok("done", "1", "2") == (
        "Completed 1: Standup\nCompleted 2: Gym\n"
        "Next 3: Standup (due 2026-12-07 09:30 CET)\nNext 4: Gym (due 2026-12-10 18:00 CET)\n"
    )


def test_undo_of_done_takes_the_next_one_back(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Water plants", "--every", "week", "--due", "2026-12-01")
    todo.ok("done", "1")
    assert todo.ok("undo") == "Undid done 1: Water plants (open again)\n"
    assert dues(todo) == [(1, False, "2026-12-01T22:59:59.000000Z")]
    # Done again: the next one again, with a new number (numbers are never reused).
    assert todo.ok("done", "1").endswith("Next 3: Water plants (due 2026-12-08 23:59 CET)\n")
    # Undo goes back in order: the next one's own changes first, then the
    # done that made it.
    todo.ok("edit", "3", "--title", "Water all plants")
    todo.ok("done", "3")
    assert todo.ok("undo", "3") == (
        "Undid done 3: Water all plants (open again)\n"
        "Undid edit 3: Water plants (as before)\n"
        "Undid done 1: Water plants (open again)\n"
    )
    assert dues(todo) == [(1, False, "2026-12-01T22:59:59.000000Z")]


def test_rm_goes_on_with_the_series_unless_series(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Water plants", "--every", "week", "--due", "2026-12-01")
    assert todo.ok("rm", "--yes", "1") == (
        "Removed 1: Water plants\nNext 2: Water plants (due 2026-12-08 23:59 CET)\n"
    )
    assert todo.ok("rm", "--yes", "--series", "2") == "Removed 2: Water plants\n"
    assert dues(todo) == []
    # Undo of a plain rm restores the todo and takes back the next one.
    todo.ok("add", "Plants", "--every", "week", "--due", "2026-12-01")
    todo.ok("rm", "--yes", "3")
    assert todo.ok("undo") == "Undid rm 3: Plants (restored)\n"
    assert dues(todo) == [(3, False, "2026-12-01T22:59:59.000000Z")]


def test_rm_on_a_terminal_asks_about_the_series(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Water plants", "--every", "week", "--due", "2026-12-01")
    code, screen = todo.tty("rm", "1", input="y\ny\n")
    assert code == 0
    assert screen == (
        "  1: Water plants\nRemove this todo? [y/N]: It repeats: stop the repeat too? [y/N]: "
        "Removed 1: Water plants\n"
    )
    todo.ok("add", "Stretch", "--every", "day", "--due", "2026-12-01")
    code, screen = todo.tty("rm", "2", input="y\n\n")
    assert screen.endswith("Removed 2: Stretch\nNext 3: Stretch (due 2026-12-02 23:59 CET)\n")


def test_ctrl_d_at_the_repeat_question_removes_nothing(todo_at: InProcess) -> None:
    """End of input is no answer at either question: nothing is removed."""
    todo = todo_at
    todo.ok("add", "Water plants", "--every", "week", "--due", "2026-12-01")
    code, screen = todo.tty("rm", "1", input="y\n")
    assert (code, screen) == (
        1,
        "  1: Water plants\nRemove this todo? [y/N]: It repeats: stop the repeat too? [y/N]: \n"
        "Nothing removed.\n",
    )
    assert dues(todo) == [(1, False, "2026-12-01T22:59:59.000000Z")]


def test_edit_starts_and_stops_a_repeat(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Review")
    todo.ok("edit", "1", "--every", "2 weeks", "--until", "2027-01-31")
    t = shown(todo, 1)
    assert (t["every"], t["due"], t["until"]) == (
        "2w",
        "2026-12-01T22:59:59.000000Z",  # no due date: the end of today
        "2027-01-31T22:59:59.000000Z",
    )
    todo.ok("edit", "1", "--until", "none")
    assert shown(todo, 1)["until"] is None
    todo.ok("edit", "1", "--no-repeat")
    assert shown(todo, 1)["every"] is None
    assert todo.ok("done", "1") == "Completed 1: Review\n"
    # No due date, no next one: --no-due stops a repeat too.
    todo.ok("add", "Plan", "--every", "week")
    todo.ok("edit", "2", "--no-due")
    assert (shown(todo, 2)["every"], shown(todo, 2)["due"]) == (None, None)


def test_until_is_refused_on_a_todo_that_does_not_repeat(todo_at: InProcess) -> None:
    """As add --until without --every is: an until nobody sees would come
    back with a later --every."""
    todo = todo_at
    todo.ok("add", "Once")
    todo.ok("add", "Weekly", "--every", "week", "--due", "2026-12-01")
    refused = {
        ("1", "--until", "2027-01-01"): "--until ends a repeat, and 1 does not repeat: give "
        "--every too (nothing was changed)",
        ("1-2", "--until", "2027-01-01"): "--until ends a repeat, and 1 does not repeat: give "
        "--every too (nothing was changed)",
        ("2", "--until", "2027-01-01", "--no-repeat"): "--until and --no-repeat cannot be combined",
        ("2", "--until", "2027-01-01", "--no-due"): "--until and --no-due cannot be combined",
    }
    for args, message in refused.items():
        result = todo("edit", *args)
        assert (result.returncode, result.stdout, result.stderr) == (
            2,
            "",
            f"todo: error: {message}\n",
        ), args
    assert [(t["number"], t["every"], t["until"]) for t in listed(todo)] == [
        (2, "1w", None),
        (1, None, None),
    ]
    todo.ok("edit", "1", "--every", "week")
    assert shown(todo, 1)["until"] is None
    # Where it repeats (or starts to), it is taken; none clears it anywhere.
    todo.ok("edit", "1-2", "--until", "2027-01-01")
    todo.ok("add", "Other")
    todo.ok("edit", "3", "--every", "day", "--until", "2027-01-01")
    todo.ok("edit", "3", "--no-repeat")
    todo.ok("edit", "3", "--until", "none")
    assert [(t["number"], t["until"]) for t in listed(todo, "--sort", "number")] == [
        (1, "2027-01-01T22:59:59.000000Z"),
        (2, "2027-01-01T22:59:59.000000Z"),
        (3, None),
    ]


def test_waiting_todos_stay_out_of_the_list_until_then(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Now")
    todo.ok("add", "Tax return", "--wait", "2026-12-15")
    assert [t["title"] for t in listed(todo)] == ["Now"]
    assert [t["title"] for t in listed(todo, "--waiting")] == ["Tax return"]
    assert [t["title"] for t in listed(todo, "--all")] == ["Now", "Tax return"]
    assert shown(todo, 2)["wait"] == "2026-12-14T23:00:00.000000Z"  # the start of that day
    assert todo.ok("list") == "1\topen\tNow\n"
    at(todo, 2026, 12, 15, 8)
    assert todo.ok("list") == "1\topen\tNow\n2\topen\tTax return\n"
    assert todo.ok("list", "--waiting") == ""
    todo.ok("edit", "1", "--wait", "tomorrow")
    assert todo.ok("list") == "2\topen\tTax return\n"
    todo.ok("edit", "1", "--wait", "none")
    assert [t["number"] for t in listed(todo)] == [1, 2]


def test_a_series_waits_each_time_until_a_while_before_its_due(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Pay rent", "--every", "month", "--due", "2026-12-28T09:00", "--wait",
            "3 days before")  # fmt: skip
    first = shown(todo, 1)
    assert (first["wait"], first["wait_before"]) == ("2026-12-25T08:00:00.000000Z", "3d")
    assert listed(todo) == []
    todo.ok("done", "1")
    nxt = shown(todo, 2)
    assert (nxt["due"], nxt["wait"], nxt["wait_before"]) == (
        "2027-01-28T08:00:00.000000Z",
        "2027-01-25T08:00:00.000000Z",
        "3d",
    )
    # Moving the due moves the wait with it.
    todo.ok("edit", "2", "--due", "2027-02-01T09:00")
    assert shown(todo, 2)["wait"] == "2027-01-29T08:00:00.000000Z"


def test_show_says_how_it_repeats(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Pay rent", "--every", "month", "--due", "2027-01-31T09:00", "--until",
            "2027-12-31", "--wait", "3 days before")  # fmt: skip
    assert todo.ok("show", "1").splitlines()[-4:] == [
        "repeats      every month (1m)",
        "next due     2027-02-28 09:00 CET",
        "until        2027-12-31 23:59 CET",
        "waits until  2027-01-28 09:00 CET (3d before each due)",
    ]
    todo.ok("add", "Haircut", "--every", "6w", "--from-done", "--due", "2026-12-20")
    assert todo.ok("show", "2").splitlines()[-2:] == [
        "repeats    every 6 weeks, counted from done (6w from done)",
        "next due   6 weeks after it is done",
    ]


def test_show_of_a_wait_before_the_due_of_a_todo_that_does_not_repeat(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "x", "--due", "in 10 days", "--wait", "3 days before")
    assert todo.ok("show", "1").splitlines()[-1] == (
        "waits until  2026-12-08 23:59 CET (3d before due)"
    )


def test_show_of_a_series_whose_next_would_fall_past_the_year_9999(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Far", "--every", "year", "--due", "9999-06-30")
    result = todo("show", "1")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == "next due   none (the repeat ends)"


def test_the_table_marks_repeating_todos(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Water plants", "--every", "week")
    todo.ok("add", "Once")
    code, screen = todo.tty("list", "--sort", "number")
    assert code == 0
    lines = re.sub(r"\x1b\[[0-9;]*m", "", screen).splitlines()
    assert "Water plants ↻" in lines[1]
    assert "↻" not in lines[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "x", "--every", "fortnightly"),
         "cannot read 'fortnightly' as a repeat; try: day, week, month, year, 2w, 3 days, "
         "weekday, mon,thu (add: from done)"),
        (("add", "x", "--from-done"), "--from-done goes with --every, e.g. --every 2w --from-done"),
        (("add", "x", "--until", "fri"), "--until ends a repeat: give --every too"),
        (("add", "x", "--wait", "3 days before"),
         "--wait '3 days before' counts back from the due date: give --due too"),
        (("add", "x", "--wait", "soon before"),
         "cannot read 'soon before' as a time before the due; try: 3 days before, "
         "1 week before, 12 hours before"),
        (("add", "x", "-d", "fri", "--wait", "0 days before"),
         "'0 days before': wait at least 1 hour before the due"),
        (("edit", "1", "--every", "week", "--no-repeat"),
         "--every and --no-repeat cannot be combined"),
        (("edit", "1", "--every", "week", "--no-due"),
         "a repeating todo needs a due date: --every and --no-due clash"),
        (("list", "--waiting", "--done"), "--all, --done and --waiting cannot be combined"),
    ],
)  # fmt: skip
def test_usage_errors(todo_at: InProcess, args: tuple[str, ...], message: str) -> None:
    todo_at.ok("add", "keep")
    result = todo_at(*args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"todo: error: {message}\n")
    assert [t["title"] for t in listed(todo_at, "--all")] == ["keep"]


def test_a_due_onto_another_of_the_series_is_refused(todo_at: InProcess) -> None:
    todo = todo_at
    todo.ok("add", "Sweep", "--every", "week", "--due", "2026-12-01")
    todo.ok("done", "1")
    result = todo("edit", "2", "--due", "2026-12-01")
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "todo: error: another todo of the same repeat is due at that moment; give this one "
        "another date or time (nothing was changed)\n",
    )


def test_two_done_whose_next_ones_fall_on_one_day_make_one(todo_at: InProcess) -> None:
    """Instance 1 (Mon) and its next (moved to Tue) completed together: both
    would be followed by Thursday's; one is made, with its tags once."""
    todo = todo_at
    todo.ok("add", "Gym", "--every", "mon,thu", "--due", "2026-12-07T18:00", "-t", "health")
    todo.ok("done", "1")
    todo.ok("reopen", "1")
    todo.ok("edit", "2", "--due", "2026-12-08T18:00")
    assert todo.ok("done", "1", "2") == (
        "Completed 1: Gym\nCompleted 2: Gym\nNext 3: Gym (due 2026-12-10 18:00 CET)\n"
    )
    assert [(t["number"], t["tags"]) for t in listed(todo, "--all")][-1] == (3, ["health"])


def test_a_timezone_nobody_knows_is_utc(todo_at: InProcess) -> None:
    """The C library reads an unknown TZ as UTC; so does the next due."""
    todo = todo_at
    todo.env["TZ"] = "Foo/Bar"
    todo.ok("add", "Stretch", "--every", "day", "--due", "2026-12-01T07:00")
    assert todo.ok("done", "1").endswith("Next 2: Stretch (due 2026-12-02 07:00 Foo)\n")
    assert shown(todo, 2)["due"] == "2026-12-02T07:00:00.000000Z"


def test_done_again_after_reopen_takes_no_number(todo_at: InProcess) -> None:
    """The next instance is there already: a second done makes none, and
    hands out no number either (the next add gets the next one)."""
    todo = todo_at
    assert todo.ok("add", "Water plants", "--every", "3 days", "--due", "2026-12-01") == "1\n"
    assert todo.ok("done", "1") == (
        "Completed 1: Water plants\nNext 2: Water plants (due 2026-12-04 23:59 CET)\n"
    )
    assert todo.ok("reopen", "1") == "Reopened 1: Water plants\n"
    assert todo.ok("done", "1") == "Completed 1: Water plants\n"
    assert todo.ok("add", "Repot the fern") == "3\n"
    assert todo.ok("list", "--all", "--sort", "number") == (
        "1\tdone\tWater plants\n2\topen\tWater plants\n3\topen\tRepot the fern\n"
    )
