"""Where `todo export` writes: a regular file is written aside and renamed
over; anything else (a symlink's target aside) is written through, as a
shell's `>` would, and never replaced. And what it writes is exact,
whatever the locale's encoding. The FIFO and the device nodes are made by
the tests in their own folder (the tests run as root), never the machine's."""

from __future__ import annotations

import io
import json
import os
import stat
import threading
from pathlib import Path

import pytest

from tests.support.inprocess import InProcess
from todo_cli.cli import main
from todo_cli.environment import Environment

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

TITLE = "日本語 Ünï"


@pytest.fixture
def todo(todo_db: InProcess) -> InProcess:
    todo_db.ok("add", TITLE, "-t", "x")
    return todo_db


def exported(todo: InProcess, *args: str) -> tuple[int, str, str]:
    result = todo("export", *args)
    assert "unexpected" not in result.stderr
    return result.returncode, result.stdout, result.stderr


def test_a_symlink_is_written_through_and_stays_a_link(todo: InProcess) -> None:
    work = todo.cwd
    (work / "real.json").write_text("old\n")
    (work / "link.json").symlink_to("real.json")
    assert exported(todo, "-o", "link.json") == (0, "", "Exported 1 todo to link.json\n")
    assert (work / "link.json").is_symlink()
    assert os.readlink(work / "link.json") == "real.json"
    assert (work / "real.json").read_text() == todo.ok("export")
    assert sorted(p.name for p in work.iterdir()) == ["link.json", "real.json"]
    # A link to nothing yet: its target is made, as `>` makes it.
    (work / "dangling.json").symlink_to("made.json")
    assert exported(todo, "-o", "dangling.json")[0] == 0
    assert (work / "dangling.json").is_symlink()
    assert (work / "made.json").read_text() == todo.ok("export")


def test_a_fifo_is_written_into(todo: InProcess) -> None:
    fifo = todo.cwd / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    # A daemon: if the export never opens the FIFO, the reader's open never
    # returns, and must not keep the test process alive.
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = exported(todo, "-o", "pipe", "-f", "todotxt")
    reader.join(timeout=30)
    assert result == (0, "", "Exported 1 todo to pipe\n")
    assert got == [todo.ok("export", "-f", "todotxt").encode()]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in todo.cwd.iterdir()] == ["pipe"]


def _device(path: Path, minor: int) -> Path:
    """A character device node like /dev/null (1, 3) or /dev/full (1, 7)."""
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


def test_a_device_is_written_into_and_never_replaced(todo: InProcess) -> None:
    null = _device(todo.cwd / "null", 3)
    full = _device(todo.cwd / "full", 7)
    assert exported(todo, "-o", "null") == (0, "", "Exported 1 todo to null\n")
    assert exported(todo, "-o", "full", "-f", "csv") == (
        6, "", "todo: error: cannot write full: No space left on device\n",
    )  # fmt: skip
    for node in (null, full):
        assert stat.S_ISCHR(node.lstat().st_mode)
    assert sorted(p.name for p in todo.cwd.iterdir()) == ["full", "null"]


def test_a_directory_is_a_file_fault(todo: InProcess) -> None:
    (todo.cwd / "somedir").mkdir()
    assert exported(todo, "-o", "somedir") == (
        6, "", "todo: error: cannot write somedir: it is a directory\n",
    )  # fmt: skip
    assert list((todo.cwd / "somedir").iterdir()) == []


@pytest.mark.parametrize("format", ["json", "todotxt", "csv", "taskwarrior"])
def test_an_export_is_exact_whatever_the_encoding(todo: InProcess, format: str) -> None:
    """stdout in ASCII (PYTHONIOENCODING=ascii) shows '?' for what it cannot
    hold; an export is data, and comes out exact."""
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="ascii", errors="replace", write_through=True)
    stderr = io.StringIO()
    environment = Environment(io.StringIO(), stdout, stderr, environ=todo.env, cwd=todo.cwd)
    assert main(["export", "-f", format], environment) == 0, stderr.getvalue()
    stdout.flush()
    text = raw.getvalue().decode("utf-8")
    assert text == todo.ok("export", "-f", format) or format == "json"
    if format == "json":
        assert TITLE.encode("ascii", "backslashreplace") not in raw.getvalue()
        assert json.loads(text) == json.loads(todo.ok("export"))
    if format != "csv":
        (todo.cwd / "back.txt").write_text(text, encoding="utf-8")
        todo.ok("--user", "other", "import", "back.txt")
        assert json.loads(todo.ok("--user", "other", "list", "--json"))[0]["title"] == TITLE
