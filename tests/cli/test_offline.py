"""Offline mode in-process (issue 22; README: Offline): the network cut
with a forwarder (refused, black-holed), changes queued and replayed
exactly once, reads from the copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from tests.support.databases import truncate
from tests.support.inprocess import InProcess
from tests.support.network import OFFLINE_AFTER, Network, machine_env
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


@pytest.mark.parametrize("cut", ["refuse", "blackhole"])
def test_add_edit_done_rm_undo_offline_then_replay(
    net: Network, pg_url: str, tmp_path: Path, cut: str
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    assert todo.ok("add", "one") == "1\n"
    assert todo.ok("add", "two") == "2\n"
    assert todo.ok("list") == "1\topen\tone\n2\topen\ttwo\n"
    net.mode = cut
    # Each of the seven commands on the silent network waits out the
    # budget: a short one while no connection can succeed anyway.
    todo.env["TODO_OFFLINE_AFTER"] = "0.5"
    added = todo("add", "three")
    assert (added.returncode, added.stdout) == (0, "q1\n"), added.stderr
    assert "queued add q1" in added.stderr
    assert todo("edit", "1", "--title", "ONE").returncode == 0
    assert todo("done", "2").returncode == 0
    assert todo("done", "q1").returncode == 0
    assert todo("rm", "2", "--yes").returncode == 0
    taken = todo("undo")
    assert taken.stderr == (
        "todo: offline: took back the queued rm 2: it never reached the server\n"
    )
    listed = todo("list")
    assert (listed.returncode, listed.stdout) == (0, "1\topen\tone\n2\topen\ttwo\n")
    assert "todo: offline: copy of " in listed.stderr
    assert "4 changes queued" in listed.stderr
    net.mode = "up"
    todo.env["TODO_OFFLINE_AFTER"] = OFFLINE_AFTER
    listed = todo("list", "--all")
    assert listed.returncode == 0, listed.stderr
    assert "q1 is now 3" in listed.stderr
    assert listed.stdout == "1\topen\tONE\n2\tdone\ttwo\n3\tdone\tthree\n"
    assert rows(pg_url, "SELECT count(*) FROM todos") == [(3,)]
    assert rows(pg_url, "SELECT action FROM events ORDER BY id") == [
        ("add",),
        ("add",),
        ("add",),
        ("edit",),
        ("done",),
        ("done",),
    ]
    assert todo.ok("sync") == ""


def test_the_same_todo_edited_offline_on_two_machines(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    """One applies; the other is held and reported, never merged; sync
    applies it anyway or drops it, as the user says."""
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "call the bank")
    a.ok("list")
    b.ok("list")
    net.mode = "blackhole"
    assert a("edit", "1", "--title", "from a").returncode == 0
    assert b("edit", "1", "--title", "from b").returncode == 0
    net.mode = "up"
    assert "applied: edit 1" in a("list").stderr
    replayed = b("list")
    assert replayed.stdout == "1\topen\tfrom a\n"
    assert "not applied, kept: edit 1: todo 1 was changed elsewhere since" in replayed.stderr
    assert b.ok("sync").startswith("#1\theld\tedit 1  (todo 1 was changed elsewhere since ")
    assert rows(pg_url, "SELECT title FROM todos") == [("from a",)]
    b.ok("sync", "--apply", "1")
    assert rows(pg_url, "SELECT title FROM todos") == [("from b",)]
    assert b.ok("sync") == ""
    assert rows(pg_url, "SELECT action FROM events ORDER BY id") == [("add",), ("edit",), ("edit",)]


def test_a_dropped_change_is_never_applied(net: Network, pg_url: str, tmp_path: Path) -> None:
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "x")
    b.ok("list")
    a.ok("done", "1")
    net.mode = "refuse"
    b.ok("rm", "1", "--yes")
    net.mode = "up"
    assert "not applied, kept: rm 1" in b("list", "--all").stderr
    b.ok("sync", "--drop", "1")
    assert b.ok("sync") == ""
    assert rows(pg_url, "SELECT number, done FROM todos") == [(1, True)]


def test_a_share_revoked_while_a_change_waits(net: Network, pg_url: str, tmp_path: Path) -> None:
    alice = machine(tmp_path, "alice", net.url(pg_url), user="alice")
    bob = machine(tmp_path, "bob", net.url(pg_url), user="bob")
    alice.ok("add", "milk", "-t", "groceries")
    alice.ok("share", "groceries", "--with", "bob", "--write")
    assert bob.ok("list", "--shared") == "alice/1\topen\tmilk\n"
    net.mode = "refuse"
    assert bob("done", "alice/1").returncode == 0
    net.mode = "up"
    alice.ok("unshare", "groceries", "--with", "bob")
    replayed = bob("list", "--shared")
    assert "not applied, kept: done alice/1: todo alice/1 was removed, or is no longer shared" in (
        replayed.stderr
    )
    assert rows(pg_url, "SELECT done FROM todos") == [(False,)]
    held = bob.ok("sync", "--apply", "1")  # applying anyway cannot pass the server's rules
    assert held.startswith("#1\theld\tdone alice/1  (no todo alice/1 shared with you to change")
    assert rows(pg_url, "SELECT done FROM todos") == [(False,)]


def test_a_repeating_todo_done_offline_on_two_machines_makes_one_next(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "water the plants", "--every", "week")
    a.ok("list")
    b.ok("list")
    net.mode = "refuse"
    a.ok("done", "1")
    b.ok("done", "1")
    net.mode = "up"
    a.ok("sync")
    assert "not applied, kept: done 1" in b("sync").stderr
    b.ok("sync", "--apply", "1")  # anyway: done is done, the next one is not made twice
    assert rows(pg_url, "SELECT number, done FROM todos ORDER BY number") == [(1, True), (2, False)]


def test_provisional_names_are_never_given_twice(net: Network, pg_url: str, tmp_path: Path) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("list")
    net.mode = "refuse"
    assert todo.ok("add", "a") == "q1\n"
    assert todo("undo").stderr.startswith("todo: offline: took back the queued add q1")
    assert todo.ok("add", "b") == "q2\n"
    shown = todo("show", "q1")
    assert (shown.returncode, shown.stderr) == (
        2,
        "todo: error: q1 was taken back or dropped before it was replayed\n",
    )
    net.mode = "up"
    assert "q2 is now 1" in todo("list").stderr
    assert todo.ok("show", "q2").startswith("number     1\n")
    assert rows(pg_url, "SELECT number, title FROM todos") == [(1, "b")]


def test_undo_offline_with_nothing_queued_replays_as_undo(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "a")
    todo.ok("add", "b")
    todo.ok("list")  # the newest change this machine saw: "add b"
    net.mode = "refuse"
    queued = todo("undo", "--json")
    assert queued.returncode == 0, queued.stderr
    assert '"queued": true' in queued.stdout
    net.mode = "up"
    assert "applied: undo" in todo("list").stderr
    assert rows(pg_url, "SELECT number FROM todos") == [(1,)]


def test_undo_queued_is_held_when_a_change_came_since(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "a")
    a.ok("list")
    net.mode = "refuse"
    a.ok("undo")
    net.mode = "up"
    b.ok("add", "b")
    assert "not applied, kept: undo: a change was made since" in a("list").stderr
    assert rows(pg_url, "SELECT number FROM todos ORDER BY number") == [(1,), (2,)]


def test_undo_queued_without_a_listing_online_is_held_not_guessed(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "a")
    todo.ok("list")
    todo.ok("add", "b")  # a change online: which entry is the newest, no listing said
    net.mode = "refuse"
    todo.ok("undo")
    net.mode = "up"
    assert "not applied, kept: undo: this machine had not seen" in todo("list").stderr
    assert rows(pg_url, "SELECT number FROM todos ORDER BY number") == [(1,), (2,)]


def test_online_flag_and_setting_make_offline_an_error(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("list")
    net.mode = "refuse"
    for args, env in ((("--online", "add", "x"), {}), (("add", "x"), {"TODO_ONLINE": "1"})):
        result = todo(*args, env={"TODO_RETRY_BUDGET": "0.3", **env})
        assert (result.returncode, result.stdout) == (4, "")
        assert result.stderr.startswith("todo: error: cannot reach postgresql ")
    checked = todo("whoami", "--check", env={"TODO_RETRY_BUDGET": "0.3"})
    assert checked.returncode == 4
    assert "offline: copy of" not in checked.stderr
    assert todo.ok("add", "queued") == "q1\n"
    net.mode = "up"
    replayed = todo("--online", "list")  # offline is an error, but what waits replays
    assert (replayed.returncode, replayed.stdout) == (0, "1\topen\tqueued\n")
    assert "q1 is now 1" in replayed.stderr
    assert todo.ok("sync") == ""


@pytest.mark.parametrize("value", ["on", "Y", " yes"])
def test_todo_online_takes_the_usual_spellings_of_yes(
    net: Network, pg_url: str, tmp_path: Path, value: str
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("list")
    net.mode = "refuse"
    result = todo("add", "x", env={"TODO_RETRY_BUDGET": "0.3", "TODO_ONLINE": value})
    assert (result.returncode, result.stdout) == (4, "")
    assert "queued" not in result.stderr


def test_an_unknown_todo_online_is_a_config_error(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    result = todo("add", "x", env={"TODO_ONLINE": "sometimes"})
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr == (
        "todo: error: TODO_ONLINE='sometimes' must be 1, true, yes, on or y (offline is an "
        "error), or 0, false, no, off, n or empty\n"
    )
    assert rows(pg_url, "SELECT count(*) FROM todos") == [(0,)]


def test_online_makes_no_offline_file(net: Network, pg_url: str, tmp_path: Path) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("--online", "add", "x")
    todo.ok("--online", "list")
    assert not (todo.home / ".local/state/todo/offline").exists()


def test_a_read_offline_without_a_copy_is_exit_4(net: Network, pg_url: str, tmp_path: Path) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    net.mode = "refuse"
    result = todo("list")
    assert (result.returncode, result.stdout) == (4, "")
    assert "offline, and this machine has no copy yet" in result.stderr
    result = todo("done", "1")
    assert result.returncode == 4
    assert "this machine has no copy of todo 1 (never read here online): nothing was queued" in (
        result.stderr
    )


def test_the_copy_forgets_what_was_removed_elsewhere(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "x")
    a.ok("add", "y")
    b.ok("list")
    a.ok("rm", "1", "--yes")
    b.ok("list")
    net.mode = "refuse"
    assert b.ok("list") == "2\topen\ty\n"


README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_offline_example_runs_as_shown(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    """README, Offline: each `name$ todo ...` line runs on that machine (a
    terminal, 80 columns, the clock at 2026-12-03 09:00 UTC), the network
    goes away and comes back where the example says, and what each command
    prints (stdout and stderr, as a terminal shows them) is what it shows."""
    import shlex
    from datetime import UTC, datetime

    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- offline-example -->\n```text\n", 1)[1].split("\n```", 1)[0]
    machines: dict[str, InProcess] = {}
    steps: list[tuple[str, list[str], list[str]]] = []
    for line in block.splitlines():
        if line == "(the network goes away)":
            steps.append(("refuse", [], []))
        elif line == "(the network is back)":
            steps.append(("up", [], []))
        elif "$ todo " in line:
            name, command = line.split("$ todo ", 1)
            steps.append((name, shlex.split(command), []))
        else:
            steps[-1][2].append(line)
    for name, args, expected in steps:
        if name in ("refuse", "up"):
            net.mode = name
            continue
        if name not in machines:
            machines[name] = machine(tmp_path, name, net.url(pg_url))
            machines[name].clock = lambda: datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
        code, shown = machines[name].tty(*args, env={"NO_COLOR": "1", "COLUMNS": "80", "TZ": "UTC"})
        assert code == 0, (name, args, shown)
        assert [line.rstrip() for line in shown.splitlines()] == expected, (name, args, shown)


def test_log_and_stats_offline_are_as_last_read_online(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "Pay rent")
    todo.ok("done", "1")
    log = todo.ok("log")
    stats = todo.ok("stats", "--json")
    net.mode = "refuse"
    offline = todo("log")
    assert (offline.returncode, offline.stdout) == (0, log)
    assert offline.stderr.startswith("todo: offline: todo log as last read online; copy of ")
    offline = todo("stats", "--json")
    assert (offline.returncode, offline.stdout) == (0, stats)


def test_a_name_that_does_not_resolve_decides_within_a_second(tmp_path: Path) -> None:
    import time

    todo = machine(tmp_path, "a", "postgresql://alice@todo-offline-test.invalid/todo")
    start = time.monotonic()
    queued = todo("add", "x")
    elapsed = time.monotonic() - start
    assert (queued.returncode, queued.stdout) == (0, "q1\n"), queued.stderr
    assert elapsed < 1.0, elapsed
    assert "could not translate host name" in todo("sync").stderr


def test_a_change_waiting_on_a_held_one_goes_when_that_one_is_settled(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.ok("add", "x")
    b.ok("list")
    net.mode = "refuse"
    b.ok("edit", "1", "--title", "from b")  # 1: will find 1 edited by a
    b.ok("done", "1")  # 2: waits on 1
    net.mode = "up"
    a.ok("edit", "1", "--title", "from a")
    b.ok("list")
    waiting = b.ok("sync")
    assert (
        waiting.splitlines()[1] == "#2\theld\tdone 1  (it waits on queued change #1, not applied)"
    )
    b.ok("sync", "--drop", "1")  # 2 now expects what 1 expected: 1 as b saw it, so it is held
    assert b.ok("sync").startswith("#2\theld\tdone 1  (todo 1 was changed elsewhere since ")
    b.ok("sync", "--apply", "2")
    assert rows(pg_url, "SELECT title, done FROM todos") == [("from a", True)]


def test_the_probe_leaves_what_it_cannot_judge_to_libpq() -> None:
    from todo_cli.store.reach import probe

    for url in (
        "postgresql:///todo",  # a Unix socket
        "postgresql://a,b/todo",
        "postgresql://x/todo?host=/run/postgresql",
        "postgresql://x/todo?service=todo",
    ):
        assert probe(parse_database_url(url, source=""), 0.1) is None, url
    gone = probe(parse_database_url("postgresql://u@127.0.0.1:9/todo", source=""), 0.1)
    assert gone is not None
    assert gone.reason == "Connection refused"


def test_a_refusal_at_commit_is_held_not_applied(net: Network, pg_url: str, tmp_path: Path) -> None:
    """A deferred trigger (alembic/versions/0011 has several) refusing the
    replayed change at COMMIT: rolled back, so held and reported."""
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "x")
    todo.ok("list")
    net.mode = "refuse"
    todo.ok("edit", "1", "--title", "boom")
    conn = psycopg2.connect(pg_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "CREATE FUNCTION test_refuse_boom() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END $$"
        )
        cur.execute(
            "CREATE CONSTRAINT TRIGGER test_refuse_boom AFTER UPDATE ON todos "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.title = 'boom') "
            "EXECUTE FUNCTION test_refuse_boom()"
        )
    try:
        net.mode = "up"
        replayed = todo("list")
        assert replayed.stdout == "1\topen\tx\n"
        assert "not applied, kept: edit 1: the database refused it: refused at commit" in (
            replayed.stderr
        )
        assert todo.ok("sync").startswith("#1\theld\tedit 1  (the database refused it: ")
        assert rows(pg_url, "SELECT title FROM todos") == [("x",)]
    finally:
        with conn.cursor() as cur:
            cur.execute("DROP TRIGGER test_refuse_boom ON todos")
            cur.execute("DROP FUNCTION test_refuse_boom()")
        conn.close()


def test_another_machines_change_at_the_same_microsecond_is_not_taken_for_mine(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    """Two machines of one user, with clocks that read the same microsecond:
    a change left "sending" by a replay that died before it sent anything
    is not taken as applied because the other machine's change of the same
    kind was journaled at that very moment."""
    from datetime import UTC, datetime

    from todo_cli.store.outbox import Box

    frozen = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    a, b = machine(tmp_path, "a", net.url(pg_url)), machine(tmp_path, "b", net.url(pg_url))
    a.clock = b.clock = lambda: frozen
    a.ok("add", "one")
    a.ok("add", "two")
    a.ok("list")
    b.ok("list")
    net.mode = "refuse"
    assert a.ok("add", "from a") == "q1\n"
    a.ok("edit", "1", "--title", "ONE")
    assert b.ok("add", "from b") == "q1\n"
    b.ok("edit", "2", "--title", "TWO")
    (path,) = (a.home / ".local/state/todo/offline").glob("*.db")
    with Box(path) as box:  # a replay on a died after marking them, before sending
        box.set_state(1, "sending")
        box.set_state(2, "sending")
    net.mode = "up"
    b.ok("sync")
    a.ok("sync")
    assert rows(pg_url, "SELECT number, title FROM todos ORDER BY number") == [
        (1, "ONE"),
        (2, "TWO"),
        (3, "from b"),
        (4, "from a"),
    ]


def test_a_listing_longer_than_the_copy_takes_leaves_it_as_it_was(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    """1,000 todos at most per command (offline.COPY_MAX): writing 100,000
    into the copy would cost seconds."""
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "first")
    todo.ok("list")
    todo.ok("add", "-", input="".join(f"t{i}\n" for i in range(1001)))
    todo.ok("list", "--limit", "0")
    net.mode = "refuse"
    assert todo.ok("list") == "1\topen\tfirst\n"


def test_a_json_listing_online_keeps_the_copy_current(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "Pay rent")
    todo.ok("add", "Call the bank")
    other = machine(tmp_path, "b", net.url(pg_url))
    other.ok("edit", "2", "--title", "Call the bank about the loan")
    online = todo.ok("list", "--json")
    net.mode = "refuse"
    assert todo.ok("list", "--json") == online
    assert todo("edit", "2", "--title", "x").returncode == 0  # the version it saw: b's
    net.mode = "up"
    assert "applied: edit 2" in todo("list").stderr


def test_rm_offline_on_a_terminal_asks_from_the_copy(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "Pay rent")
    todo.ok("list")
    net.mode = "refuse"
    code, shown = todo.tty("rm", "1", input="y\n", env={"NO_COLOR": "1"})
    assert code == 0, shown
    assert "  1: Pay rent" in shown
    assert "todo: offline: queued rm 1" in shown
    net.mode = "up"
    todo.ok("sync")
    assert rows(pg_url, "SELECT count(*) FROM todos") == [(0,)]


def test_a_widened_offline_folder_is_made_private_again(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("list")
    folder = todo.home / ".local/state/todo/offline"
    folder.chmod(0o755)
    net.mode = "refuse"
    assert todo("add", "x").returncode == 0
    assert folder.stat().st_mode & 0o777 == 0o700


def test_sync_drop_waits_for_a_replay_in_progress(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    import fcntl
    import os
    import sqlite3
    import threading

    todo = machine(tmp_path, "a", net.url(pg_url))
    todo.ok("add", "one")
    todo.ok("list")
    net.mode = "refuse"
    assert todo("edit", "1", "--title", "ONE").returncode == 0
    (box,) = (todo.home / ".local/state/todo/offline").glob("*.db")
    fd = os.open(f"{box}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a replay in another terminal holds it
    dropped: list[object] = []
    worker = threading.Thread(target=lambda: dropped.append(todo("sync", "--drop", "1")))
    worker.start()
    worker.join(timeout=1.0)
    conn = sqlite3.connect(box)
    waiting = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    conn.close()
    os.close(fd)
    worker.join(timeout=30)
    assert waiting == 1, "sync --drop went ahead while a replay held the lock"
    assert len(dropped) == 1
    assert rows(pg_url, "SELECT title FROM todos") == [("one",)]


def _profile(todo: InProcess, url: str, body: str) -> None:
    """A config file whose profile "ci" is alice's on url, plus body."""
    folder = Path(todo.env["TODO_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(
        f'current = "ci"\n\n[profiles.ci]\nuser = "alice"\ndatabase_url = "{url}"\n{body}'
    )
    (folder / "config.toml").chmod(0o600)
    del todo.env["DATABASE_URL"], todo.env["TODO_USER"]


def test_a_profile_online_setting_makes_offline_an_error_and_env_zero_allows_it(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    _profile(todo, net.url(pg_url), "online = true\n")
    todo.ok("list")
    net.mode = "refuse"
    refused = todo("add", "x", env={"TODO_RETRY_BUDGET": "0.3"})
    assert (refused.returncode, refused.stdout) == (4, "")
    assert refused.stderr.startswith("todo: error: cannot reach postgresql ")
    allowed = todo("add", "x", env={"TODO_ONLINE": "0"})
    assert (allowed.returncode, allowed.stdout) == (0, "q1\n")


def test_a_profile_online_setting_that_is_not_a_boolean_is_a_config_error(
    tmp_path: Path, pg_url: str
) -> None:
    todo = machine(tmp_path, "a", pg_url)
    _profile(todo, pg_url, 'online = "yes"\n')
    result = todo("list")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr.endswith(
        "profile 'ci': 'online' must be true or false; fix or remove it\n"
    )


def test_todo_online_in_a_dotenv_applies_unless_a_profile_is_chosen_explicitly(
    net: Network, pg_url: str, tmp_path: Path
) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    _profile(todo, net.url(pg_url), "")
    (todo.cwd / ".env").write_text("TODO_ONLINE=1\n")
    todo.ok("list")
    net.mode = "refuse"
    refused = todo("add", "x", env={"TODO_RETRY_BUDGET": "0.3"})
    assert (refused.returncode, refused.stdout) == (4, "")
    chosen = todo("--profile", "ci", "add", "x", env={"TODO_RETRY_BUDGET": "0.3"})
    assert (chosen.returncode, chosen.stdout) == (0, "q1\n")
