"""Offline mode under attack (issue 22's independent review): each test
is one way to lose, double or leak a change that the review tried, named
for what must hold. The first ones found defects (an undo queued offline
taking back another change, a revoked share kept in the copy, a
provisional name resolving to another todo after a restore, a restore
that lost only edits, TODO_ONLINE=on ignored, a silent network hanging a
replay); the rest are attacks the branch withstood, kept as regression
checks."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from tests.support.databases import truncate
from tests.support.inprocess import InProcess
from tests.support.network import OFFLINE_AFTER, Network, machine_env
from tests.support.processes import Todo, as_at_a_terminal, clean_env
from tests.support.rawsql import pg_rows as rows
from todo_cli.dburl import parse_database_url


@pytest.fixture
def net(pg_url: str) -> Iterator[Network]:
    truncate(pg_url)
    port = parse_database_url(pg_url, source="").port or 5432
    with Network(port) as network:
        yield network


def machine(tmp_path: Path, name: str, url: str, user: str = "alice") -> InProcess:
    return InProcess(*machine_env(tmp_path, name, url, user))


def sql(url: str, *statements: str) -> None:
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        for s in statements:
            cur.execute(s)
    conn.close()


# --- R1: a revoked share stays in the copy and is shown offline -------------


def test_a_revoked_share_leaves_the_copy_once_online_again(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    alice = machine(tmp_path, "alice", net.url(pg_url), user="alice")
    bob = machine(tmp_path, "bob", net.url(pg_url), user="bob")
    alice.ok("add", "salary review notes", "-t", "hr")
    alice.ok("share", "hr", "--with", "bob")
    assert bob.ok("list", "--shared") == "alice/1\topen\tsalary review notes\n"
    alice.ok("unshare", "hr", "--with", "bob")
    # bob is online again after the revocation, and lists everything he can.
    assert bob.ok("list", "--shared") == ""
    bob.ok("list")
    bob.ok("list", "--all")
    net.mode = "refuse"
    listed = bob("list", "--shared")
    assert "salary review notes" not in listed.stdout, "revoked share shown offline"
    shown = bob("show", "alice/1")
    assert "salary review notes" not in shown.stdout, "revoked share shown offline"


# --- R2: an undo queued offline takes back another machine's change ---------


def test_undo_queued_offline_never_takes_back_a_change_replayed_later_by_another_machine(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "pay rent")  # the change a will mean to undo
    b.ok("list")
    net.mode = "refuse"
    assert b("edit", "1", "--title", "pay rent (done by transfer)").returncode == 0  # queued on b
    net.mode = "up"
    a.ok("list")  # a is online, later than b's queued edit was made
    net.mode = "refuse"
    assert a("undo").returncode == 0  # queued: "undo my last change (the add)"
    net.mode = "up"
    b.ok("list")  # b replays its edit: journaled at b's (earlier) stamp
    replayed = a("list")
    # a's undo meant the add; the newest change is now b's edit: it must be
    # held ("a change was made since"), never take back b's edit.
    assert rows(pg_url, "SELECT title FROM todos") == [("pay rent (done by transfer)",)], (
        replayed.stderr
    )
    assert "not applied, kept: undo" in replayed.stderr


# --- R3: a provisional name resolves to another todo after a restore --------


def test_a_provisional_name_never_resolves_to_another_todo_after_a_restore(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "keep")
    net.mode = "refuse"
    assert a("add", "buy a present").stdout == "q1\n"
    net.mode = "up"
    assert "q1 is now 2" in a("list").stderr
    # The server goes back to before todo 2 (a Neon branch reset).
    sql(
        pg_url,
        "SET session_replication_role = replica",
        "DELETE FROM todos WHERE number = 2",
        "DELETE FROM events WHERE id = (SELECT max(id) FROM events)",
        "UPDATE users SET last_number = 1",
    )
    b.ok("add", "delete the production database")  # number 2 again, another todo
    done = a("done", "q1")
    assert rows(pg_url, "SELECT number, done FROM todos ORDER BY number") == [
        (1, False),
        (2, False),
    ], f"q1 ('buy a present') completed another todo: {done.stderr}"
    assert (done.returncode, done.stderr) == (
        2,
        "todo: error: q1 was todo 2, which the server no longer holds (restored to an "
        "earlier state?): q1 names no todo now\n",
    )
    assert a.ok("show", "2").startswith("number     2\n")  # a plain number is the server's


# --- R4: a corrupted outbox ends in a traceback or is silently ignored ------


@pytest.mark.parametrize("damage", ["truncate", "garbage-json"])
def test_a_damaged_outbox_is_one_error_line_never_a_traceback(
    net: Network, pg_url: str, tmp_path: Path, damage: str
) -> None:
    import gc
    import sqlite3

    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "one")
    todo.ok("list")
    net.mode = "refuse"
    for i in range(30):
        assert todo("add", f"offline {i} " + "x" * 200).returncode == 0
    net.mode = "up"
    (box,) = (todo.home / ".local/state/todo/offline").glob("*.db")
    # The in-process runs leave their connection to the file open (a real
    # process closes it as it ends): closed, the queue is moved from the
    # -wal into the file itself, and the damage is made there.
    gc.collect()
    conn = sqlite3.connect(box)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if damage == "garbage-json":
        conn.execute("UPDATE outbox SET payload = '{not json' WHERE seq = 5")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for side in (Path(f"{box}-wal"), Path(f"{box}-shm")):
        assert not side.exists() or side.stat().st_size == 0 or side.name.endswith("-shm")
        side.unlink(missing_ok=True)
    if damage == "truncate":
        data = box.read_bytes()
        box.write_bytes(data[: len(data) // 2])
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "todo"), "list"],
        env={**todo.env},
        cwd=todo.cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 6, result.stderr
    assert result.stderr.startswith(f"todo: error: cannot use the offline file {box}: "), (
        result.stderr
    )
    assert result.stderr.endswith(
        "; move it aside to go on (the changes queued in it are then not replayed)\n"
    )
    assert result.stderr.count("\n") == 1, result.stderr


# --- R5: kill -9 after the server committed a queued undo -------------------


def _process(tmp_path: Path, name: str, url: str, **extra: str) -> Todo:
    home = tmp_path / name
    (home / "work").mkdir(parents=True)
    env = clean_env(
        home, DATABASE_URL=url, TODO_USER="alice", TODO_OFFLINE_AFTER=OFFLINE_AFTER, **extra
    )
    return Todo(home, env, home / "work")


@pytest.mark.parametrize("point", ["after-commit", "after-mark"])
def test_kill_9_during_the_replay_of_a_queued_undo_undoes_once(
    net: Network, pg_url: str, tmp_path: Path, point: str
) -> None:
    todo = _process(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "one")
    todo.ok("add", "two")
    todo.ok("list")
    net.mode = "refuse"
    assert todo("undo").returncode == 0  # queued: take back "add two"
    net.mode = "up"
    killed = todo("list", env={"TODO_OFFLINE_CRASH": point})
    assert killed.returncode == -9, killed.stderr
    result = todo("list", "--all")
    assert result.returncode == 0, result.stderr
    assert rows(pg_url, "SELECT number FROM todos ORDER BY number") == [(1,)], result.stderr


# --- R6: whoami --check offline never answers from the copy -----------------


def test_whoami_check_offline_is_exit_4_not_the_copy(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "one")
    todo.ok("list")
    net.mode = "refuse"
    result = todo("whoami", "--check", env={"TODO_RETRY_BUDGET": "0.3"})
    assert result.returncode == 4, (result.stdout, result.stderr)
    assert "copy of" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("todo: error:")


# --- R7: a restore that lost only changes (no numbers) is not detected ------


def test_a_restore_that_lost_an_edit_is_detected_before_replaying_an_add(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "one")
    todo.ok("edit", "1", "--title", "one, edited")  # event #2, seen by this machine
    todo.ok("list")
    # The server goes back to before the edit (a point-in-time restore).
    sql(
        pg_url,
        "SET session_replication_role = replica",
        "UPDATE todos SET title = 'one'",
        "DELETE FROM events WHERE id = (SELECT max(id) FROM events)",
    )
    net.mode = "refuse"
    assert todo("add", "two").stdout == "q1\n"
    net.mode = "up"
    result = todo("list")
    assert "history went back" in result.stderr, result.stderr
    assert rows(pg_url, "SELECT count(*) FROM todos") == [(1,)]


# --- R8: TODO_ONLINE with a value it does not know is silently "offline ok" -


@pytest.mark.parametrize("value", ["on", "y", "TRUE "])
def test_todo_online_on_is_never_queued(
    net: Network, pg_url: str, tmp_path: Path, value: str
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "one")
    net.mode = "refuse"
    result = todo("add", "two", env={"TODO_ONLINE": value, "TODO_RETRY_BUDGET": "0.3"})
    assert (result.returncode, result.stdout) == (4, ""), result.stderr
    assert result.stderr.startswith("todo: error: cannot reach postgresql "), result.stderr
    assert "queued" not in result.stderr


# --- R9: the reply to a replayed COMMIT lost (outcome unknown) --------------


def test_a_replayed_commit_whose_reply_is_lost_is_applied_once(pg_url: str, tmp_path: Path) -> None:
    from tests.support.tcp_proxy import TCPProxy

    truncate(pg_url)
    parsed = parse_database_url(pg_url, source="")
    with (
        TCPProxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy,
        Network(proxy.port) as net,
    ):
        url = net.url(pg_url)
        a, b = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
        a.ok("add", "one")
        a.ok("add", "two")
        a.ok("list")
        b.ok("list")
        net.mode = "refuse"
        assert a("done", "1").returncode == 0
        assert b("done", "2").returncode == 0
        net.mode = "up"
        proxy.wait_idle()
        proxy.reset()
        b.ok("sync")  # replays "done 2": measured
        proxy.wait_idle()
        bursts = proxy.per_connection
        # the last connection is the replay of "done 2"; its last burst is
        # Terminate, the one before it the COMMIT.
        commit = bursts[-1] - 1
        proxy.reset()
        proxy.lose_reply_after_bursts = commit
        proxy.faulty_connections = len(bursts)
        first = a("sync")
        assert "Traceback" not in first.stderr
        proxy.lose_reply_after_bursts = None
        proxy.faulty_connections = None
        second = a("sync")
        assert second.returncode == 0, (first.stderr, second.stderr)
        assert rows(pg_url, "SELECT count(*) FROM events WHERE action = 'done'") == [(2,)], (
            bursts,
            first.stderr,
            second.stderr,
        )
        assert rows(pg_url, "SELECT number, done FROM todos ORDER BY number") == [
            (1, True),
            (2, True),
        ]
        assert a.ok("sync") == ""


# --- R10: Ctrl-C while the replayed COMMIT is in flight ---------------------


@pytest.mark.parametrize("burst", [5, 6])  # a statement before COMMIT; the COMMIT itself
def test_ctrl_c_while_a_replayed_change_is_in_flight_applies_once(
    pg_url: str, tmp_path: Path, burst: int
) -> None:
    import signal

    from tests.support.tcp_proxy import TCPProxy

    truncate(pg_url)
    parsed = parse_database_url(pg_url, source="")
    with (
        TCPProxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy,
        Network(proxy.port) as net,
    ):
        url = net.url(pg_url)
        a = machine(tmp_path, "a", url)
        a.ok("add", "one")
        a.ok("list")
        net.mode = "refuse"
        assert a("edit", "1", "--title", "ONE").returncode == 0
        net.mode = "up"
        proxy.wait_idle()
        proxy.reset()
        proxy.hold_burst = burst  # 6: the COMMIT of the replay connection (R9: 7 bursts)
        proxy.faulty_connections = None
        child = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "todo"), "sync"],
            env=a.env,
            cwd=a.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=as_at_a_terminal,
        )
        assert proxy.holding.wait(20)
        child.send_signal(signal.SIGINT)
        try:  # Ctrl-C held while COMMIT is in flight, and no reply ever comes:
            _, err = child.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            proxy.release()
            pytest.fail("todo sync hung >20 s after Ctrl-C on a silent network mid-replay")
        assert (child.returncode, err) == (
            130,
            "todo: error: interrupted while replaying edit 1: it stays queued, and the next "
            "replay asks the server's journal first (applied at most once; see: todo sync)\n",
        )
        proxy.hold_burst = None
        proxy.release()  # the COMMIT reaches the server after the client gave up
        proxy.wait_idle()
        assert "Traceback" not in err, err
        again = a("sync")
        assert again.returncode == 0, (err, again.stderr)
        assert rows(pg_url, "SELECT count(*) FROM events WHERE action = 'edit'") in ([(1,)],), (
            err,
            again.stderr,
        )
        assert rows(pg_url, "SELECT title FROM todos") == [("ONE",)], (err, again.stderr)
        assert a.ok("sync") == ""


# --- R11: a read-only outbox file at replay ---------------------------------


def test_a_read_only_outbox_at_replay_is_one_line_and_applies_nothing_twice(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "one")
    todo.ok("list")
    net.mode = "refuse"
    assert todo("edit", "1", "--title", "ONE").returncode == 0
    net.mode = "up"
    folder = todo.home / ".local/state/todo/offline"
    files = [*folder.iterdir()]
    for f in files:
        # A -wal file goes when the last connection to it is collected.
        with contextlib.suppress(FileNotFoundError):
            f.chmod(0o400)
    folder.chmod(0o500)
    try:
        env = {**todo.env}
        result = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "todo"), "list"],
            env=env,
            cwd=todo.cwd,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        folder.chmod(0o700)
        for f in files:
            with contextlib.suppress(FileNotFoundError):
                f.chmod(0o600)
    assert "Traceback" not in result.stderr, result.stderr
    assert all(ln.startswith("todo: ") for ln in result.stderr.splitlines()), result.stderr
    again = todo("list")
    assert rows(pg_url, "SELECT count(*) FROM events WHERE action = 'edit'") == [(1,)], (
        result.stderr,
        again.stderr,
    )


# --- R2b: an undo queued offline, the change it meant undone elsewhere ------


def test_undo_queued_offline_is_held_when_its_change_was_undone_elsewhere(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "one")
    a.ok("add", "two")  # the change a's undo means
    a.ok("list")
    net.mode = "refuse"
    assert a("undo").returncode == 0  # queued
    net.mode = "up"
    b.ok("undo")  # b, online, takes back "add two" meanwhile
    replayed = a("list")
    # a's undo must not now take back "add one", a change it never meant.
    assert rows(pg_url, "SELECT number FROM todos ORDER BY number") == [(1,)], replayed.stderr


# --- R10b: a network that goes silent mid-replay, and no one presses Ctrl-C -


@pytest.mark.parametrize("burst", [5, 6])  # a statement before COMMIT; the COMMIT itself
def test_a_replay_on_a_network_gone_silent_stops_within_its_budget(
    pg_url: str, tmp_path: Path, burst: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.tcp_proxy import TCPProxy
    from todo_cli.offline import replay

    monkeypatch.setattr(replay, "REPLY_WITHIN", 1.0)  # 15 s in use
    truncate(pg_url)
    parsed = parse_database_url(pg_url, source="")
    with (
        TCPProxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy,
        Network(proxy.port) as net,
    ):
        # A budget of 2 s: each attempt waits 1 s for its held reply, and
        # the default 15 s budget would retry for 15 s.
        a = InProcess(*machine_env(tmp_path, "a", net.url(pg_url), TODO_RETRY_BUDGET="2"))
        a.ok("add", "one")
        a.ok("list")
        net.mode = "refuse"
        assert a("edit", "1", "--title", "ONE").returncode == 0
        net.mode = "up"
        proxy.wait_idle()
        proxy.reset()
        proxy.hold_burst = burst
        proxy.faulty_connections = None
        stopped = a("sync")
        assert "replay stopped at edit 1: " in stopped.stderr
        assert "it stays queued, and the next replay asks the server's journal first" in (
            stopped.stderr
        )
        assert "#1\tsending\tedit 1" in stopped.stdout
        proxy.hold_burst = None
        proxy.release()
        proxy.wait_idle()
        again = a("sync")
        assert again.returncode == 0, (stopped.stderr, again.stderr)
        assert rows(pg_url, "SELECT count(*) FROM events WHERE action = 'edit'") == [(1,)]
        assert rows(pg_url, "SELECT title FROM todos") == [("ONE",)]


# --- R12: one todo under two keys, "q1" and then its number ----------------


def test_edit_q1_then_edit_its_number_chain_not_conflict(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = _process(tmp_path, "a", net.url(pg_url))
    todo.ok("list")
    net.mode = "refuse"
    assert todo("add", "draft").stdout == "q1\n"
    assert todo("edit", "q1", "--title", "first").returncode == 0
    net.mode = "up"
    # The add replays, and the process dies before the edit is sent.
    assert todo("sync", env={"TODO_OFFLINE_CRASH": "before-send:2"}).returncode == -9
    net.mode = "refuse"
    assert todo("edit", "1", "--title", "second").returncode == 0  # q1 is 1 now
    net.mode = "up"
    replayed = todo("sync")
    assert replayed.returncode == 0, replayed.stderr
    assert "not applied" not in replayed.stderr
    assert rows(pg_url, "SELECT number, title FROM todos") == [(1, "second")]
