"""Offline mode under attack, fifth review (branch review5): each test is
one way to lose, double or misapply a change made offline, or to refuse
one for ever, that the earlier reviews (test_offline_review.py,
test_offline_attack.py, test_offline_attack3.py, test_offline_attack4.py)
did not cover. Scratch databases are named rv_*, dropped afterwards."""

from __future__ import annotations

from pathlib import Path

from tests.support.network import Network
from tests.support.offline_scene import held_change_then_another_server, machine, titles
from tests.support.offline_scene import port_of as _port
from tests.support.offline_scene import staging as _staging


def test_a_visit_to_another_server_with_nothing_queued_never_refuses_the_right_one_later(
    db: str, tmp_path: Path
) -> None:
    """With nothing queued, a `todo list` at staging (the tunnel led there
    for a while) is taken for this database's: Hook.remember moves
    user_mark to staging's (box.count() == 0) and raises max_number and
    max_event to staging's. Back at production, a listing moves user_mark
    back, but the raised marks stay (raise_mark only goes up). The next
    change made offline is then refused at production, the very database
    it was made for, as "the server's history went back ... restored from
    a backup?", until todo sync --accept-restore. README: a server that
    went back is one whose history is behind what this machine saw of
    it; production never went back."""
    with _staging(db, tmp_path, "s1", "s2", "s3", "s4") as staging:
        with Network(_port(db)) as tunnel:
            a = machine(tmp_path, "a", tunnel.url(db))
            a.ok("add", "production item")
            a.ok("list")
            tunnel.target = ("127.0.0.1", _port(staging))
            tunnel.mode = "refuse"
            tunnel.mode = "up"
            a.ok("list")  # nothing queued: staging's listing, taken for this database's
            tunnel.target = ("127.0.0.1", _port(db))  # back to production
            tunnel.mode = "refuse"
            tunnel.mode = "up"
            a.ok("list")
            tunnel.mode = "refuse"
            assert a.ok("add", "for production") == "q1\n"
            tunnel.mode = "up"
            back = a("list")
        print(back.stdout, back.stderr)
        assert "q1 is now 2" in back.stderr, back.stderr
        assert titles(db) == ["production item", "for production"]


def test_a_visit_to_another_server_with_only_held_changes_never_fills_the_copy_with_its_todos(
    db: str, tmp_path: Path
) -> None:
    """A change held at production (todo 1 edited elsewhere) is all that
    waits. The tunnel leads to staging: replay finds nothing pending and
    returns before _history_holds, so Hook.foreign is never set and
    staging's listing goes into production's copy (its todos, its last
    number, its newest journal id). Back at production and offline, `todo
    list` shows staging's todos as production's; and `todo sync --apply 1`
    at production is refused as "the server's history went back".
    README: nothing another database shows goes into the copy."""
    there, offline, forced = held_change_then_another_server(db, tmp_path, "list")
    print(there.stderr, offline.stdout, offline.stderr, forced.stdout, forced.stderr)
    assert "s2" not in offline.stdout, "staging's todos shown offline as production's"
    assert "went back" not in forced.stderr, forced.stderr
    assert "production item, renamed" in titles(db), forced.stderr


def test_sync_says_a_refused_replay_once(db: str, tmp_path: Path) -> None:
    """At another database, `todo sync` prints the refusal twice: replay()
    warns it (out.warn), then sync.run warns the "restored" note it just
    kept, the same text. README: every failure is one line on stderr."""
    with _staging(db, tmp_path, "s1") as staging:
        with Network(_port(db)) as tunnel:
            a = machine(tmp_path, "a", tunnel.url(db))
            a.ok("add", "production item")
            a.ok("list")
            tunnel.mode = "refuse"
            a.ok("add", "for production")
            tunnel.target = ("127.0.0.1", _port(staging))
            tunnel.mode = "up"
            synced = a("sync")
        print(synced.returncode, synced.stdout, synced.stderr)
        assert "another database" in synced.stderr
        assert len(synced.stderr.strip().splitlines()) == 1, synced.stderr
