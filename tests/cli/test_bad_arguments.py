"""Arguments the field trial found that reached the database or an encoder
unchecked: each is refused in one line with exit 2 before any SQL, and a
help that cannot be written is exit 7, like any other output."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import pytest

from tests.support.inprocess import InProcess
from todo_cli.cli import main
from todo_cli.environment import Environment

HUGE = "99999999999999999999"


def refused(todo: InProcess, *args: str) -> str:
    result = todo(*args)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "unexpected" not in result.stderr
    assert result.stderr.startswith("todo: error: ")
    return result.stderr


def test_numbers_too_large_for_the_database(todo_db: InProcess) -> None:
    todo_db.ok("add", "x")
    for args in (("undo", HUGE), ("list", "--limit", HUGE), ("log", "--limit", HUGE)):
        assert "is not in the range" in refused(todo_db, *args), args
    assert todo_db.ok("list", "--limit", str(2**31 - 1)) == "1\topen\tx\n"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_search_no_title_can_match_is_refused(todo_db: InProcess) -> None:
    todo_db.ok("add", "x")
    assert refused(todo_db, "list", "--search", "x" * 100_000) == (
        "todo: error: the search is 100000 characters; no title is longer than 500\n"
    )
    assert todo_db.ok("list", "--search", "x" * 500) == ""


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("list", "--search", "\udcff"), "the search"),
        (("list", "--due-before", "\udcff"), "the date"),
        (("list", "--tag", "t\udcffx"), "the tag"),
        (("list", "--priority", "\udcff"), "the priority"),
        (("add", "x", "-d", "\udcff"), "the date"),
        (("add", "x", "-t", "t\udcffx"), "the tag"),
        (("add", "x", "-p", "\udcff"), "the priority"),
        (("add", "x", "--every", "\udcff"), "the repeat"),
        (("add", "x", "--wait", "\udcff"), "the date"),
        (("add", "x", "--every", "1w", "--until", "\udcff"), "the date"),
    ],
)
def test_arguments_that_are_not_utf8_say_so(
    todo_db: InProcess, args: tuple[str, ...], what: str
) -> None:
    """A byte that is not UTF-8 reaches Python as a lone surrogate (\\udcff)."""
    assert refused(todo_db, *args) == f"todo: error: {what} is not valid UTF-8 text\n"


class _Failing(io.StringIO):
    """A stdout whose writes fail as a closed one (EBADF) or a full device
    (ENOSPC) does."""

    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    def write(self, text: str) -> int:  # noqa: ARG002  (nothing is written)
        raise OSError(self.code, "failed")


@pytest.mark.parametrize(
    ("code", "why"), [(errno.EBADF, "is closed"), (errno.ENOSPC, "is on a full device")]
)
@pytest.mark.parametrize("args", [["--help"], ["list", "--help"], []])
def test_help_that_cannot_be_written_is_exit_7(
    tmp_path: Path, code: int, why: str, args: list[str]
) -> None:
    stderr = io.StringIO()
    environment = Environment(io.StringIO(), _Failing(code), stderr, cwd=tmp_path)
    assert main(args, environment) == 7
    assert stderr.getvalue().startswith(
        f"todo: error: cannot write the output: standard output {why}"
    )
    assert stderr.getvalue().count("\n") == 1
