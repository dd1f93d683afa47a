"""`todo edit N` with no options: the form in $EDITOR (here a script that
rewrites it as a person would), on every backend."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.inprocess import InProcess
from tests.support.processes import TODO_BIN


@pytest.fixture
def todo(todo_db: InProcess) -> InProcess:
    todo_db.env["TZ"] = "UTC"
    todo_db.clock = lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)
    todo_db.ok("add", "Call the bank", "-t", "money")
    todo_db.ok("add", "Pay rent", "-p", "high", "-d", "2026-12-03", "-t", "home", "-n", "by card")
    return todo_db


def editor(tmp_path: Path, *edits: str, name: str = "editor.py") -> str:
    """An EDITOR that applies edits[i] on its i-th run: Python statements on
    `text`, the form (a run past the last leaves it as it is)."""
    script = tmp_path / name
    runs = tmp_path / f"{name}.runs"
    script.write_text(
        "import sys, pathlib\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        "n = int(runs.read_text()) if runs.exists() else 0\n"
        "runs.write_text(str(n + 1))\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text()\n"
        f"edits = {list(edits)!r}\n"
        "if n < len(edits):\n"
        "    exec(edits[n])\n"
        "path.write_text(text)\n"
    )
    return f"{sys.executable} {script}"


def shown(todo: InProcess, ref: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(todo.ok("show", ref, "--json"))
    return result


def test_the_form_shows_the_todo_and_saves_what_changed(todo: InProcess, tmp_path: Path) -> None:
    seen = tmp_path / "seen.txt"
    todo.env["EDITOR"] = editor(
        tmp_path,
        f"open({str(seen)!r}, 'w').write(text); "
        "text = text.replace('title: Pay rent', 'title: Pay the rent')"
        ".replace('priority: high', 'priority: low').replace('tags: home', 'tags: home money')"
        ".replace('by card', 'by transfer')",
    )
    assert todo.ok("edit", "2") == "Edited 2: Pay the rent\n"
    assert seen.read_text().split("## 2\n", 1)[1] == (
        "title: Pay rent\npriority: high\ndue: 2026-12-03\ntags: home\nwait:\nevery:\nuntil:\n"
        "---\nby card\n"
    )
    t = shown(todo, "2")
    assert (t["title"], t["priority"], t["tags"], t["note"], t["due"]) == (
        "Pay the rent", "low", ["home", "money"], "by transfer", "2026-12-03T23:59:59.000000Z",
    )  # fmt: skip
    assert todo.ok("undo") == "Undid edit 2: Pay rent (as before)\n"
    assert shown(todo, "2")["note"] == "by card"


def test_several_todos_in_one_form_are_one_change(todo: InProcess, tmp_path: Path) -> None:
    todo.env["EDITOR"] = editor(
        tmp_path,
        "text = text.replace('title: Call the bank', 'title: Call the bank today')"
        ".replace('due: 2026-12-03', 'due: 2026-12-04 17:00').replace('every:', 'every: month', 1)",
    )
    assert todo.ok("edit", "1", "2") == "Edited 1: Call the bank today\nEdited 2: Pay rent\n"
    assert shown(todo, "1")["every"] == "1m"
    assert shown(todo, "2")["due"] == "2026-12-04T17:00:00.000000Z"
    assert todo.ok("undo") == "Undid edit 1, 2: 2 todos (as before)\n"
    assert (shown(todo, "1")["title"], shown(todo, "1")["every"]) == ("Call the bank", None)


def test_a_form_that_does_not_read_comes_back_with_the_error_on_top(
    todo: InProcess, tmp_path: Path
) -> None:
    again = tmp_path / "again.txt"
    todo.env["EDITOR"] = editor(
        tmp_path,
        "text = text.replace('priority: high', 'priority: urgent')",
        f"open({str(again)!r}, 'w').write(text); "
        "text = text.replace('priority: urgent', 'priority: medium')",
    )
    assert todo.ok("edit", "2") == "Edited 2: Pay rent\n"
    assert again.read_text().startswith(
        "# error: ## 2: unknown priority 'urgent': use high, medium or low (h, m, l)\n# todo edit:"
    )
    assert "priority: urgent" in again.read_text()  # the user's text, not the original
    assert shown(todo, "2")["priority"] == "medium"


def test_closing_the_form_unchanged(todo: InProcess, tmp_path: Path) -> None:
    todo.env["EDITOR"] = editor(tmp_path)
    result = todo("edit", "1")
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "todo: error: the form was closed unchanged; nothing was changed\n",
    )  # fmt: skip
    assert "edit" not in todo.ok("log")
    # After an error, closing it unchanged gives up with the error.
    todo.env["EDITOR"] = editor(
        tmp_path, "text = text.replace('wait:', 'colour: red\\nwait:', 1)", name="bad.py"
    )
    result = todo("edit", "1")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "todo: error: line 12: 'colour: red' is not a field (title, priority, due, tags, wait, "
        "every, until) (the form was closed unchanged; nothing was changed)\n"
    )


def test_a_change_made_meanwhile_is_kept_safe(todo: InProcess, tmp_path: Path) -> None:
    """Another command changes the todo while the form is open: nothing is
    saved, and the text waits in a file the message names."""
    todo.env["EDITOR"] = editor(
        tmp_path,
        "import subprocess, os; "
        f"subprocess.run([{TODO_BIN!r}, 'edit', '2', '-p', 'low'], check=True, env=os.environ); "
        "text = text.replace('title: Pay rent', 'title: Pay the rent')",
    )
    result = todo("edit", "2")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "todo: error: a todo changed while you were editing it, here or on another machine: "
        "nothing was saved; your text is in "
    )
    kept = Path(result.stderr.split("your text is in ", 1)[1].split(" (see", 1)[0])
    assert "title: Pay the rent" in kept.read_text()
    assert (shown(todo, "2")["title"], shown(todo, "2")["priority"]) == ("Pay rent", "low")


def test_an_editor_that_fails(todo: InProcess) -> None:
    todo.env["EDITOR"] = f"{sys.executable} -c 'raise SystemExit(3)'"
    result = todo("edit", "1")
    assert (result.returncode, result.stderr) == (
        2, f"todo: error: the editor {sys.executable!r} exited with 3; nothing was changed\n",
    )  # fmt: skip
    todo.env["EDITOR"] = "/no/such/editor"
    result = todo("edit", "1")
    assert (result.returncode, result.stderr) == (
        2, "todo: error: cannot run the editor '/no/such/editor': No such file or directory; "
        "set VISUAL or EDITOR\n",
    )  # fmt: skip
