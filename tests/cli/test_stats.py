"""todo stats: the numbers, worked out from the todos and the journal, on
every backend, with the clock moved day by day."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.inprocess import InProcess


def at(todo: InProcess, day: int, hour: int = 9) -> None:
    moment = datetime(2026, 11, day, hour, tzinfo=UTC)
    todo.clock = lambda: moment


def numbers(todo: InProcess) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(todo.ok("stats", "--json"))
    return result


def test_stats_from_the_todos_and_the_journal(todo_db: InProcess) -> None:
    todo = todo_db
    todo.env["TZ"] = "UTC"
    at(todo, 2)  # a Monday
    todo.ok("add", "Old one", "-p", "low")
    todo.ok("add", "Paint the fence", "-p", "high", "-d", "2026-11-20")
    at(todo, 10)
    todo.ok("add", "-", input="a\nb\nc\n")  # 3, 4, 5
    todo.ok("done", "3", "4")
    at(todo, 18)
    todo.ok("done", "5")
    todo.ok("rm", "--yes", "1")
    todo.ok("add", "Later")
    todo.ok("reopen", "4")
    todo.ok("done", "2")
    todo.ok("undo")  # the done of 2
    at(todo, 30)
    data = numbers(todo)
    assert data["open"] == {
        "total": 3,
        "by_priority": {"high": 1, "medium": 0, "low": 0, "none": 2},
        "overdue": 1,
    }
    assert [o["number"] for o in data["oldest_open"]] == [2, 4, 6]
    assert data["completed_per_week"][-4:] == [
        {"week_start": "2026-11-09", "done": 1},  # 3 (4 was reopened since)
        {"week_start": "2026-11-16", "done": 1},  # 5
        {"week_start": "2026-11-23", "done": 0},
        {"week_start": "2026-11-30", "done": 0},
    ]
    per_day = {d["date"]: d["open"] for d in data["open_per_day"]}
    assert len(per_day) == 30
    assert (per_day["2026-11-01"], per_day["2026-11-02"], per_day["2026-11-10"]) == (0, 2, 3)
    # The 18th: 5 done, 1 removed, Later added, 4 reopened, 2 done and undone.
    assert (per_day["2026-11-18"], per_day["2026-11-30"]) == (3, 3)
    assert per_day["2026-11-17"] == 3


def test_stats_on_a_terminal(todo_db: InProcess) -> None:
    todo = todo_db
    todo.env["TZ"] = "UTC"
    at(todo, 23)
    todo.ok("add", "Call the bank")
    todo.ok("add", "Pay rent", "-p", "high", "-d", "2026-11-24")
    todo.ok("done", "1")
    at(todo, 30)
    code, screen = todo.tty("stats")
    assert code == 0
    lines = screen.splitlines()
    assert lines[0] == "Completed per week"
    assert lines[11:13] == ["  2026-11-23  ██████████████████████████████ 1", "  2026-11-30"]
    assert lines[14] == "Open: 1 (high 1, medium 0, low 0, none 0); overdue 1"
    assert lines[16:18] == ["Oldest open", "  2  2026-11-23  Pay rent"]
    assert lines[19] == "Open todos, last 30 days: 0 -> 1 (min 0, max 1)"


def test_a_todo_imported_done_never_counted_as_open(todo_db: InProcess, tmp_path: Path) -> None:
    """An import journals the todos it made; those made done never were
    open, so the open count of the days before stays what it was (it went
    below zero when every imported todo counted as open)."""
    todo = todo_db
    todo.env["TZ"] = "UTC"
    at(todo, 20)
    todo.ok("add", "Already here")
    at(todo, 25)
    source = tmp_path / "todo.txt"
    source.write_text("x 2026-11-24 2026-11-20 Paid the rent\nCall the bank\n", encoding="utf-8")
    todo.ok("import", str(source))
    at(todo, 30)
    per_day = {d["date"]: d["open"] for d in numbers(todo)["open_per_day"]}
    assert (per_day["2026-11-19"], per_day["2026-11-20"], per_day["2026-11-24"]) == (0, 1, 1)
    assert (per_day["2026-11-25"], per_day["2026-11-30"]) == (2, 2)
