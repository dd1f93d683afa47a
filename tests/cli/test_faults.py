"""The field trial's faults that the real main() shows in-process, on every
backend where the database is involved: each ends in one clear line and a
documented exit code, with nothing lost. (tests/system/test_faults.py has
the ones only a process shows: closed streams, full disks, permissions.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.inprocess import InProcess

REPORT = "please report it"


@pytest.fixture
def cli(todo_db: InProcess) -> Iterator[InProcess]:
    """todo on the backend; after the test, no line it printed asked for a
    bug report."""
    seen: list[str] = []
    run = todo_db._run

    def recording(*args: Any, **kw: Any) -> tuple[int, str, str]:
        code, out, err = run(*args, **kw)
        seen.append(out + err)
        return code, out, err

    todo_db._run = recording  # type: ignore[method-assign]
    yield todo_db
    assert not [text for text in seen if REPORT in text]


def test_undo_n_is_all_or_nothing(cli: InProcess) -> None:
    for title in ("a", "b", "c"):
        cli.ok("add", title)
    cli.ok("done", "1")
    before = cli.ok("list", "--all", "--json"), cli.ok("log", "--json")
    result = cli("undo", "100")
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "todo: error: only 4 changes are left to undo, not 100; nothing was undone "
        "(see: todo log)\n",
    )
    assert (cli.ok("list", "--all", "--json"), cli.ok("log", "--json")) == before


def test_a_todotxt_export_imported_back_adds_nothing(cli: InProcess) -> None:
    cli.ok("add", "Call the bank", "-p", "h", "-t", "home")
    cli.ok("add", "Email bob about +project and due:tomorrow")
    cli.ok("add", "Pay rent", "-d", "2030-12-01")
    cli.ok("done", "3")
    cli.ok("export", "--format", "todotxt", "-o", "t.txt")
    assert cli.ok("import", "t.txt") == "Imported 0 todos from todotxt; skipped 3\n"
    # Into another account it adds them all, the titles whole.
    assert cli.ok("--user", "other", "import", "t.txt") == ("Imported 3 todos (1-3) from todotxt\n")
    titles = [t["title"] for t in json.loads(cli.ok("--user", "other", "list", "--all", "--json"))]
    assert sorted(titles) == [
        "Call the bank", "Email bob about +project and due:tomorrow", "Pay rent",
    ]  # fmt: skip


def test_a_file_that_is_not_a_todo_file_is_refused(cli: InProcess, tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text(
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    )
    result = cli("import", str(passwd))
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "todo: error: the input looks like a table of fields separated by ':', not todo.txt "
        "lines; pass --format todotxt to import its lines as todos anyway\n",
    )
    assert cli.ok("import", "--format", "todotxt", str(passwd)) == (
        "Imported 2 todos (1-2) from todotxt\n"
    )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_ranges_say_their_cap(cli: InProcess) -> None:
    result = cli("done", "1-100000")
    assert (result.returncode, result.stderr) == (
        2,
        "todo: error: the range '1-100000' spans 100,000 numbers; one range spans at most "
        "10,000 (split it, e.g. 1-10000 10001-20000)\n",
    )


def test_many_missing_numbers_are_named_then_counted(cli: InProcess) -> None:
    cli.ok("add", "-", input="".join(f"t{i}\n" for i in range(30)))
    result = cli("done", *[str(n) for n in range(1, 5001)])
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "todo: error: no todos numbered 31, 32, 33, 34, 35, 36, 37, 38, 39, 40 and 4,960 more; "
        "nothing was changed (see: todo list --all)\n",
    )
    assert cli.ok("list").count("\topen\t") == 30


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("alias", "command", "out"),
    [
        ("remove", "rm", "Removed 1: x\n"),
        ("delete", "rm", "Removed 1: x\n"),
        ("complete", "done", "Completed 1: x\n"),
        ("finish", "done", "Completed 1: x\n"),
    ],
)
def test_the_words_people_reach_for_work(
    cli: InProcess, alias: str, command: str, out: str
) -> None:
    cli.ok("add", "x")
    extra = ["--yes"] if command == "rm" else []
    assert cli.ok(alias, "1", *extra) == out
    assert alias in cli.ok(command, "--help").split("\n\n")[1]  # named in its help


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_rm_prompt(cli: InProcess) -> None:
    cli.ok("add", "keep me")
    code, output = cli.tty("rm", "1", input="n\n")
    assert (code, output) == (1, "  1: keep me\nRemove this todo? [y/N]: Nothing removed.\n")
    code, output = cli.tty("rm", "1", input="maybe\n\n")
    assert (code, output) == (
        1,
        "  1: keep me\nRemove this todo? [y/N]: todo: please answer y or n (not 'maybe')\n"
        "Remove this todo? [y/N]: Nothing removed.\n",
    )
    code, output = cli.tty("rm", "1", input="")  # end of input: no
    assert code == 1
    assert cli.ok("list") == "1\topen\tkeep me\n"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_reads_do_not_say_nothing_was_changed(cli: InProcess) -> None:
    result = cli("show", "99")
    assert (result.returncode, result.stderr) == (
        1,
        "todo: error: no todo numbered 99 (see: todo list --all)\n",
    )


def test_log_shows_what_a_todo_is_called_now(cli: InProcess) -> None:
    cli.ok("add", "Dentist")
    cli.ok("edit", "1", "--title", "Dentist appointment")
    log = cli.ok("log")
    assert log.splitlines()[0].endswith("\tedit\t1: Dentist appointment (was: Dentist)")
    (edit, add) = json.loads(cli.ok("log", "--json"))
    assert (edit["summary"], add["summary"]) == (
        "1: Dentist appointment (was: Dentist)",
        "1: Dentist appointment (was: Dentist)",
    )


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("columns", ["50", "40", "24"])
def test_a_narrow_terminal_keeps_the_number_and_the_title(cli: InProcess, columns: str) -> None:
    cli.ok("add", "Write the quarterly report", "-p", "high", "-d", "2030-12-01", "-t", "work")
    cli.ok("add", "Call the bank")
    code, output = cli.tty("list", env={"COLUMNS": columns, "NO_COLOR": "1"})
    assert code == 0
    lines = output.splitlines()
    assert lines[0].startswith("#  ")
    assert "Title" in lines[0]
    assert all(len(line) <= int(columns) for line in lines), output
    words = " ".join(line[3:] for line in lines[1:]).split()
    assert [
        w for w in words if w in ["Write", "the", "quarterly", "report", "Call", "the", "bank"]
    ] == ["Write", "the", "quarterly", "report", "Call", "the", "bank"], output


@pytest.mark.parametrize("backend", ["sqlite"])
def test_add_dash_on_a_terminal_says_what_it_waits_for(cli: InProcess) -> None:
    code, output = cli.tty("add", "-", input="one\ntwo\n")
    assert (code, output) == (
        0,
        "Reading titles from stdin, one per line; end with Ctrl-D.\nAdded 2 todos: 1-2\n",
    )


def test_an_emptied_database_file_is_said_to_be_empty(todo: InProcess) -> None:
    """A file cut to nothing is not a new database: todo says so, and
    starts nothing over it (numbering would restart at 1)."""
    todo.ok("add", "keep me")
    db = todo.home / ".local" / "share" / "todo" / "todo.db"
    db.write_bytes(b"")
    for args in (("list",), ("add", "new")):
        result = todo(*args)
        assert (result.returncode, result.stdout, result.stderr) == (
            6,
            "",
            f"todo: error: {db} is empty (0 bytes): the todos it held are gone; restore it "
            "from a backup or a todo export, or remove it to start afresh\n",
        ), args
    assert db.stat().st_size == 0


@pytest.mark.parametrize("through", ["postgresql", "pgbouncer"])
def test_an_unknown_database_is_exit_3_both_ways(
    todo: InProcess, request: pytest.FixtureRequest, through: str
) -> None:
    """PostgreSQL says the database "does not exist"; PgBouncer, "no such
    database": both are the URL's fault (exit 3), not the network's."""
    from tests.support.databases import admin_url, with_database

    url = with_database(admin_url(), "todo_no_such_database")
    if through == "pgbouncer":
        url = request.getfixturevalue("pgbouncer").url("todo_no_such_database")
    result = todo("list", env={"DATABASE_URL": url})
    assert (result.returncode, result.stdout) == (3, ""), result.stderr
    assert result.stderr.startswith("todo: error: cannot connect to postgresql 127.0.0.1:")
    assert result.stderr.endswith("; check the database URL\n")


def test_undo_json_says_what_it_undid(todo_db: InProcess) -> None:
    """Field trial row 6: undo --json said "undone": false, "undone_at": null
    for the change it had just undone."""
    todo_db.ok("add", "K")
    (undone,) = json.loads(todo_db.ok("undo", "--json"))
    (logged,) = json.loads(todo_db.ok("log", "--json"))
    assert (undone["undone"], undone["undone_at"]) == (True, logged["undone_at"])
    assert logged["undone"] is True
