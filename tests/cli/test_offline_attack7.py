"""Offline mode under attack, seventh review (branch review7): each test is
one way to lose, double or misapply a change made offline, or to refuse
one for ever, that the earlier reviews (test_offline_review.py,
test_offline_attack.py, test_offline_attack3.py, test_offline_attack4.py, test_offline_attack5.py,
test_offline_attack6.py) did not cover. Scratch databases are named rv_*, dropped afterwards."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg2
import pytest

from tests.support.databases import admin_url
from tests.support.network import Network
from tests.support.offline_scene import db_name as _db_name
from tests.support.offline_scene import held_change_then_another_server, machine, titles
from tests.support.offline_scene import port_of as _port
from tests.support.offline_scene import staging as _staging
from tests.support.rawsql import pg_rows as rows


def test_a_name_given_at_another_server_is_never_applied_offline_to_another_todo(
    db: str, tmp_path: Path
) -> None:
    """The tunnel led to staging for a while: there, offline, alice added
    "staging note" (q1), replayed as staging's todo 5. Back at production,
    a listing (nothing queued) starts the file over (Box.forget_server):
    the copy is production's, but the names table still says q1 is 5.
    Offline, `todo done q1` resolves q1 to 5, takes production's todo 5
    ("p5") from the copy as the version it saw, and replay completes
    production's p5: a todo the user never named. Online the same command
    is refused (_check_names: "q1 names no todo now"). README: "Offline,
    the change is queued with the version the copy saw, and replay holds
    it if the todo is another"; never applied to the wrong todo."""
    with _staging(db, tmp_path, "s1", "s2", "s3", "s4") as staging:
        with Network(_port(db)) as tunnel:
            a = machine(tmp_path, "a", tunnel.url(db))
            for t in ("p1", "p2", "p3", "p4", "p5"):
                a.ok("add", t)
            a.ok("list")
            tunnel.target = ("127.0.0.1", _port(staging))  # a while at staging
            tunnel.mode = "refuse"
            tunnel.mode = "up"
            a.ok("list")  # nothing queued: the file starts over for staging
            tunnel.mode = "refuse"
            assert a.ok("add", "staging note") == "q1\n"
            tunnel.mode = "up"
            assert "q1 is now 5" in a("list").stderr
            tunnel.target = ("127.0.0.1", _port(db))  # back to production
            tunnel.mode = "refuse"
            tunnel.mode = "up"
            a.ok("list")  # nothing queued: the file starts over for production
            online = a("done", "q1")  # refused online: q1 is not production's 5
            tunnel.mode = "refuse"
            queued = a("done", "q1")
            tunnel.mode = "up"
            back = a("list")
        print(online.stderr, queued.stderr, back.stdout, back.stderr)
        assert online.returncode == 2, online.stderr
        done = [str(r[0]) for r in rows(db, "SELECT title FROM todos WHERE done ORDER BY id")]
        assert done == [], f"production's {done} completed by `done q1` (q1 was staging's)"


@pytest.mark.parametrize(
    "visit",
    [("show", "4"), ("done", "4"), ("add", "s5")],
    ids=["show", "done", "add"],
)
def test_an_online_command_at_another_server_never_refuses_the_right_one_later(
    db: str, tmp_path: Path, visit: tuple[str, ...]
) -> None:
    """Only a listing with rows carries the user mark (listing.journal_
    columns); every other online command still writes what it read into
    the copy and raises max_number (Hook.remember, journal None: no
    _same_server check). With nothing queued, one `todo show 4` (or done,
    or add) at staging, the tunnel's other end for a while, leaves
    staging's number in production's file. Back at production (a listing
    there: same user mark, nothing started over, the raised mark stays),
    the next change made offline is refused at production as "the
    server's history went back", until --accept-restore. The commit
    "a visit to another server at the address leaves no trace" fixed
    this for `todo list` only (test_offline_attack6)."""
    with _staging(db, tmp_path, "s1", "s2", "s3", "s4") as staging:
        with Network(_port(db)) as tunnel:
            a = machine(tmp_path, "a", tunnel.url(db))
            a.ok("add", "production item")
            a.ok("list")
            tunnel.target = ("127.0.0.1", _port(staging))
            tunnel.mode = "refuse"
            tunnel.mode = "up"
            a.ok(*visit)
            tunnel.target = ("127.0.0.1", _port(db))  # back to production
            tunnel.mode = "refuse"
            tunnel.mode = "up"
            a.ok("list")
            tunnel.mode = "refuse"
            assert a.ok("add", "for production") == "q1\n"
            tunnel.mode = "up"
            back = a("list")
        print(back.stdout, back.stderr)
        assert "went back" not in back.stderr, back.stderr
        assert titles(db) == ["production item", "for production"]


def test_a_show_at_another_server_with_only_held_changes_never_fills_the_copy(
    db: str, tmp_path: Path
) -> None:
    """test_offline_attack6's held-change scene, with `todo show 4` at
    staging instead of `todo list`: replay returns early (nothing but a
    held change), show carries no user mark, and staging's todo 4 goes
    into production's copy (and max_number 4). Offline at production,
    `todo list` shows staging's "s4"; `todo sync --apply 1` at production
    is then refused as "the server's history went back". README: nothing
    another database shows goes into the copy."""
    there, offline, forced = held_change_then_another_server(db, tmp_path, "show", "4")
    print(there.stderr, offline.stdout, offline.stderr, forced.stdout, forced.stderr)
    assert "s4" not in offline.stdout, "staging's todo shown offline as production's"
    assert "went back" not in forced.stderr, forced.stderr
    assert "production item, renamed" in titles(db), forced.stderr


def _admin(sql: str) -> None:
    conn = psycopg2.connect(admin_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def test_a_name_is_never_applied_offline_to_the_todo_a_restored_server_gave_its_number(
    db: str, tmp_path: Path
) -> None:
    """q1 became todo 5; the server was then restored to before it (a Neon
    branch reset) and another machine's add got number 5 there. Online,
    `todo done q1` is refused (the request id differs: README). Offline,
    the same command resolves q1 to 5 and takes the version of the copy's
    todo 5, the other one, read by the last listing; replay finds todo 5
    at that version and completes it. README: "Offline, the change is
    queued with the version the copy saw, and replay holds it if the todo
    is another." Nothing at replay checks a name's request id
    (replay._plan uses box.name_of only)."""
    name = _db_name(db)
    snap = f"rv7_{uuid.uuid4().hex[:10]}"
    try:
        with Network(_port(db)) as tunnel:
            url = tunnel.url(db)
            a, b = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
            for t in ("p1", "p2", "p3", "p4"):
                a.ok("add", t)
            a.ok("list")
            _admin(f'CREATE DATABASE "{snap}" TEMPLATE "{name}"')  # the backup
            tunnel.mode = "refuse"
            assert a.ok("add", "Book flights") == "q1\n"
            tunnel.mode = "up"
            assert "q1 is now 5" in a("list").stderr
            tunnel.mode = "refuse"  # the branch reset: the backup takes the name
            _admin(f'ALTER DATABASE "{name}" RENAME TO "{snap}_old"')
            _admin(f'ALTER DATABASE "{snap}" RENAME TO "{name}"')
            tunnel.mode = "up"
            assert b.ok("add", "Call the plumber") == "5\n"
            a.ok("list")
            online = a("done", "q1")
            tunnel.mode = "refuse"
            queued = a("done", "q1")
            tunnel.mode = "up"
            back = a("list")
        print(online.stderr, queued.stderr, back.stdout, back.stderr)
        assert online.returncode == 2, online.stderr
        done = [str(r[0]) for r in rows(db, "SELECT title FROM todos WHERE done ORDER BY id")]
        assert done == [], f"{done} completed by `done q1` (q1 was 'Book flights')"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{snap}_old" WITH (FORCE)')
        _admin(f'DROP DATABASE IF EXISTS "{snap}" WITH (FORCE)')
