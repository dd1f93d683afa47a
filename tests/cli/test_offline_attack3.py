"""Offline mode under attack, third review (branch review3): each test is
one way to lose, double or misapply a change made offline that the earlier
reviews (test_offline_review.py, test_offline_attack.py) did not cover.
Scratch databases are named rv_*, dropped afterwards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.inprocess import InProcess
from tests.support.network import Network, copy_folder
from tests.support.offline_scene import machine, titles
from tests.support.rawsql import pg_rows as rows
from todo_cli.dburl import parse_database_url


def _in_query(url: str, name: str) -> str:
    """url with no database in its path, the database named in the query
    (libpq's ?dbname=), as libpq takes it."""
    base = url.split("?", 1)[0].rsplit("/", 1)[0]
    return f"{base}/?dbname={name}"


def test_two_databases_named_in_the_query_never_share_one_offline_file(
    dbs: Callable[[], str], tmp_path: Path
) -> None:
    """libpq takes the database (and host, port, service) from the URL's
    query too: postgresql://u@h/?dbname=work. The offline file is keyed by
    the path only (where_key: the role's name when the path has none), so
    two databases named so share one file: a change queued for one is
    replayed into the other, and one's copy is shown as the other."""
    work_db, home_db = dbs(), dbs()
    with Network(5432) as net:
        work = net.url(_in_query(work_db, work_db.rsplit("/", 1)[1]))
        home = net.url(_in_query(home_db, home_db.rsplit("/", 1)[1]))
        m = machine(tmp_path, "m", work)
        other = machine(tmp_path, "other", home)
        for t in ("h1", "h2", "h3"):
            other.ok("add", t)  # home's history is ahead of work's
        m.ok("add", "work secret")
        m.ok("list")
        net.mode = "refuse"
        assert m.ok("add", "for work only") == "q1\n"
        shown = m("list", env={"DATABASE_URL": home})  # offline, on the home database
        net.mode = "up"
        replayed = m("list", env={"DATABASE_URL": home})
    print(replayed.stderr)
    assert "for work only" not in titles(home_db), replayed.stderr
    assert titles(work_db) == ["work secret", "for work only"] or "q1" not in replayed.stderr
    assert "work secret" not in shown.stdout, shown.stdout


def test_a_replayed_undo_never_takes_back_a_change_committed_while_it_checks(
    net: Network, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queued undo is applied only if the entry it means is still the
    newest not undone (replaying.newest), then history.undo takes whatever
    is newest *then*, by a second read: the first read locks nothing, so a
    change another machine commits in between is the one undone."""
    from todo_cli.store import replaying

    a, b = machine(tmp_path, "a", net.url(db)), machine(tmp_path, "b", net.url(db))
    a.ok("add", "typo")  # the change a means to undo
    a.ok("list")
    net.mode = "refuse"
    assert "queued undo" in a("undo").stderr
    net.mode = "up"
    real = replaying.newest
    raced: list[str] = []

    def newest_then_another_machine(session: object) -> object:
        found = real(session)  # type: ignore[arg-type]
        if not raced:
            raced.append(b.ok("add", "b's important todo"))  # committed meanwhile
        return found

    monkeypatch.setattr(replaying, "newest", newest_then_another_machine)
    replayed = a("sync")
    print(replayed.stderr)
    assert raced
    assert "b's important todo" in titles(db), replayed.stderr


def _offline_dir(home: Path) -> Path:
    return home / ".local" / "state" / "todo" / "offline"


@pytest.mark.parametrize(
    "change", [("edit", "1", "--title", "wrong title"), ("done", "1"), ("rm", "1", "--yes")]
)
def test_an_outbox_restored_from_a_backup_never_replays_a_change_undone_since(
    net: Network, db: str, tmp_path: Path, change: tuple[str, ...]
) -> None:
    """Undo puts a todo back as it was, updated_at too: the version a change
    queued before it saw. An outbox restored from a backup (a HOME restored,
    a VM snapshot) still holds that change, "waiting": replay asks the
    journal only for adds and changes left "sending", so the version check
    passes and the change the user undid is applied a second time."""
    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "call the bank", "--every", "week", "--due", "tomorrow")
    a.ok("list")
    net.mode = "refuse"
    a.ok(*change)
    backup = tmp_path / "backup"
    copy_folder(_offline_dir(a.home), backup)
    net.mode = "up"
    assert "applied:" in a("list").stderr
    a.ok("undo")  # not what I meant: taken back, online
    before = rows(db, "SELECT number, title, done FROM todos ORDER BY number")
    copy_folder(backup, _offline_dir(a.home))  # the backup comes back
    replayed = a("sync")
    print(replayed.stderr)
    assert rows(db, "SELECT number, title, done FROM todos ORDER BY number") == before, (
        replayed.stderr
    )


def _edit_box(home: Path, *statements: str) -> None:
    import sqlite3

    (box,) = _offline_dir(home).glob("*.db")
    conn = sqlite3.connect(box)
    for s in statements:
        conn.execute(s)
    conn.commit()
    conn.close()


def _two_queued(net: Network, db: str, tmp_path: Path) -> InProcess:
    """Todos 1 and 2 read online; offline, edit 1 (#1) and done 2 (#2) queued."""
    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "one")
    a.ok("add", "keep me")
    a.ok("list")
    net.mode = "refuse"
    a.ok("edit", "1", "--title", "ONE")
    a.ok("done", "2")
    return a


def test_a_queued_change_of_a_kind_todo_does_not_know_is_never_replayed_as_rm(
    net: Network, db: str, tmp_path: Path
) -> None:
    """A damaged or hand-edited outbox row whose kind is not one todo knows
    (one flipped bit: "done" read as "dome") falls through replay._apply's
    branches to the last one, changes.remove: the todo is removed, and the
    replay says "applied"."""
    a = _two_queued(net, db, tmp_path)
    _edit_box(a.home, "UPDATE outbox SET kind = 'dome' WHERE seq = 2")
    net.mode = "up"
    replayed = a("list")
    print(replayed.stderr)
    assert rows(db, "SELECT number FROM todos ORDER BY number") == [(1,), (2,)], replayed.stderr


def test_a_queued_change_in_a_state_todo_does_not_know_is_never_passed_over_unsaid(
    net: Network, db: str, tmp_path: Path
) -> None:
    """Box.entries() reads only the states waiting, sending and held: a row
    in any other state (damaged, edited by hand) is neither replayed nor
    listed, and todo sync says every change made offline is on the server,
    though `done 2` never was (README: a file todo cannot read is an error,
    never passed over)."""
    a = _two_queued(net, db, tmp_path)
    _edit_box(a.home, "UPDATE outbox SET state = 'sent' WHERE seq = 2")
    net.mode = "up"
    synced = a("sync")
    print(synced.stdout, synced.stderr)
    done = rows(db, "SELECT done FROM todos WHERE number = 2") == [(True,)]
    assert done or synced.returncode == 6, (synced.returncode, synced.stdout, synced.stderr)


@pytest.mark.parametrize(
    ("statement", "command"),
    [
        ("UPDATE outbox SET saw = '[1]' WHERE seq = 2", "list"),
        ("UPDATE outbox SET payload = '[1]' WHERE seq = 2", "list"),
        ("UPDATE outbox SET payload = '{}' WHERE seq = 2", "list"),
        ("UPDATE outbox SET payload = '{\"refs\": [2]}' WHERE seq = 2", "list"),
        ("INSERT OR REPLACE INTO meta VALUES ('max_number', 'abc')", "list"),
        ("INSERT OR REPLACE INTO meta VALUES ('last_name', 'x')", "offline add"),
        ("INSERT OR REPLACE INTO meta VALUES ('last_stamp', 'x')", "offline add"),
        ("INSERT OR REPLACE INTO meta VALUES ('copied_at', 'x')", "offline list"),
        ("INSERT OR REPLACE INTO meta VALUES ('changed_online_after', 'x')", "offline undo"),
        ("UPDATE copy SET data = 'junk'", "offline list"),
        ("UPDATE copy SET data = '{}'", "offline list"),
        ("DROP TABLE names", "list"),
        ("ALTER TABLE outbox DROP COLUMN reason", "list"),
    ],
)
def test_a_hand_edited_offline_file_is_exit_6_never_unexpected(
    net: Network, db: str, tmp_path: Path, statement: str, command: str
) -> None:
    """README: a file todo cannot read (damaged, or edited by hand) is an
    error on every command (exit 6, one line). Only unreadable JSON and a
    damaged SQLite file are: a value of the wrong type, a missing table or
    column is an "unexpected" exit 1 asking for a bug report."""
    a = _two_queued(net, db, tmp_path)
    _edit_box(a.home, statement)
    if not command.startswith("offline"):
        net.mode = "up"
    args = {"list": ["list"], "offline add": ["add", "x"], "offline list": ["list"]}.get(
        command, ["undo"]
    )
    result = a(*args)
    assert "unexpected" not in result.stderr, result.stderr
    assert result.returncode == 6, (result.returncode, result.stderr)
    assert result.stderr.startswith("todo: error: cannot use the offline file "), result.stderr


def test_ctrl_c_just_after_a_change_is_queued_never_says_nothing_was_changed(
    net: Network, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the outbox committed the add (while the command reads
    the queue back to report it) ends in cli.py's "interrupted; nothing was
    changed", exit 130: the user types the add again, and both are replayed."""
    from todo_cli.offline import queue

    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "one")
    a.ok("list")
    net.mode = "refuse"

    def ctrl_c(*_args: object, **_kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(queue, "report", ctrl_c)  # the queue committed; then Ctrl-C
    stopped = a("add", "pay rent")
    monkeypatch.undo()
    print(stopped.returncode, stopped.stderr)
    queued = a("sync").stdout
    assert "pay rent" in queued  # it was queued, and will be replayed
    assert "nothing was changed" not in stopped.stderr, stopped.stderr


def test_ctrl_c_after_the_server_committed_a_replayed_change_never_says_nothing_was_changed(
    net: Network, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the server committed a replayed add, while the outbox
    learns it (settle: a local transaction with an fsync) is not caught by
    replay._one: cli.py says "interrupted; nothing was changed", though the
    todo is on the server."""
    from todo_cli.offline import replay

    a = machine(tmp_path, "a", net.url(db))
    a.ok("add", "one")
    a.ok("list")
    net.mode = "refuse"
    a.ok("add", "pay rent")
    net.mode = "up"

    def ctrl_c(*_args: object, **_kw: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(replay, "settle", ctrl_c)
    stopped = a("sync")
    monkeypatch.undo()
    print(stopped.returncode, stopped.stderr)
    assert titles(db) == ["one", "pay rent"]  # on the server
    assert "nothing was changed" not in stopped.stderr, stopped.stderr


def test_one_database_behind_pgbouncer_and_direct_never_gives_one_name_twice(
    db: str, tmp_path: Path
) -> None:
    """The same database reached directly and through a PgBouncer on another
    port (two URLs of one machine, one user, one profile): where_key keeps
    the port, so each gets its own offline file, its own queue and its own
    q1. `todo done q1` then completes another todo depending on which URL
    the shell has, and the restore marks of one never see the other."""
    port = parse_database_url(db, source="").port or 5432
    with Network(port) as direct, Network(port) as bouncer:
        a = machine(tmp_path, "a", direct.url(db))
        other = {"DATABASE_URL": bouncer.url(db)}
        a.ok("add", "one")
        a.ok("list")
        direct.mode = bouncer.mode = "refuse"
        assert a.ok("add", "pay rent") == "q1\n"
        second = a.ok("add", "buy milk", env=other)
        direct.mode = bouncer.mode = "up"
        a.ok("list")
        a.ok("list", env=other)
        print(second)
        assert second != "q1\n", "q1 given twice on this machine, to two todos"
