"""todo's real main() in-process, on every backend: output, exit codes, isolation."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.inprocess import InProcess
from todo_cli.commands.args import parse_numbers
from todo_cli.errors import InvalidInputError

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_add_list_done_rm_round_trip(todo_db: InProcess) -> None:
    assert todo_db.ok("add", "Call", "the", "bank") == "1\n"
    assert todo_db.ok("add", "Pay rent") == "2\n"
    assert todo_db.ok("list") == "1\topen\tCall the bank\n2\topen\tPay rent\n"
    assert todo_db.ok("done", "1") == "Completed 1: Call the bank\n"
    assert todo_db.ok("list") == "2\topen\tPay rent\n"
    assert todo_db.ok("list", "--done") == "1\tdone\tCall the bank\n"
    assert todo_db.ok("list", "--all") == "1\tdone\tCall the bank\n2\topen\tPay rent\n"
    assert todo_db.ok("done", "1") == "Already done 1: Call the bank\n"
    assert todo_db.ok("rm", "--yes", "2") == "Removed 2: Pay rent\n"
    assert todo_db.ok("add", "Next") == "3\n"  # numbers are never reused


def test_json_shape_is_the_documented_contract(todo_db: InProcess) -> None:
    added = json.loads(todo_db.ok("add", "--json", "Write report"))
    assert list(added) == [
        "number", "title", "done", "priority", "due", "tags", "note",
        "created_at", "updated_at", "completed_at", "every", "until", "wait", "wait_before",
        "owner",
    ]  # fmt: skip
    assert added["owner"] == "tester"  # whose it is: mine
    assert (added["priority"], added["due"], added["tags"], added["note"]) == (None, None, [], None)
    assert [added[k] for k in ("every", "until", "wait", "wait_before")] == [None] * 4
    assert added["number"] == 1
    assert added["title"] == "Write report"
    assert added["done"] is False
    assert ISO_Z.match(added["created_at"])
    assert added["updated_at"] == added["created_at"]
    assert added["completed_at"] is None
    (completed,) = json.loads(todo_db.ok("done", "1", "--json"))
    assert completed["done"] is True
    assert ISO_Z.match(completed["completed_at"])
    assert completed["created_at"] == added["created_at"]
    assert json.loads(todo_db.ok("list", "--json")) == []
    assert json.loads(todo_db.ok("list", "--all", "--json")) == [completed]
    (removed,) = json.loads(todo_db.ok("rm", "1", "--yes", "--json"))
    assert removed == completed


def test_two_users_are_isolated_across_processes(todo_db: InProcess) -> None:
    todo_db.ok("--user", "alice", "add", "alice one")
    todo_db.ok("--user", "alice", "add", "alice two")
    assert todo_db.ok("--user", "bob", "add", "bob one") == "1\n"
    assert todo_db.ok("--user", "bob", "list", "--all") == "1\topen\tbob one\n"
    for args in (["done", "2"], ["rm", "2", "--yes"]):
        result = todo_db("--user", "bob", *args)
        assert (result.returncode, result.stdout) == (1, "")
        assert (
            result.stderr
            == "todo: error: no todo numbered 2; nothing was changed (see: todo list --all)\n"
        )
    todo_db.ok("--user", "bob", "done", "1")
    assert (
        todo_db.ok("--user", "alice", "list", "--all") == "1\topen\talice one\n2\topen\talice two\n"
    )
    assert todo_db.ok("list", "--all", env={"TODO_USER": "carol"}) == ""


def test_multi_item_done_and_rm_are_all_or_nothing(todo_db: InProcess) -> None:
    for title in ("a", "b", "c"):
        todo_db.ok("add", title)
    result = todo_db("done", "1", "5", "2", "6")
    assert result.returncode == 1
    assert (
        result.stderr
        == "todo: error: no todos numbered 5, 6; nothing was changed (see: todo list --all)\n"
    )
    result = todo_db("rm", "--yes", "1-4")
    assert result.returncode == 1
    assert "numbered 4;" in result.stderr
    assert todo_db.ok("list") == "1\topen\ta\n2\topen\tb\n3\topen\tc\n"
    assert todo_db.ok("done", "1-2,3") == "Completed 1: a\nCompleted 2: b\nCompleted 3: c\n"


def test_rm_without_a_terminal_needs_yes(todo_db: InProcess) -> None:
    todo_db.ok("add", "keep me")
    result = todo_db("rm", "1")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "todo: error: refusing to remove without confirmation (no terminal); pass --yes\n"
    )
    assert todo_db.ok("list") == "1\topen\tkeep me\n"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_rm_asks_on_a_terminal(todo_db: InProcess) -> None:
    todo_db.ok("add", "first")
    todo_db.ok("add", "second")
    code, output = todo_db.tty("rm", "1", input="n\n")
    assert code == 1
    assert "1: first" in output
    assert "Remove this todo? [y/N]" in output
    assert "Nothing removed." in output
    code, output = todo_db.tty("rm", "1", "2", input="y\n")
    assert code == 0
    assert "Remove these 2 todos?" in output
    assert "Removed 2: second" in output
    assert todo_db.ok("list", "--all") == ""


@pytest.mark.parametrize("backend", ["sqlite"])
def test_terminal_output_is_a_table_and_add_is_chatty(todo_db: InProcess) -> None:
    code, output = todo_db.tty("add", "Call the bank", env={"NO_COLOR": "1"})
    assert (code, output) == (0, "Added 1: Call the bank\n")
    code, output = todo_db.tty("list", env={"NO_COLOR": "1"})
    assert code == 0
    assert "\x1b[" not in output
    header, row = output.splitlines()
    assert header.split() == ["#", "Title", "Created"]
    assert row.split()[:4] == ["1", "Call", "the", "bank"]
    code, output = todo_db.tty("list", "--done")
    assert (code, output) == (0, "No done todos.\n")


BAD_NUMBERS = [
    "0",
    "-1",
    "1.5",
    "abc",
    "99999999999999999999",
    "",
    "3-1",
    "1-",
    "\u0661",
    "1-99999",
]


@pytest.mark.parametrize("arg", BAD_NUMBERS)
def test_bad_numbers_are_rejected_before_any_database_work(arg: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_numbers([arg])


def test_number_lists_and_ranges() -> None:
    assert parse_numbers(["3"]) == [3]
    assert parse_numbers(["3", "4"]) == [3, 4]
    assert parse_numbers(["1-3,7", "9"]) == [1, 2, 3, 7, 9]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_bad_numbers_are_usage_errors(todo_db: InProcess) -> None:
    todo_db.ok("add", "x")
    for args in (["done", "--", "-1"], ["done", "1.5"], ["rm", "--yes", "abc"], ["done", ""]):
        result = todo_db(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("todo: error: ")
        assert result.stderr.count("\n") == 1
    assert todo_db("done", "0").stderr == (
        "todo: error: '0' is not a todo number: use positive whole numbers like 3, 3 4 or 1-3,7\n"
    )
    assert todo_db.ok("list") == "1\topen\tx\n"


def test_title_limits_on_the_command_line(todo_db: InProcess) -> None:
    result = todo_db("add", "x" * 501)
    assert result.returncode == 2
    assert result.stderr == (
        "todo: error: the title is 501 characters; the limit is 500. Shorten it (nothing was saved)\n"
    )
    result = todo_db("add", "  ")
    assert result.returncode == 2
    assert "the title is empty" in result.stderr
    assert todo_db.ok("add", "--", "-5 degrees") == "1\n"
    assert todo_db.ok("list") == "1\topen\t-5 degrees\n"
    assert todo_db.ok("list", "--all") == "1\topen\t-5 degrees\n"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_usage_errors_are_one_line_exit_2(todo_db: InProcess) -> None:
    cases = {
        ("add",): "todo: error: Missing argument 'TITLE...'. (see: todo add --help)\n",
        (
            "list",
            "--all",
            "--done",
        ): "todo: error: --all, --done and --waiting cannot be combined\n",
        ("list", "--bogus"): "todo: error: No such option: --bogus (see: todo list --help)\n",
        ("frobnicate",): "todo: error: No such command 'frobnicate'. (see: todo --help)\n",
        ("list", "--user", "bob"): (
            "todo: error: No such option: --user "
            "(global options go before the command: todo --user bob list)\n"
        ),
    }
    for args, stderr in cases.items():
        result = todo_db(*args)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", stderr), args


@pytest.mark.parametrize("backend", ["sqlite"])
def test_help_and_version(todo_db: InProcess) -> None:
    bare = todo_db("")
    assert bare.returncode == 2  # an empty-string command is not a command
    help_text = todo_db.ok()
    assert help_text.startswith("Usage: todo [OPTIONS] COMMAND [ARGS]...")
    assert "todo add Call the bank" in help_text
    assert "todo whoami --check" in help_text
    assert "Use -- before a title" in todo_db.ok("add", "--help")


def test_unreachable_database_is_exit_4(todo: InProcess) -> None:
    url = "postgresql://alice:SECRETPW@127.0.0.1:9/nowhere?sslmode=disable"
    todo.env["TODO_RETRY_BUDGET"] = "0.5"
    todo.env["TODO_ONLINE"] = "1"  # offline mode would queue the add (tests/cli/test_offline.py)
    result = todo("add", "x", env={"DATABASE_URL": url})
    assert (result.returncode, result.stdout) == (4, "")
    assert result.stderr.startswith("todo: error: cannot reach postgresql 127.0.0.1:9/nowhere")
    assert result.stderr.count("\n") == 1
    assert "SECRETPW" not in result.stderr
    result = todo("--debug", "whoami", "--check", env={"DATABASE_URL": url})
    assert result.returncode == 4
    assert "SECRETPW" not in result.stdout + result.stderr


def test_add_from_stdin(todo_db: InProcess) -> None:
    todo_db.ok("add", "existing")
    assert todo_db.ok("add", "-", input="Call the bank\n\n  Pay rent  \r\nWater plants") == (
        "2\n3\n4\n"
    )
    result = todo_db("add", "-", input="ok\n" + "x" * 501 + "\n")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "todo: error: stdin line 2: the title is 501 characters; the limit is 500. "
        "Shorten it (nothing was saved)\n"
    )
    result = todo_db("add", "-", input="\n \n")
    assert result.returncode == 2
    assert "no titles on stdin" in result.stderr
    # A byte-order mark (Windows' Notepad) is not part of the first title.
    listed = json.loads(todo_db.ok("add", "-", "--json", input="\ufefffive\nsix\n"))
    assert [(t["number"], t["title"]) for t in listed] == [(5, "five"), (6, "six")]
    assert todo_db.ok("list", "--limit", "0").splitlines()[1:4] == [
        "2\topen\tCall the bank",
        "3\topen\tPay rent",
        "4\topen\tWater plants",
    ]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_list_is_bounded_to_a_screenful_but_json_is_complete(todo_db: InProcess) -> None:
    todo_db.ok("add", "-", input="".join(f"t{i}\n" for i in range(1, 13)))
    screen = {"LINES": "10"}  # 7 todos fit beside the header and footer
    result = todo_db("list", env=screen)
    assert result.returncode == 0
    assert result.stdout == "".join(f"{i}\topen\tt{i}\n" for i in range(1, 8))
    assert result.stderr == "… and 5 more (todo list --limit 0 shows all; --json too)\n"
    assert todo_db.ok("list", "--limit", "0", env=screen).count("\n") == 12
    assert todo_db.ok("list", "--limit", "2", env=screen) == "1\topen\tt1\n2\topen\tt2\n"
    assert len(json.loads(todo_db.ok("list", "--json", env=screen))) == 12
    assert len(json.loads(todo_db.ok("list", "--json", "--limit", "3"))) == 3
    code, output = todo_db.tty("list", env={**screen, "NO_COLOR": "1"})
    assert code == 0
    assert output.endswith("… and 5 more (todo list --limit 0 shows all; --json too)\n")
    # Counted as far as over 1,000 more: the page stays a bounded read.
    todo_db.ok("add", "-", input="".join(f"u{i}\n" for i in range(1, 996)))
    assert todo_db("list", env=screen).stderr == (
        "… and 1000 more (todo list --limit 0 shows all; --json too)\n"
    )
    todo_db.ok("add", "more")
    assert todo_db("list", env=screen).stderr == (
        "… and over 1,000 more (todo list --limit 0 shows all; --json too)\n"
    )
