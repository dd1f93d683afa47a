"""`todo edit N` and the editors the field trial met: one that removes the
form, writes bytes that are not UTF-8, never fixes its mistake, or is not a
command at all; and a note that holds what looks like the form's syntax."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.cli.test_editor import editor, shown
from tests.support.inprocess import InProcess

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def todo(todo_db: InProcess) -> InProcess:
    todo_db.env["TZ"] = "UTC"
    todo_db.ok("add", "Call the bank")
    return todo_db


def failed(todo: InProcess, *args: str) -> str:
    """The one line of an edit that changed nothing (exit 2)."""
    before = todo.ok("log", "--json")
    result = todo(*args)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "unexpected" not in result.stderr
    assert todo.ok("log", "--json") == before
    return result.stderr


def runs(tmp_path: Path, name: str = "editor.py") -> int:
    return int((tmp_path / f"{name}.runs").read_text())


def test_an_editor_that_removes_the_form(todo: InProcess, tmp_path: Path) -> None:
    todo.env["EDITOR"] = editor(tmp_path, "path.unlink(); raise SystemExit(0)")
    assert failed(todo, "edit", "1") == (
        "todo: error: the form was removed while the editor had it; nothing was changed\n"
    )


def test_an_editor_that_leaves_a_folder_where_the_form_was(todo: InProcess, tmp_path: Path) -> None:
    """A field trial's editor put a folder there: the cleanup's own
    IsADirectoryError hid the form's error as "unexpected", exit 1."""
    todo.env["EDITOR"] = editor(tmp_path, "path.unlink(); path.mkdir(); raise SystemExit(0)")
    assert failed(todo, "edit", "1") == (
        "todo: error: cannot read the form back: Is a directory; nothing was changed\n"
    )


def test_a_form_that_is_not_utf8_comes_back_with_the_error(todo: InProcess, tmp_path: Path) -> None:
    again = tmp_path / "again.txt"
    todo.env["EDITOR"] = editor(
        tmp_path,
        "path.write_bytes(text.replace('Call the bank', 'Call the b\\xe4nk').encode('latin-1'));"
        " raise SystemExit(0)",
        f"open({str(again)!r}, 'w').write(text); "
        "text = text.replace('Call the b\\ufffdnk', 'Call the bank today')",
    )
    assert todo.ok("edit", "1") == "Edited 1: Call the bank today\n"
    assert again.read_text().startswith(
        "# error: line 8: the form is not valid UTF-8 text; nothing was read from it\n"
    )
    assert "title: Call the b\ufffdnk" in again.read_text()


def test_an_editor_writing_random_bytes_gives_up(todo: InProcess, tmp_path: Path) -> None:
    todo.env["EDITOR"] = editor(
        tmp_path,
        *["import os; path.write_bytes(os.urandom(64) + b'\\xff'); raise SystemExit(0)"] * 9,
    )
    assert failed(todo, "edit", "1").endswith(
        "is not valid UTF-8 text; nothing was read from it "
        "(the form came back 3 times with this error; nothing was changed)\n"
    )
    assert runs(tmp_path) == 3


def test_an_editor_that_never_fixes_the_form_gives_up(todo: InProcess, tmp_path: Path) -> None:
    todo.env["EDITOR"] = editor(tmp_path, *["text = 'hello world'"] * 9)
    assert failed(todo, "edit", "1") == (
        "todo: error: line 1: text before the first ## NUMBER header "
        "(the form came back 3 times with this error; nothing was changed)\n"
    )
    assert runs(tmp_path) == 3


def test_an_editor_making_a_new_mistake_each_time_gives_up_too(
    todo: InProcess, tmp_path: Path
) -> None:
    """Each round a different error: still no progress, and it ends."""
    todo.env["EDITOR"] = editor(tmp_path, *[f"text = '## 1\\ncolour{n}: red'" for n in range(30)])
    assert failed(todo, "edit", "1") == (
        "todo: error: line 2: 'colour9: red' is not a field (title, priority, due, tags, wait, "
        "every, until) (the form came back 10 times without being fixed; nothing was changed)\n"
    )
    assert runs(tmp_path) == 10


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("   ", "nothing to change: give --title, --priority, --due/--no-due, --tag, --note, "
               "--every/--no-repeat, --until or --wait (or set EDITOR to edit a form)"),
        ('"x', "EDITOR '\"x' is not a command line (No closing quotation); set VISUAL or EDITOR"),
    ],
)  # fmt: skip
def test_an_editor_setting_that_is_not_a_command(
    todo: InProcess, command: str, message: str
) -> None:
    todo.env["EDITOR"] = command
    assert failed(todo, "edit", "1") == f"todo: error: {message}\n"


def test_closing_the_form_unchanged_is_exit_2(todo: InProcess, tmp_path: Path) -> None:
    todo.env["EDITOR"] = editor(tmp_path)
    assert failed(todo, "edit", "1") == (
        "todo: error: the form was closed unchanged; nothing was changed\n"
    )
    code, screen = todo.tty("edit", "1", env={"EDITOR": editor(tmp_path, name="tty.py")})
    assert (code, screen) == (
        2,
        "todo: error: the form was closed unchanged; nothing was changed\n",
    )


def test_a_note_may_hold_any_text(todo: InProcess, tmp_path: Path) -> None:
    note = "## Sub\nsome text\n---\n# not a comment\n## 1\n\\## 1\ntitle: not a field"
    todo.ok("edit", "1", "--note", note)
    seen = tmp_path / "seen.txt"
    todo.env["EDITOR"] = editor(
        tmp_path,
        f"open({str(seen)!r}, 'w').write(text); "
        "text = text.replace('title: Call the bank', 'title: Call the bank now')",
    )
    assert todo.ok("edit", "1") == "Edited 1: Call the bank now\n"
    assert shown(todo, "1")["note"] == note
    # Only a line that would read as a todo's header is escaped in the form.
    assert seen.read_text().endswith(
        "---\n## Sub\nsome text\n---\n# not a comment\n\\## 1\n\\\\## 1\ntitle: not a field\n"
    )
    # A note line changed in the form is the note's.
    todo.env["EDITOR"] = editor(
        tmp_path, "text = text.replace('## Sub', '## Sub, edited')", name="again.py"
    )
    assert todo.ok("edit", "1") == "Edited 1: Call the bank now\n"
    assert json.loads(todo.ok("show", "1", "--json"))["note"] == note.replace(
        "## Sub", "## Sub, edited"
    )


def test_an_editor_command_is_still_run_with_the_form(todo: InProcess) -> None:
    todo.env["EDITOR"] = f"{sys.executable} -c 'raise SystemExit(0)'"
    assert failed(todo, "edit", "1").endswith(
        "the form was closed unchanged; nothing was changed\n"
    )
