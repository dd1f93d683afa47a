"""Offline mode under attack, eighth review (branch review8): each test is
one way to lose, double or misapply a change made offline, or to refuse
one, that the earlier reviews (test_offline_review.py,
test_offline_attack*.py) did not cover. Scratch databases are named rv_*,
dropped afterwards."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from tests.support.inprocess import InProcess
from tests.support.network import Network
from tests.support.offline_scene import machine
from tests.support.offline_scene import port_of as _port
from tests.support.offline_scene import staging as _staging
from tests.support.rawsql import pg_rows as rows


def _todos(db: str) -> list[tuple[str, bool, str | None]]:
    return [
        (str(r[0]), bool(r[1]), None if r[2] is None else str(r[2]))
        for r in rows(db, "SELECT title, done, priority::text FROM todos ORDER BY id")
    ]


def _hold_one(a: InProcess, b: InProcess, tunnel: Network) -> None:
    """An ordinary conflict: a's offline edit of todo 1 is held (b edited
    it meanwhile), and a leaves it for later."""
    a.ok("list")
    b.ok("list")
    tunnel.mode = "refuse"
    a.ok("edit", "1", "--title", "first, renamed on a")
    tunnel.mode = "up"
    b.ok("edit", "1", "--priority", "high")
    assert "not applied, kept: edit 1" in a("list").stderr


def test_my_own_online_edit_while_a_change_is_held_is_never_a_conflict_offline(
    db: str, tmp_path: Path
) -> None:
    """One change is held (an ordinary conflict left for later). Online,
    a edits todo 2 herself; then the network goes, and she completes it.
    Hook.remember keeps nothing a non-listing command read while changes
    are held and no replay checked the server (Hook.verified stays False:
    replay returns early when only held changes wait), so the copy keeps
    todo 2 as before her own edit: offline `todo show 2` shows the old
    title, and `todo done 2` is queued with the old version; back online it
    is held as "changed elsewhere" -- by her own command on this machine.
    README: the copy is what online commands already read and changed; a
    change is held only when the todo was changed elsewhere."""
    with Network(_port(db)) as tunnel:
        url = tunnel.url(db)
        a, b = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
        a.ok("add", "first")
        a.ok("add", "second")
        _hold_one(a, b, tunnel)
        a.ok("edit", "2", "--title", "second, renamed online")  # online, on a itself
        tunnel.mode = "refuse"
        shown = a("show", "2")
        a.ok("done", "2")
        tunnel.mode = "up"
        back = a("show", "2")
    print(shown.stdout, shown.stderr, back.stdout, back.stderr)
    assert "not applied" not in back.stderr, back.stderr
    assert ("second, renamed online", True, None) in _todos(db), back.stderr
    assert "second, renamed online" in shown.stdout, "offline show gave the todo as before my edit"


def _seqs(out: str) -> list[int]:
    return [int(line.split("\t", 1)[0][1:]) for line in out.splitlines() if line.startswith("#")]


@pytest.mark.parametrize("order", ["name-then-number", "number-then-name"])
def test_dropping_a_change_to_q1_never_makes_the_next_one_to_its_number_a_conflict(
    db: str, tmp_path: Path, order: str
) -> None:
    """q1 became todo 3. Offline, a edits it under one key (q1, or 3) and
    completes it under the other: the done chains on the edit ("#seq",
    queue._saw maps q1 to 3). She thinks better of the edit and drops it
    (`todo sync --drop N`, offline: nothing else waits on the server).
    sync._drop passes on what the edit expected under its own key only
    (Box.pass_on, with no alias for q1 <-> 3, which settle.settle adds),
    so the done now expects "gone": back online it is held as "changed
    elsewhere" although nothing changed todo 3. README: --drop N drops
    it, "the changes queued after it then expect what it expected"."""
    first, second = ("q1", "3") if order == "name-then-number" else ("3", "q1")
    with Network(_port(db)) as tunnel:
        url = tunnel.url(db)
        a = machine(tmp_path, "a", url)
        a.ok("add", "one")
        a.ok("add", "two")
        a.ok("list")
        tunnel.mode = "refuse"
        assert a.ok("add", "three") == "q1\n"
        tunnel.mode = "up"
        assert "q1 is now 3" in a("list").stderr
        tunnel.mode = "refuse"
        a.ok("edit", first, "--title", "three, mistyped")
        a.ok("done", second)
        waiting = a("sync")
        edit = _seqs(waiting.stdout)[0]
        dropped = a("sync", "--drop", str(edit))
        tunnel.mode = "up"
        back = a("list")
    print(waiting.stdout, dropped.stdout, dropped.stderr, back.stdout, back.stderr)
    assert "not applied" not in back.stderr, back.stderr
    assert _todos(db)[2] == ("three", True, None), back.stderr


@pytest.mark.parametrize("change", [("add", "staging only"), ("done", "4")], ids=["add", "done"])
def test_a_change_made_online_at_another_server_never_goes_into_the_copy(
    db: str, tmp_path: Path, change: tuple[str, ...]
) -> None:
    """One change queued for production; the tunnel now leads to staging,
    where alice was made at another moment. The replay refuses (server_
    check.holds) and the command itself runs at staging: what it changed
    there is staging's, and Hook.foreign keeps it out of production's copy
    (a change carries no user mark, so only the replay's verdict says so).
    Offline again, production's listing shows no todo of staging's.
    README: nothing another database shows goes into the copy."""
    with _staging(db, tmp_path, "s1", "s2", "s3", "s4") as staging, Network(_port(db)) as tunnel:
        a = machine(tmp_path, "a", tunnel.url(db))
        a.ok("add", "production item")
        a.ok("list")  # a table listing: the user mark recorded
        tunnel.mode = "refuse"
        assert a.ok("add", "for production only") == "q1\n"
        tunnel.target = ("127.0.0.1", _port(staging))
        tunnel.mode = "up"
        there = a(*change)
        tunnel.mode = "refuse"
        offline = a("list", "--all")
    print(there.stdout, there.stderr, offline.stdout, offline.stderr)
    assert "another database" in there.stderr, there.stderr
    assert offline.stdout == "1\topen\tproduction item\n"


def test_a_change_made_beside_a_damaged_queued_one_is_never_queued(db: str, tmp_path: Path) -> None:
    """A queued change damaged in the file (edited by hand, a bad disk).
    The next offline add used to be queued, then refused (exit 6) as the
    file was read back; each try queued it once more, and a repaired file
    would add it twice. Offline reads answered from the copy as if all
    were well. README: such a file is an error on every command of that
    profile (exit 6), never passed over."""
    with Network(_port(db)) as tunnel:
        a = machine(tmp_path, "a", tunnel.url(db))
        a.ok("add", "first")
        a.ok("list")
        tunnel.mode = "refuse"
        assert a.ok("add", "second") == "q1\n"
        (box,) = (a.home / ".local/state/todo/offline").glob("*.db")
        with contextlib.closing(sqlite3.connect(box)) as conn, conn:
            conn.execute("UPDATE outbox SET payload = '{not json' WHERE seq = 1")
        tries = [a("add", "third"), a("add", "third"), a("list"), a("sync")]
        with contextlib.closing(sqlite3.connect(box)) as conn:
            queued = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    for result in tries:
        assert (result.returncode, result.stdout) == (6, ""), result.stderr
        assert result.stderr.startswith(f"todo: error: cannot use the offline file {box}: ")
    assert queued == 1


def test_a_disk_fault_after_the_change_committed_never_fails_the_command(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back online, the command's change commits, then the offline file
    is told the server answered (Hook.reached). A full disk there failed
    the command with exit 6 after the change was saved; the user types it
    again and has it twice. It is a warning, as the copy's writes are."""
    from todo_cli.errors import StorageError
    from todo_cli.offline import Hook

    with Network(_port(db)) as tunnel:
        a = machine(tmp_path, "a", tunnel.url(db))
        a.ok("add", "first")
        tunnel.mode = "refuse"
        a.ok("list")  # offline: the file notes it
        tunnel.mode = "up"

        def full(_hook: object) -> None:
            raise StorageError("cannot write the offline file: no space left on its device")

        monkeypatch.setattr(Hook, "reached", full)
        added = a("add", "second")
    assert (added.returncode, added.stdout) == (0, "2\n"), added.stderr
    assert "the offline copy was not updated" in added.stderr
    assert [t for t, _d, _p in _todos(db)] == ["first", "second"]


def test_sync_drop_with_one_wrong_number_drops_none(db: str, tmp_path: Path) -> None:
    """`todo sync --drop 2 --drop 99`: #99 names nothing (exit 2), and #2
    was dropped already; a review found the queue left half done. Offline,
    a drop that is done says so beside "cannot reach" (exit 4 means
    nothing was changed)."""
    with Network(_port(db)) as tunnel:
        a = machine(tmp_path, "a", tunnel.url(db))
        a.ok("add", "first")
        a.ok("list")
        tunnel.mode = "refuse"
        a.ok("add", "second")
        a.ok("done", "1")
        wrong = a("sync", "--drop", "2", "--drop", "99")
        before = a("sync").stdout
        dropped = a("sync", "--drop", "2", "--drop", "2")  # once, not "no #2" the second time
        after = a("sync").stdout
    assert (wrong.returncode, wrong.stderr) == (
        2,
        "todo: error: no queued change #99 (see: todo sync)\n",
    )
    assert before == "#1\twaiting\tadd q1 'second'\n#2\twaiting\tdone 1\n"
    assert dropped.returncode == 4
    assert dropped.stderr.endswith("; dropped #2 here; 1 change(s) wait for the server\n")
    assert after == "#1\twaiting\tadd q1 'second'\n"
