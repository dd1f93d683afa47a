"""Offline mode under attack (independent review, branch review-offline):
each test is one way to lose, double or misapply a change made offline.
Databases are scratch ones named rv_*, dropped afterwards."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.inprocess import InProcess
from tests.support.network import Network, copy_folder
from tests.support.offline_scene import machine, process
from tests.support.rawsql import pg_rows as rows


def events(db: str) -> list[str]:
    return [str(r[0]) for r in rows(db, "SELECT action FROM events ORDER BY id")]


def held_edit(net: Network, db: str, tmp_path: Path) -> tuple[InProcess, InProcess]:
    """Machines a and b both edit todo 1 offline; a replays first, so b's
    edit (change #1 on b) is held."""
    a, b = machine(tmp_path, "a", net.url(db)), machine(tmp_path, "b", net.url(db))
    a.ok("add", "call the bank")
    a.ok("list")
    b.ok("list")
    net.mode = "refuse"
    a.ok("edit", "1", "--title", "from a")
    b.ok("edit", "1", "--title", "from b")
    net.mode = "up"
    a.ok("list")
    assert "not applied, kept: edit 1" in b("list").stderr
    return a, b


def test_a_forced_change_cut_off_after_commit_is_applied_once(
    net: Network, db: str, tmp_path: Path
) -> None:
    """todo sync --apply N, then the process dies (or the reply is lost)
    after the server committed: the next replay must find it applied."""
    _, b = held_edit(net, db, tmp_path)
    killed = process(tmp_path, "b", net.url(db))(
        "sync", "--apply", "1", env={"TODO_OFFLINE_CRASH": "after-commit:1"}
    )
    assert killed.returncode == -9, killed.stderr
    assert rows(db, "SELECT title FROM todos") == [("from b",)]
    again = b("sync")
    assert again.returncode == 0, again.stderr
    assert "applied: edit 1 (found applied already)" in again.stderr
    assert events(db) == ["add", "edit", "edit"]  # the forced edit once, not twice


def test_a_forced_change_cut_off_before_commit_is_held_not_forced_later(
    net: Network, db: str, tmp_path: Path
) -> None:
    """Killed after it was marked sending, before the server had it: the
    next replay, not asked to force it, holds it again and says why."""
    _, b = held_edit(net, db, tmp_path)
    killed = process(tmp_path, "b", net.url(db))(
        "sync", "--apply", "1", env={"TODO_OFFLINE_CRASH": "before-send:1"}
    )
    assert killed.returncode == -9, killed.stderr
    again = b("sync")
    assert (
        "not applied, kept: edit 1: applying it anyway was cut off before the server said "
        "whether it was saved, and the server's journal does not have it: not applied "
        "(todo sync --apply 1 tries again)"
    ) in again.stderr
    assert rows(db, "SELECT title FROM todos") == [("from a",)]
    assert "applied: edit 1" in b("sync", "--apply", "1").stderr
    assert rows(db, "SELECT title FROM todos") == [("from b",)]


def test_a_forced_change_cut_off_after_commit_never_overwrites_a_later_edit(
    net: Network, db: str, tmp_path: Path
) -> None:
    """Worse than a doubled journal entry: the forced change, applied
    already, is applied again over what another machine changed since."""
    a, b = held_edit(net, db, tmp_path)
    killed = process(tmp_path, "b", net.url(db))(
        "sync", "--apply", "1", env={"TODO_OFFLINE_CRASH": "after-commit:1"}
    )
    assert killed.returncode == -9, killed.stderr
    a.ok("edit", "1", "--title", "a's later edit")  # online, after the forced one
    b.ok("list")
    assert rows(db, "SELECT title FROM todos") == [("a's later edit",)]


def test_a_forced_rm_cut_off_after_commit_is_not_reported_as_not_applied(
    net: Network, db: str, tmp_path: Path
) -> None:
    a, b = machine(tmp_path, "a", net.url(db)), machine(tmp_path, "b", net.url(db))
    a.ok("add", "x")
    b.ok("list")
    a.ok("edit", "1", "--title", "y")
    net.mode = "refuse"
    b.ok("rm", "1", "--yes")
    net.mode = "up"
    assert "not applied, kept: rm 1" in b("list").stderr
    killed = process(tmp_path, "b", net.url(db))(
        "sync", "--apply", "1", env={"TODO_OFFLINE_CRASH": "after-commit:1"}
    )
    assert killed.returncode == -9, killed.stderr
    assert rows(db, "SELECT count(*) FROM todos") == [(0,)]
    again = b("sync")
    assert "not applied" not in again.stderr, again.stderr
    assert again.stdout == "", again.stdout


@pytest.mark.parametrize(
    "change",
    [
        ("done", "alice/1"),
        ("reopen", "alice/1"),
        ("edit", "alice/1", "--title", "alice's milk, edited by bob"),
        ("show", "alice/1"),
    ],
)
def test_a_shared_todo_never_takes_the_place_of_mine_with_its_number_in_the_copy(
    net: Network, db: str, tmp_path: Path, change: tuple[str, ...]
) -> None:
    alice = machine(tmp_path, "alice", net.url(db), user="alice")
    bob = machine(tmp_path, "bob", net.url(db), user="bob")
    alice.ok("add", "milk", "-t", "groceries")
    alice.ok("share", "groceries", "--with", "bob", "--write")
    bob.ok("add", "bob's own")
    bob.ok("list")
    bob.ok("list", "--shared")
    bob.ok(*change)
    net.mode = "refuse"
    listed = bob("list", "--all")
    assert listed.stdout.startswith("1\topen\tbob's own\n"), listed.stdout
    assert bob.ok("show", "1").splitlines()[1].endswith("bob's own")


def test_a_shared_todo_changed_by_replay_never_takes_the_place_of_mine(
    net: Network, db: str, tmp_path: Path
) -> None:
    alice = machine(tmp_path, "alice", net.url(db), user="alice")
    bob = machine(tmp_path, "bob", net.url(db), user="bob")
    alice.ok("add", "milk", "-t", "groceries")
    alice.ok("share", "groceries", "--with", "bob", "--write")
    bob.ok("add", "bob's own")
    bob.ok("list")
    bob.ok("list", "--shared")
    net.mode = "refuse"
    bob.ok("done", "alice/1")
    bob.ok("edit", "alice/1", "--title", "oat milk")
    net.mode = "up"
    replayed = bob("list", "--shared", "--all")
    print(replayed.stderr)
    assert rows(db, "SELECT title, done FROM todos ORDER BY id") == [
        ("oat milk", True),
        ("bob's own", False),
    ]
    net.mode = "refuse"
    listed = bob("list", "--all")
    assert listed.stdout.startswith("1\topen\tbob's own\n"), listed.stdout
    shared = bob("list", "--shared", "--all")
    assert "alice/1\tdone\toat milk" in shared.stdout, shared.stdout


def test_changes_queued_under_one_spelling_of_the_url_are_not_stranded_by_another(
    net: Network, db: str, tmp_path: Path
) -> None:
    """The outbox is keyed by the URL as written (host as typed, port only
    if written): the same server, spelled localhost instead of 127.0.0.1
    (or with :5432 written out, or Neon's -pooler host vs the direct one),
    gets another, empty outbox; the queued change is never replayed and
    `todo sync` says nothing waits."""
    url = net.url(db)
    a = machine(tmp_path, "a", url)
    a.ok("add", "x")
    a.ok("list")
    net.mode = "refuse"
    a.ok("done", "1")
    net.mode = "up"
    respelled = url.replace("127.0.0.1", "localhost")
    synced = a("sync", env={"DATABASE_URL": respelled})
    assert "applied: done 1" in synced.stderr, synced.stderr
    assert rows(db, "SELECT done FROM todos") == [(True,)]


def _offline_dir(home: Path) -> Path:
    return home / ".local" / "state" / "todo" / "offline"


def test_an_outbox_restored_from_a_backup_never_replays_an_add_again(
    net: Network, db: str, tmp_path: Path
) -> None:
    """A HOME restored from a backup (or copied to a new laptop, or a VM
    snapshot) holds changes that were replayed since: replaying them again
    must not bring back a todo added then removed."""
    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "one")
    a.ok("list")
    net.mode = "refuse"
    assert a.ok("add", "buy a present") == "q1\n"
    backup = tmp_path / "backup"
    copy_folder(_offline_dir(a.home), backup)
    net.mode = "up"
    assert "q1 is now 2" in a("list").stderr
    a.ok("rm", "2", "--yes")  # bought it: gone
    copy_folder(backup, _offline_dir(a.home))  # the backup comes back
    print(a("list").stderr)
    assert rows(db, "SELECT title FROM todos ORDER BY number") == [("one",)]


def test_todo_online_in_the_dotenv_is_never_queued(net: Network, db: str, tmp_path: Path) -> None:
    """A CI job configured by a .env (DATABASE_URL there, as .env.example
    shows) that also sets TODO_ONLINE=1 there: offline must be an error,
    never a queued change that nobody will replay."""
    a = machine(tmp_path, "ci", net.url(db))
    a.ok("add", "x")
    (a.cwd / ".env").write_text("TODO_ONLINE=1\n")
    net.mode = "refuse"
    result = a("done", "1", env={"TODO_RETRY_BUDGET": "0.3"})  # online: it retries
    assert result.returncode == 4, (result.returncode, result.stderr)
    assert "queued" not in result.stderr


def test_edit_a_number_then_its_provisional_name_chain_not_conflict(
    net: Network, db: str, tmp_path: Path
) -> None:
    """q1 became 2 already; offline, `edit 2` then `done q1` are two changes
    of one todo, in order: the second must not be held as changed elsewhere
    by the first."""
    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "one")
    a.ok("list")
    net.mode = "refuse"
    assert a.ok("add", "two") == "q1\n"
    net.mode = "up"
    assert "q1 is now 2" in a("list").stderr
    net.mode = "refuse"
    a.ok("edit", "2", "--title", "TWO")
    a.ok("done", "q1")
    net.mode = "up"
    replayed = a("list", "--all")
    assert "not applied" not in replayed.stderr, replayed.stderr
    assert rows(db, "SELECT title, done FROM todos WHERE number = 2") == [("TWO", True)]


def test_two_profiles_and_users_never_share_one_offline_file(
    net: Network, db: str, tmp_path: Path
) -> None:
    """Profile and user names may hold '@'; the file is named
    profile@user@database unescaped: profile "home" with user "ann@work"
    and profile "home@ann" with user "work" get the same file, so one
    reads the other's copy, and one's queued add is replayed as the other."""
    m = machine(tmp_path, "m", net.url(db))
    del m.env["TODO_USER"], m.env["DATABASE_URL"]  # the profiles say
    url = net.url(db)
    m.ok("profile", "add", "home", "--user", "ann@work", "--database-url", url)
    m.ok("profile", "add", "home@ann", "--user", "work", "--database-url", url)
    m.ok("--profile", "home", "add", "ann's secret")
    m.ok("--profile", "home", "list")
    for title in ("w1", "w2", "w3"):
        m.ok("--profile", "home@ann", "add", title)
    m.ok("--profile", "home@ann", "list")
    net.mode = "refuse"
    seen = m("--profile", "home@ann", "list", "--shared", "--all")
    assert m.ok("--profile", "home", "add", "ann's diary") == "q1\n"
    net.mode = "up"
    m("--profile", "home@ann", "list")  # work's first command online
    owners = rows(
        db, "SELECT u.name, t.title FROM todos t JOIN users u ON u.id = t.user_id ORDER BY t.id"
    )
    assert ("work", "ann's diary") not in owners, owners
    assert "ann's secret" not in seen.stdout, seen.stdout


@pytest.mark.parametrize("series", [False, True])
@pytest.mark.parametrize("kind", ["done", "rm"])
def test_a_repeating_todo_changed_offline_killed_after_commit_is_found_applied(
    net: Network, db: str, tmp_path: Path, kind: str, series: bool
) -> None:
    """kill -9 after the server committed the replayed change of a repeating
    todo (done makes the next one; rm too, unless --series): the next
    replay must find it applied, not hold it as changed elsewhere."""
    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "water the plants", "--every", "week", "--due", "tomorrow")
    a.ok("list")
    net.mode = "refuse"
    if kind == "done":
        a.ok("done", "1")
    else:
        a.ok("rm", "1", "--yes", *(["--series"] if series else []))
    net.mode = "up"
    killed = process(tmp_path, "a", net.url(db))(
        "sync", env={"TODO_OFFLINE_CRASH": "after-commit:1"}
    )
    assert killed.returncode == -9, killed.stderr
    again = a("sync")
    assert "not applied" not in again.stderr, again.stderr
    assert "found applied already" in again.stderr, again.stderr
    assert again.stdout == ""


def test_a_replay_stopped_in_another_terminal_never_hangs_this_one(
    net: Network, db: str, tmp_path: Path
) -> None:
    """`todo sync` suspended (Ctrl-Z) while it holds the replay lock: another
    terminal's `todo list` waits for it, with no word and no end."""
    import os
    import signal
    import subprocess

    from tests.support.processes import TODO_BIN

    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "x")
    a.ok("list")
    net.mode = "refuse"
    a.ok("done", "1")
    net.mode = "blackhole"
    first = process(tmp_path, "a", net.url(db), TODO_OFFLINE_AFTER="5")
    held = subprocess.Popen(
        [TODO_BIN, "sync"],
        env=first.env,
        cwd=first.cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_locked(_offline_dir(first.home), held)
        os.kill(held.pid, signal.SIGSTOP)  # Ctrl-Z
        net.mode = "up"
        second = process(tmp_path, "a", net.url(db))
        try:
            result = subprocess.run(
                [TODO_BIN, "list", "--all"],
                env=second.env,
                cwd=second.cwd,
                capture_output=True,
                text=True,
                timeout=20,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("todo list hung for 20 s behind a suspended todo sync")
        assert result.returncode == 0, result.stderr
        said = (
            f"process {held.pid} is replaying this machine's queued changes and has not "
            "finished (stopped with Ctrl-Z? resume or end it); they stay queued\n"
        )
        assert result.stderr == f"todo: warning: {said}"
        synced = subprocess.run(
            [TODO_BIN, "sync"], env=second.env, cwd=second.cwd, capture_output=True, text=True
        )
        assert (synced.returncode, synced.stderr) == (6, f"todo: error: {said}")
    finally:
        os.kill(held.pid, signal.SIGKILL)
        held.wait()


def _wait_until_locked(folder: Path, holder: subprocess.Popen[bytes]) -> None:
    """Until holder holds the replay lock (waiting on the silent server) and
    has written its pid into it: stopped between the two, it is rightly
    named only as "another todo process"."""
    import fcntl
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and holder.poll() is None:
        for lock in folder.glob("*.db.lock"):
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                if os.pread(fd, 20, 0) == str(holder.pid).encode():
                    return
            finally:
                os.close(fd)
        time.sleep(0.05)  # between polls
    pytest.fail("todo sync never took the replay lock")


def test_undo_offline_never_discards_a_held_change_older_than_my_last_change(
    net: Network, db: str, tmp_path: Path
) -> None:
    """A change held by a conflict waits for todo sync; the user then adds a
    todo online, goes offline and types `todo undo` to take back that add.
    Undo silently throws away the held edit instead (it was "the last change
    still queued"), and the add stays."""
    a, b = machine(tmp_path, "a", net.url(db)), machine(tmp_path, "b", net.url(db))
    a.ok("add", "call the bank")
    a.ok("list")
    b.ok("list")
    net.mode = "refuse"
    a.ok("edit", "1", "--title", "from a")
    b.ok("edit", "1", "--title", "from b: a long careful note")
    net.mode = "up"
    a.ok("list")
    assert "not applied, kept: edit 1" in b("list").stderr
    assert b.ok("add", "typo") == "2\n"  # online: b's newest change
    net.mode = "refuse"
    undone = b("undo")
    print(undone.stderr)
    assert "took back the queued edit 1" not in undone.stderr


def test_sync_apply_that_failed_offline_never_overwrites_a_later_edit_days_after(
    net: Network, db: str, tmp_path: Path
) -> None:
    """`todo sync --apply 1` run while offline fails (exit 4), but the
    change stays armed to go "anyway": the next command online, much later,
    writes it over an edit another machine made after that decision."""
    a, b, c = (machine(tmp_path, n, net.url(db)) for n in ("a", "b", "c"))
    a.ok("add", "call the bank")
    for m in (a, b, c):
        m.ok("list")
    net.mode = "refuse"
    a.ok("edit", "1", "--title", "from a")
    b.ok("edit", "1", "--title", "from b")
    net.mode = "up"
    a.ok("list")
    assert "not applied, kept: edit 1" in b("list").stderr
    net.mode = "refuse"
    failed = b("sync", "--apply", "1")
    assert failed.returncode == 4, failed.stderr
    net.mode = "up"
    c.ok("edit", "1", "--title", "from c, later")  # after b's try, which failed
    b.ok("list")  # b's next command online
    assert rows(db, "SELECT title FROM todos") == [("from c, later",)]


def test_the_offline_notice_gives_the_age_of_the_listing_not_of_the_last_show(
    net: Network, db: str, tmp_path: Path
) -> None:
    """The notice says how old the copy is; any online command that touched
    one todo makes it "0 min ago", though the list it shows was read days
    before and misses what changed since."""
    from datetime import UTC, datetime, timedelta

    now = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    a = machine(tmp_path, "a", net.url(db))
    a.clock = lambda: now[0]
    b = machine(tmp_path, "b", net.url(db))
    a.ok("add", "one")
    a.ok("list")  # the listing: Dec 1
    b.ok("add", "two, added elsewhere")
    now[0] += timedelta(days=3)
    a.ok("show", "1")  # Dec 4: one todo read
    net.mode = "refuse"
    listed = a("list")
    assert "two" not in listed.stdout
    assert "(0 min ago)" not in listed.stderr, listed.stderr


def test_a_change_queued_while_another_terminal_replays_is_not_stranded(
    net: Network, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terminal 1 queues `done 1` (offline: its server went silent) just as
    terminal 2, online, replays the queued `edit 1`. The version the new
    change records ("#1": what the queued edit will leave) is read before
    its transaction, so the edit can be settled in between: the done then
    waits forever on a change that was applied (held, "not applied")."""
    from todo_cli.offline import queue

    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "x")
    a.ok("list")
    net.mode = "refuse"
    a.ok("edit", "1", "--title", "y")
    real = queue._saw

    def interleaved(*args: object, **kw: object) -> dict[str, str]:
        saw = real(*args, **kw)  # type: ignore[arg-type]
        net.mode = "up"
        assert "applied: edit 1" in a("sync").stderr  # terminal 2
        net.mode = "refuse"
        return saw

    monkeypatch.setattr(queue, "_saw", interleaved)
    a.ok("done", "1")
    monkeypatch.setattr(queue, "_saw", real)
    net.mode = "up"
    synced = a("sync")
    assert "not applied" not in synced.stderr, synced.stderr
    assert rows(db, "SELECT title, done FROM todos") == [("y", True)]
