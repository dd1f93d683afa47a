"""Import and export, as the field trial took them: what is not a todo file
is refused in one line, an item repeated in one file comes in once, a
todo.txt title comes back whole, and a trip through Taskwarrior's `task`
duplicates nothing (the real `task`: tests/support/peers.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.inprocess import InProcess
from tests.support.peers import Task


def imported(
    todo: InProcess, path: Path, text: str, *args: str, user: str | None = None
) -> tuple[int, str, str]:
    path.write_text(text, encoding="utf-8")
    result = todo(*(("--user", user) if user else ()), "import", str(path), *args)
    assert "unexpected" not in result.stderr
    return result.returncode, result.stdout, result.stderr


def titles(todo: InProcess, *args: str) -> list[str]:
    return [t["title"] for t in json.loads(todo.ok(*args, "list", "--all", "--json"))]


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("text", "format", "why"),
    [
        ("[" * 100_000 + "]" * 100_000, None, "its JSON is nested too deeply"),
        ("[" * 100_000 + "]" * 100_000, "json", "its JSON is nested too deeply"),
        ('[{"title": "x", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}]", None,
         "its JSON is nested too deeply"),
        ("[1,2]\n", None, "a JSON array of numbers, not of todos"),
        ("[1,2]\n", "json", "a JSON array of numbers, not of todos"),
        ('["a", "b"]\n', None, "a JSON array of strings, not of todos"),
        ("[[1], [2]]\n", None, "a JSON array of arrays, not of todos"),
        ('{"a": [1, 2]}\n', None, "a JSON object that is neither a todo nor a task"),
    ],
)  # fmt: skip
def test_what_is_not_a_todo_file_is_refused(
    todo_db: InProcess, tmp_path: Path, text: str, format: str | None, why: str
) -> None:
    args = ("--format", format) if format else ()
    assert imported(todo_db, tmp_path / "j.json", text, *args) == (
        2, "", f"todo: error: not a todo file: {why}\n",
    )  # fmt: skip
    assert titles(todo_db) == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_todotxt_line_that_only_looks_like_json_is_still_a_todo(
    todo_db: InProcess, tmp_path: Path
) -> None:
    assert imported(todo_db, tmp_path / "t.txt", "[urgent] call mom\n")[0] == 0
    assert titles(todo_db) == ["[urgent] call mom"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("format", ["todotxt", "json", "taskwarrior"])
def test_an_item_repeated_in_one_file_is_imported_once(
    todo_db: InProcess, tmp_path: Path, format: str
) -> None:
    todo_db.ok("add", "Buy milk")
    todo_db.ok("add", "Call mom", "-p", "high")
    once = todo_db.ok("export", "-f", format)
    if format == "todotxt":
        twice = once + once
    else:  # two arrays' items in one array
        items = json.loads(once)
        twice = json.dumps(items + items)
    code, out, err = imported(todo_db, tmp_path / "d.txt", twice, user="other")
    assert code == 0, err
    assert out == f"Imported 2 todos (1-2) from {format}; skipped 2\n"
    assert err == "  skipped the same item as an earlier one: Buy milk\n" \
        "  skipped the same item as an earlier one: Call mom\n"  # fmt: skip
    assert sorted(titles(todo_db, "--user", "other")) == ["Buy milk", "Call mom"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_same_todotxt_line_twice_is_one_todo(todo_db: InProcess, tmp_path: Path) -> None:
    code, out, err = imported(todo_db, tmp_path / "d.txt", "Buy milk\nBuy milk\n")
    assert (code, out, err) == (
        0, "Imported 1 todo (1) from todotxt; skipped 1\n",
        "  skipped the same item as an earlier one: Buy milk\n",
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    "title",
    [
        "Title with due:tomorrow and pri:A id:99 words",
        "Ends in syntax pri:B",
        "due:2026-12-01 t:2026-11-30 rec:+1w rec:1b at the start",
        "Tags in words +work and @home",
        r"Backslashes \pri:A \\+x \id:3 and C:\path \\server",
        "(A) looks like a priority",
    ],
)
def test_a_title_survives_todotxt(todo_db: InProcess, tmp_path: Path, title: str) -> None:
    todo_db.ok("add", title, "-p", "low", "-t", "real")
    todo_db.ok("add", title)
    todo_db.ok("done", "2")
    text = todo_db.ok("export", "-f", "todotxt")
    assert imported(todo_db, tmp_path / "t.txt", text, user="other")[0] == 0
    back = json.loads(todo_db.ok("--user", "other", "list", "--all", "--json"))
    assert [(t["title"], t["priority"], t["tags"], t["due"], t["every"]) for t in back] == [
        (title, "low", ["real"], None, None),
        (title, None, [], None, None),
    ]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_repeating_todo_goes_to_task_once(todo_db: InProcess, tmp_path: Path) -> None:
    task = Task(tmp_path)
    todo_db.ok("add", "Water plants", "--every", "week", "--due", "sat")
    export = tmp_path / "e.json"
    export.write_text(todo_db.ok("export", "--format", "taskwarrior"))
    for _ in range(3):
        task("import", str(export))
        task("list")  # Taskwarrior makes its instances as any command runs
    tasks = json.loads(task("export"))
    assert sorted((t["description"], t["status"]) for t in tasks) == [
        ("Water plants", "pending"), ("Water plants", "recurring"),
    ]  # fmt: skip
    # Back here, the series is the todo it came from.
    back = tmp_path / "back.json"
    back.write_text(task("export"))
    assert imported(todo_db, back, back.read_text())[:2] == (
        0, "Imported 0 todos from taskwarrior; skipped 1\n",
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_task_made_in_taskwarrior_keeps_its_uuid(todo_db: InProcess, tmp_path: Path) -> None:
    task = Task(tmp_path)
    task("add", "Made there", "priority:H")
    task("add", "Also there", "due:2030-12-01")
    made = {t["description"]: t["uuid"] for t in json.loads(task("export"))}
    exported = tmp_path / "t.json"
    exported.write_text(task("export"))
    assert imported(todo_db, exported, exported.read_text())[:2] == (
        0, "Imported 2 todos (1-2) from taskwarrior\n",
    )  # fmt: skip
    again = tmp_path / "again.json"
    again.write_text(todo_db.ok("export", "-f", "taskwarrior"))
    assert {t["description"]: t["uuid"] for t in json.loads(again.read_text())} == made
    task("import", str(again))
    task("import", str(again))
    assert sorted(t["description"] for t in json.loads(task("export"))) == [
        "Also there", "Made there",
    ]  # fmt: skip
    # And a later `task export` is still recognised here.
    exported.write_text(task("export"))
    assert imported(todo_db, exported, exported.read_text())[:2] == (
        0, "Imported 0 todos from taskwarrior; skipped 2\n",
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_note_through_taskwarrior_twice_gains_no_second_date(
    todo_db: InProcess, tmp_path: Path
) -> None:
    """Import gives each annotation its day ("2026-11-21: ..."); the
    export gives that line back as that day's annotation, so the next trip
    changes nothing (the day went in front once more on each trip)."""
    todo = todo_db
    todo.env["TZ"] = "Europe/Berlin"
    moment = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # the 22nd in Berlin
    todo.clock = lambda: moment
    todo.ok("--user", "a", "add", "T", "-n", "line one\nline two")
    notes = []
    for source, target in (("a", "b"), ("b", "c"), ("c", "d")):
        out = tmp_path / f"{source}.json"
        todo.ok("--user", source, "export", "-f", "taskwarrior", "-o", str(out))
        todo.ok("--user", target, "import", str(out))
        notes.append(json.loads(todo.ok("--user", target, "show", "1", "--json"))["note"])
    assert notes == ["2026-11-22: line one\n2026-11-22: line two"] * 3


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_done_line_with_only_its_completion_date_was_made_by_then(
    todo_db: InProcess, tmp_path: Path
) -> None:
    """'x 2026-12-01 title': one date after x is the completion date. The
    todo was made at the import, days after it was completed."""
    todo = todo_db
    todo.env["TZ"] = "UTC"
    imported(todo, tmp_path / "todo.txt", "x 2026-12-01 only completion date\n")
    (item,) = json.loads(todo.ok("list", "--all", "--json"))
    assert (item["created_at"], item["completed_at"]) == (
        "2026-12-01T00:00:00.000000Z",
        "2026-12-01T00:00:00.000000Z",
    )
