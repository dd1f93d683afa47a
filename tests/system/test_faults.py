"""Faults a shell, a disk or a bad day can cause, met by the installed
`todo`: each ends in one line on stderr and a documented exit code, with
nothing lost or half-written (README: Exit codes). The in-process ones are
in tests/cli/test_faults.py.

A full disk is a 1 MB tmpfs, mounted where the machine lets the test mount
one; permissions are checked as root without its power to ignore them
(setpriv drops CAP_DAC_OVERRIDE), where setpriv is at hand. Otherwise those
tests skip with the reason; under CI=true (which runs as root) they fail.
"""

from __future__ import annotations

import os
import pty
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.support import IN_CI
from tests.support.databases import ScratchDatabases
from tests.support.processes import TODO_BIN, Todo, as_at_a_terminal
from tests.support.tcp_proxy import TCPProxy, proxied_url
from todo_cli.dburl import parse_database_url

REPORT = "please report it"


def run(
    todo: Todo,
    *args: str,
    stdout: Any = subprocess.PIPE,
    stdin: Any = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
    before: Callable[[], None] | None = None,
    prefix: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """The installed todo, with its streams as a shell would set them."""
    result = subprocess.run(
        [*prefix, TODO_BIN, *args],
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**todo.env, **(env or {})},
        cwd=todo.cwd,
        preexec_fn=before,
        timeout=60,
    )
    assert REPORT not in result.stderr, result.stderr
    return result


def db_file(todo: Todo) -> Path:
    return todo.home / ".local" / "share" / "todo" / "todo.db"


# --- stdout and stdin, closed or full ------------------------------------------------


def test_a_change_whose_output_cannot_be_written_says_it_was_saved(todo: Todo) -> None:
    closed = run(todo, "add", "first", before=lambda: os.close(1))
    assert (closed.returncode, closed.stderr) == (
        7,
        "todo: error: added 1, but its output was lost: standard output is closed\n",
    )
    with open("/dev/full", "w") as full:
        result = run(todo, "add", "second", stdout=full)
    assert (result.returncode, result.stderr) == (
        7,
        "todo: error: added 2, but its output was lost: standard output is on a full device "
        "(no space left)\n",
    )
    done = run(todo, "done", "1", before=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (
        7,
        "todo: error: completed 1, but its output was lost: standard output is closed\n",
    )
    # Saved, each once: a script that retries knows better than to add again.
    assert todo.ok("list", "--all") == "1\tdone\tfirst\n2\topen\tsecond\n"
    with open("/dev/full", "w") as full:
        read = run(todo, "list", stdout=full)
    assert (read.returncode, read.stderr) == (
        7,
        "todo: error: cannot write the output: standard output is on a full device "
        "(no space left)\n",
    )


def test_a_profile_change_whose_output_cannot_be_written_says_it_was_saved(
    todo: Todo,
) -> None:
    """A field trial ran `profile add` with stdout closed: it said only
    "cannot write the output", and the retry found the profile there."""
    for args, saved in (
        (("profile", "add", "p1", "--user", "u"), "saved profile p1"),
        (("profile", "use", "p1"), "now using profile p1"),
        (("profile", "rm", "p1"), "removed profile p1"),
    ):
        result = run(todo, *args, before=lambda: os.close(1))
        assert (result.returncode, result.stderr) == (
            7,
            f"todo: error: {saved}, but its output was lost: standard output is closed\n",
        ), args


def test_debug_shows_the_traceback_without_advising_debug(todo: Todo) -> None:
    todo.ok("add", "x")
    result = run(todo, "--debug", "done", "1", before=lambda: os.close(1))
    assert result.returncode == 7
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert result.stderr.splitlines()[-1] == (
        "todo: error: completed 1, but its output was lost: standard output is closed"
    )
    assert "--debug" not in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--limit", "0"),
        ("log",),
        ("show", "1"),
        ("export", "--format", "csv"),
        ("add", "y"),
    ],
)
def test_a_reader_that_goes_away_is_not_an_error(todo: Todo, args: tuple[str, ...]) -> None:
    todo.ok("add", "-", input="".join(f"todo {i}\n" for i in range(3000)))
    read, write = os.pipe()
    os.close(read)  # the reader is gone before todo writes a byte
    try:
        result = run(todo, *args, stdout=write)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(("args", "refusal"), [
    (("rm", "1"), "refusing to remove without confirmation (no terminal); pass --yes"),
    (("add", "-"), "no titles on stdin (one per line); nothing was added"),
])  # fmt: skip
def test_a_closed_stdin_is_an_empty_one(todo: Todo, args: tuple[str, ...], refusal: str) -> None:
    todo.ok("add", "x")
    closed = run(todo, *args, before=lambda: os.close(0))
    empty = run(todo, *args)
    assert (closed.returncode, closed.stderr) == (empty.returncode, empty.stderr)
    assert (closed.returncode, closed.stderr) == (2, f"todo: error: {refusal}\n")


def test_an_encoding_that_cannot_show_a_title_degrades(todo: Todo) -> None:
    todo.ok("add", "Café ünd Brot")
    env = {"PYTHONIOENCODING": "ascii"}
    assert run(todo, "list", env=env).stdout == "1\topen\tCaf? ?nd Brot\n"
    # JSON stays exact: what the stream cannot hold is escaped.
    assert (
        '"title": "Caf\\u00e9 \\u00fcnd Brot"' in run(todo, "show", "1", "--json", env=env).stdout
    )


# --- a busy file ---------------------------------------------------------------------


def test_a_busy_sqlite_file_is_waited_for_then_named(todo: Todo) -> None:
    todo.ok("add", "a")
    holder = sqlite3.connect(db_file(todo), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another todo in the middle of a long import
    try:
        gave_up = run(todo, "--verbose", "add", "b", env={"TODO_RETRY_BUDGET": "2"})
        assert gave_up.returncode == 4
        *retries, last = gave_up.stderr.splitlines()
        assert retries
        assert all(
            " is busy: another todo is writing to it; retrying (attempt" in r for r in retries
        )
        assert last == (
            f"todo: error: {db_file(todo)} stayed busy for 2s: another todo (an import?) is still "
            "writing to it; try again when it is done, or raise TODO_RETRY_BUDGET"
        )
        waiting = subprocess.Popen(
            [TODO_BIN, "--verbose", "add", "c"],
            env=todo.env,
            cwd=todo.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert waiting.stderr is not None
        first = waiting.stderr.readline()  # it says it waits ...
        assert "is busy: another todo is writing to it; retrying (attempt 2)" in first
    finally:
        holder.execute("COMMIT")  # ... and the writer finishes
        holder.close()
    out, _ = waiting.communicate(timeout=30)
    assert (waiting.returncode, out) == (0, "2\n")


# --- the disk, the file and its folder ---------------------------------------------


def unavailable(reason: str) -> NoReturn:
    """Skip for want of root (or what root may do here); under CI=true,
    which runs as root, fail instead: a skip there would hide the tests."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason} (euid {os.geteuid()})", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs: a disk that fills up."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        unavailable(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> None:
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)

    def write_until_full() -> None:
        while os.write(fd, b"\0" * 4096):
            pass

    try:
        with pytest.raises(OSError, match="No space left"):
            write_until_full()
    finally:
        os.close(fd)


def test_a_full_disk_is_named_and_nothing_is_half_written(todo: Todo, tiny_disk: Path) -> None:
    todo.env["HOME"] = str(tiny_disk)
    db = tiny_disk / ".local" / "share" / "todo" / "todo.db"
    full = (
        f"todo: error: no space left on the device that holds {db}; free some space and try "
        "again (nothing was changed)\n"
    )
    assert todo.ok("add", "-", input="one\ntwo\nthree\n") == "1\n2\n3\n"
    todo.ok("done", "3")
    fill(tiny_disk)
    for args in (("add", "four"), ("done", "1"), ("rm", "2", "--yes"), ("undo",)):
        result = run(todo, *args)
        assert (result.returncode, result.stdout, result.stderr) == (6, "", full), args
    export = run(todo, "export", "-o", str(tiny_disk / "out.json"))
    assert export.returncode == 6
    assert not (tiny_disk / "out.json").exists()
    assert not list(tiny_disk.glob(".out.json*"))  # nor half of one
    (tiny_disk / "filler").unlink()
    assert todo.ok("list", "--all") == "1\topen\tone\n2\topen\ttwo\n3\tdone\tthree\n"


def test_a_change_queued_offline_on_a_full_disk_is_named_and_not_queued(
    todo: Todo, tiny_disk: Path
) -> None:
    """The offline file on a full disk: the add was "unexpected
    OperationalError", exit 1, and todo sync "unexpected OSError" (the
    replay lock's pid). Now the one line and exit 6, nothing queued, and
    sync still lists what waits."""
    from tests.support.pgservers import free_port

    todo.env["XDG_STATE_HOME"] = str(tiny_disk / "state")
    todo.env["DATABASE_URL"] = f"postgresql://alice@127.0.0.1:{free_port()}/nowhere"
    assert todo.ok("add", "first") == "q1\n"
    (box,) = (tiny_disk / "state" / "todo" / "offline").glob("*.db")
    fill(tiny_disk)
    full = (
        f"todo: error: cannot write the offline file {box}: no space left on its device; this "
        "command saved nothing, and what is queued in it stays queued (free some space or fix "
        "the permissions, then try again; see: todo sync)\n"
    )
    result = run(todo, "add", "second")
    assert (result.returncode, result.stdout, result.stderr) == (6, "", full)
    waiting = run(todo, "sync")
    assert (waiting.returncode, waiting.stdout) == (4, "#1\twaiting\tadd q1 'first'\n")
    assert "unexpected" not in waiting.stderr
    (tiny_disk / "filler").unlink()
    assert run(todo, "sync").stdout == "#1\twaiting\tadd q1 'first'\n"


def test_first_use_on_a_full_disk(todo: Todo, tiny_disk: Path) -> None:
    todo.env["HOME"] = str(tiny_disk)
    fill(tiny_disk)
    result = run(todo, "add", "x")
    assert result.returncode == 6
    assert result.stderr.startswith("todo: error: no space left on the device that holds ")
    (tiny_disk / "filler").unlink()
    assert todo.ok("add", "x") == "1\n"  # and the file it began is usable


def plain_user_prefix() -> tuple[str, ...]:
    """A command prefix that runs todo as root without CAP_DAC_OVERRIDE, so
    file permissions apply to it as to anyone."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        unavailable("needs root and setpriv (util-linux) to drop the power to ignore permissions")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search")


@pytest.fixture
def as_plain_user() -> tuple[str, ...]:
    return plain_user_prefix()


@pytest.mark.parametrize(
    ("ci", "outcome"), [(True, pytest.fail.Exception), (False, pytest.skip.Exception)]
)
def test_without_root_the_permission_tests_skip_but_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, ci: bool, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(f"{__name__}.IN_CI", ci)
    with pytest.raises(outcome) as raised:
        plain_user_prefix()
    reason = "needs root and setpriv (util-linux) to drop the power to ignore permissions"
    assert str(raised.value) == (f"CI=true but {reason} (euid 1000)" if ci else reason)


def test_permissions_are_named_and_reads_work_where_the_file_is_readable(
    todo: Todo, as_plain_user: tuple[str, ...]
) -> None:
    folder = db_file(todo).parent
    todo.ok("add", "x")
    # HOME itself not writable: the folder cannot be made.
    other = todo.home.parent / "locked-home"
    other.mkdir(mode=0o555)
    made = run(todo, "add", "y", env={"HOME": str(other)}, prefix=as_plain_user)
    assert made.returncode == 6
    assert made.stderr.startswith(f"todo: error: cannot create {other}/.local (on the way to ")
    # The folder read-only: writes are refused, reads go on.
    folder.chmod(0o500)
    try:
        refused = run(todo, "add", "y", prefix=as_plain_user)
        assert (refused.returncode, refused.stderr) == (
            6,
            f"todo: error: cannot write {db_file(todo)}: its folder {folder} is read-only for "
            "you (SQLite writes a journal beside the file); fix the folder's permissions "
            "(chmod u+w)\n",
        )
        assert run(todo, "list", prefix=as_plain_user).stdout == "1\topen\tx\n"
    finally:
        folder.chmod(0o700)
    # The file read-only.
    db_file(todo).chmod(0o400)
    refused = run(todo, "add", "y", prefix=as_plain_user)
    assert (refused.returncode, refused.stderr) == (
        6,
        f"todo: error: cannot write {db_file(todo)}: {db_file(todo)} is read-only for you; "
        "fix its permissions (chmod u+w)\n",
    )
    assert run(todo, "list", prefix=as_plain_user).stdout == "1\topen\tx\n"
    db_file(todo).chmod(0o600)
    # A read-only -shm left behind: named, and SQLite mends it for next time.
    shm = Path(f"{db_file(todo)}-shm")
    shm.touch(mode=0o400)
    refused = run(todo, "add", "y", prefix=as_plain_user)
    assert refused.returncode == 6
    assert "todo.db-shm" in refused.stderr, refused.stderr
    shm.chmod(0o600)
    assert run(todo, "add", "y", prefix=as_plain_user).stdout == "2\n"


def damage_header(path: Path) -> None:
    with open(path, "r+b") as f:
        f.write(b"this is not SQLite at all")


def damage_todos(path: Path) -> None:
    """Overwrite the first page of the todos table."""
    with sqlite3.connect(path) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'todos'").fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(os.urandom(size))


@pytest.mark.parametrize("damage", [damage_header, damage_todos], ids=["header", "a page"])
def test_a_damaged_file_is_named_with_what_to_do(
    todo: Todo, damage: Callable[[Path], None]
) -> None:
    todo.ok("add", "-", input="".join(f"todo {i}\n" for i in range(300)))
    damage(db_file(todo))
    result = run(todo, "list", "--limit", "0")
    assert (result.returncode, result.stdout) == (6, "")
    assert result.stderr.startswith(f"todo: error: {db_file(todo)} is damaged or is not a todo ")
    assert result.stderr.endswith(
        "move it aside (todo starts a new one) and restore your todos from a todo export\n"
    )


@pytest.mark.parametrize("kind", ["folder", "data folder is a file", "link to /dev/null"])
def test_a_path_that_is_not_a_database_file_is_named(todo: Todo, kind: str) -> None:
    db = db_file(todo)
    if kind == "folder":
        db.mkdir(parents=True)
        expected = f"todo: error: {db} is a folder, not a todo database; move it aside"
    elif kind == "data folder is a file":
        db.parent.parent.mkdir(parents=True)
        db.parent.write_text("")
        expected = f"todo: error: cannot create {db}: {db.parent} is in the way (not a folder)"
    else:
        db.parent.mkdir(parents=True)
        db.symlink_to("/dev/null")
        expected = f"todo: error: {db} is not a regular file (a device, or a link to one?)"
    result = run(todo, "list")
    assert result.returncode == 6
    assert result.stderr.startswith(expected), result.stderr
    assert result.stderr.count("\n") == 1


# --- the network --------------------------------------------------------------------


def test_verbose_says_each_retry_once(todo: Todo, tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("a\n")
    env = {
        "DATABASE_URL": "postgresql://u@127.0.0.1:9/down",
        "TODO_RETRY_BUDGET": "1.5",
        "TODO_ONLINE": "1",  # offline mode would not retry a refused connection
    }
    result = run(todo, "--verbose", "import", str(tmp_path / "one.txt"), env=env)
    assert result.returncode == 4
    retries = [line for line in result.stderr.splitlines() if line.startswith("todo: retry:")]
    attempts = [int(line.split("(attempt ")[1].split(")")[0]) for line in retries]
    assert attempts == list(range(2, len(attempts) + 2)), result.stderr


def test_nothing_waits_after_the_output(todo: Todo, scratch_dbs: ScratchDatabases) -> None:
    """The connection closes before todo prints, and Terminate expects no
    answer: a server that never reads it cannot keep todo from exiting."""
    url = scratch_dbs.create()
    target = parse_database_url(url, source="")
    with TCPProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        proxy.hold_burst = 3  # startup, the one message, then Terminate: held
        try:
            result = run(todo, "add", "x", env={"DATABASE_URL": proxied_url(url, proxy.port)})
        finally:
            proxy.release()
    assert (result.returncode, result.stdout) == (0, "1\n")


def test_non_utf8_arguments_are_refused(todo: Todo) -> None:
    result = subprocess.run(
        [os.fsencode(TODO_BIN), b"add", b"caf\xe9"],
        capture_output=True,
        env=todo.env,
        cwd=todo.cwd,
    )
    assert result.returncode == 2
    assert result.stderr == b"todo: error: the title is not valid UTF-8 text\n"


def test_ctrl_c_while_reading_stdin_saves_nothing(todo: Todo) -> None:
    keyboard, terminal = pty.openpty()
    proc = subprocess.Popen(
        [TODO_BIN, "add", "-"],
        env=todo.env,
        cwd=todo.cwd,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_at_a_terminal,
    )
    os.close(terminal)
    try:
        assert proc.stderr is not None
        # It says it reads stdin once it does: then the signal comes.
        assert proc.stderr.readline() == (
            "Reading titles from stdin, one per line; end with Ctrl-D.\n"
        )
        os.write(keyboard, b"half a list\n")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        os.close(keyboard)
    assert (proc.returncode, out) == (130, "")
    assert err == "todo: error: interrupted; nothing was changed\n"
    assert todo.ok("list") == ""


def test_ctrl_c_while_starting_prints_no_traceback(todo: Todo) -> None:
    """Signalled at once, while Python is still importing todo."""
    proc = subprocess.Popen(
        [TODO_BIN, "list"],
        env=todo.env,
        cwd=todo.cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_at_a_terminal,
    )
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    # 130 with the one line, as any interrupt; or killed by the signal
    # before Python could catch it (a shell shows that as 130 too); or 0
    # if it had listed nothing already.
    assert (proc.returncode, err) in [
        (130, "todo: error: interrupted; nothing was changed\n"),
        (-signal.SIGINT, ""),
        (0, ""),
    ]
