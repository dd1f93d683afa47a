"""Offline mode in a process (issue 22; README: Offline): `kill -9` at every
step of replay, a name that does not resolve, a stopped PgBouncer, a
server restored to an earlier state, a Neon cold start (never offline)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from tests.support import pgservers
from tests.support.databases import ScratchDatabases, via_pgbouncer
from tests.support.inprocess import InProcess
from tests.support.network import Network, machine_env
from tests.support.pgservers import PGBOUNCER, PgBouncer
from tests.support.processes import Todo, clean_env
from tests.support.rawsql import pg_rows as rows
from tests.support.tcp_proxy import TCPProxy, proxied_url
from todo_cli.dburl import parse_database_url


@pytest.fixture
def db(scratch_dbs: ScratchDatabases) -> str:
    return scratch_dbs.copy_at_head()


@pytest.fixture
def net(db: str) -> Iterator[Network]:
    with Network(parse_database_url(db, source="").port or 5432) as network:
        yield network


def machine(tmp_path: Path, name: str, url: str, **env: str) -> Todo:
    return Todo(*machine_env(tmp_path, name, url, **env))


def in_process(todo: Todo) -> InProcess:
    """todo's machine (its HOME, environment and folder) in-process: for
    the commands that set a scene, so that processes are spent where a
    process is the point (kill -9, replays at once)."""
    return InProcess(todo.home, todo.env, todo.cwd)


def _queue_five(todo: Todo, net: Network) -> None:
    here = in_process(todo)
    assert here.ok("add", "one") == "1\n"
    assert here.ok("add", "two") == "2\n"
    here.ok("list")
    net.mode = "refuse"
    assert here.ok("add", "three") == "q1\n"  # 1
    here.ok("edit", "1", "--title", "ONE")  # 2
    here.ok("done", "2")  # 3
    here.ok("done", "q1")  # 4
    here.ok("rm", "1", "--yes")  # 5: after the edit of 1, on what it leaves
    net.mode = "up"


def _replayed_once(db: str) -> None:
    assert rows(db, "SELECT number, title, done FROM todos ORDER BY number") == [
        (2, "two", True),
        (3, "three", True),
    ]
    assert rows(db, "SELECT action FROM events ORDER BY id") == [
        ("add",),
        ("add",),
        ("add",),
        ("edit",),
        ("done",),
        ("done",),
        ("rm",),
    ]


STEPS = [
    (point, seq) for seq in range(1, 6) for point in ("before-send", "after-commit", "after-mark")
]


def test_kill_9_at_every_step_of_replay_loses_nothing_and_doubles_nothing(
    net: Network, db: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(db))
    _queue_five(todo, net)
    for point, seq in STEPS:
        killed = todo("sync", env={"TODO_OFFLINE_CRASH": f"{point}:{seq}"})
        assert killed.returncode == -9, (point, seq, killed.stderr)
    assert todo.ok("sync") == ""
    _replayed_once(db)
    assert todo.ok("show", "q1").startswith("number     3\n")


@pytest.mark.parametrize("seq", [1, 2, 5])  # an add; an edit a later rm waits on; that rm
@pytest.mark.parametrize("point", ["before-send", "after-commit", "after-mark"])
def test_kill_9_at_one_step_then_a_clean_replay(
    net: Network, db: str, tmp_path: Path, point: str, seq: int
) -> None:
    todo = machine(tmp_path, "a", net.url(db))
    _queue_five(todo, net)
    assert todo("list", env={"TODO_OFFLINE_CRASH": f"{point}:{seq}"}).returncode == -9
    result = todo("list", "--all")
    assert (result.returncode, result.stdout) == (0, "2\tdone\ttwo\n3\tdone\tthree\n")
    _replayed_once(db)


def test_a_name_that_does_not_resolve_is_offline_at_once(tmp_path: Path) -> None:
    todo = machine(tmp_path, "a", "postgresql://alice@todo-offline-test.invalid:5432/todo")
    start = time.monotonic()
    result = todo("add", "on a plane")
    elapsed = time.monotonic() - start
    print(f"\nunresolvable name: queued after {elapsed:.2f} s (process start included)")
    assert (result.returncode, result.stdout) == (0, "q1\n"), result.stderr
    assert elapsed < 1.0 + 1.0  # 1 s, plus a process's start on a busy machine


def test_a_silent_server_is_offline_after_the_documented_budget(db: str, tmp_path: Path) -> None:
    with Network(parse_database_url(db, source="").port or 5432) as net:
        todo = machine(tmp_path, "a", net.url(db), TODO_OFFLINE_AFTER="")
        todo.ok("list")
        net.mode = "blackhole"
        start = time.monotonic()
        result = todo("add", "x")
        elapsed = time.monotonic() - start
    print(f"\nblack-holed: queued after {elapsed:.2f} s (budget 3 s)")
    assert (result.returncode, result.stdout) == (0, "q1\n"), result.stderr
    assert 3.0 <= elapsed < 3.0 + 2.0


def test_a_stopped_pgbouncer_then_replay(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not Path(PGBOUNCER).exists():
        pytest.skip("pgbouncer is not installed")
    port = parse_database_url(db, source="").port or 5432
    bouncer = PgBouncer(target_port=port).start()
    try:
        todo = machine(tmp_path, "a", via_pgbouncer(db, bouncer))
        todo.ok("add", "a")
        todo.ok("list")
        bouncer_port = bouncer.port
        bouncer.stop()
        assert todo.ok("done", "1") == ""
        assert todo.ok("add", "b") == "q1\n"
        monkeypatch.setattr(pgservers, "free_port", lambda: bouncer_port)
        bouncer = PgBouncer(target_port=port).start()
        replayed = todo("list", "--all")
        assert replayed.stdout == "1\tdone\ta\n2\topen\tb\n", replayed.stderr
        assert "q1 is now 2" in replayed.stderr
    finally:
        bouncer.stop()


def test_a_restored_server_is_detected_not_replayed_into(
    net: Network, db: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(db))
    todo.ok("add", "a")
    todo.ok("add", "b")
    todo.ok("list")
    # The server goes back to before todo 2 (a branch reset, a backup).
    conn = psycopg2.connect(db)
    with conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # past the journal's triggers
        cur.execute("DELETE FROM todos WHERE number = 2")
        cur.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
        cur.execute("UPDATE users SET last_number = 1")
    conn.close()
    net.mode = "refuse"
    todo.ok("edit", "1", "--title", "A")
    net.mode = "up"
    result = todo("list")
    assert result.returncode == 0
    assert result.stdout == "1\topen\ta\n"
    assert "todo: warning: the server's history went back (its last todo number is 1, this " in (
        result.stderr
    )
    assert rows(db, "SELECT title FROM todos") == [("a",)]
    assert "went back" in todo("sync").stderr
    todo.ok("sync", "--accept-restore")
    assert rows(db, "SELECT title FROM todos") == [("A",)]
    assert todo.ok("sync") == ""


def test_a_neon_cold_start_is_retried_never_offline(db: str, tmp_path: Path) -> None:
    parsed = parse_database_url(db, source="")
    with TCPProxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
        proxy.error_first = 3  # "Couldn't connect to compute node", three times
        todo = machine(tmp_path, "a", proxied_url(db, proxy.port))
        result = todo("add", "x")
    assert (result.returncode, result.stdout, result.stderr) == (0, "1\n", "")


def test_offline_files_are_private(net: Network, db: str, tmp_path: Path) -> None:
    todo = machine(tmp_path, "a", net.url(db))
    todo.ok("add", "secret")
    todo.ok("list")
    folder = todo.home / ".local/state/todo/offline"
    assert folder.stat().st_mode & 0o777 == 0o700
    files = list(folder.iterdir())
    assert len([f for f in files if f.suffix == ".db"]) == 1
    assert {f.name: f.stat().st_mode & 0o777 for f in files} == {f.name: 0o600 for f in files}


def test_the_embedded_file_never_goes_offline(tmp_path: Path) -> None:
    home = tmp_path / "h"
    (home / "work").mkdir(parents=True)
    todo = Todo(home, clean_env(home), home / "work")
    assert todo.ok("add", "x") == "1\n"
    assert not (home / ".local/state/todo/offline").exists()
    result = todo("sync")
    assert result.returncode == 2
    assert "never offline" in result.stderr


def test_tab_offline_offers_the_copy_and_the_queued_names(
    net: Network, db: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(db))
    todo.ok("add", "Pay rent")
    todo.ok("add", "Call the bank")
    todo.ok("done", "2")
    net.mode = "refuse"
    todo.ok("add", "Book flights")
    assert todo.ok("__complete", "fish", "2", "todo", "done", "") == (
        "1\tPay rent\nq1\tBook flights\n"
    )
    assert todo.ok("__complete", "bash", "2", "todo", "reopen", "") == "2\n"


def test_two_replays_at_once_apply_each_change_once(net: Network, db: str, tmp_path: Path) -> None:
    import subprocess

    from tests.support.processes import TODO_BIN

    todo = machine(tmp_path, "a", net.url(db))
    _queue_five(todo, net)
    procs = [
        subprocess.Popen(
            [TODO_BIN, "sync"],
            env=todo.env,
            cwd=todo.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert (proc.returncode, out) == (0, ""), err
    _replayed_once(db)


@pytest.mark.parametrize("point", ["before-send", "after-commit", "after-mark"])
def test_kill_9_during_a_queued_undo_undoes_once(
    net: Network, db: str, tmp_path: Path, point: str
) -> None:
    todo = machine(tmp_path, "a", net.url(db))
    here = in_process(todo)
    here.ok("add", "a")
    here.ok("add", "b")
    here.ok("add", "c")
    here.ok("list")
    net.mode = "refuse"
    queued = here("undo")
    assert "queued undo" in queued.stderr
    net.mode = "up"
    assert todo("sync", env={"TODO_OFFLINE_CRASH": f"{point}:1"}).returncode == -9
    assert todo.ok("sync") == ""
    assert rows(db, "SELECT number FROM todos ORDER BY number") == [(1,), (2,)]
    assert rows(db, "SELECT count(*) FROM events WHERE undone_at IS NOT NULL") == [(1,)]
