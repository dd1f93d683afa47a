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
from tests.support.network import Network
from tests.support.processes import clean_env
from todo_cli.dburl import parse_database_url


@pytest.fixture
def net(pg_url: str) -> Iterator[Network]:
    truncate(pg_url)
    port = parse_database_url(pg_url, source="").port or 5432
    with Network(port) as network:
        yield network


def machine(tmp_path: Path, name: str, url: str, user: str = "alice") -> InProcess:
    home = tmp_path / name
    (home / "work").mkdir(parents=True)
    env = clean_env(home, DATABASE_URL=url, TODO_USER=user, TODO_OFFLINE_AFTER="0.5")
    return InProcess(home, env, home / "work")


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.close()


def test_add_edit_done_offline_then_replay(net: Network, pg_url: str, tmp_path: Path) -> None:
    todo = machine(tmp_path, "a", net.url(pg_url))
    assert todo.ok("add", "one") == "1\n"
    assert todo.ok("add", "two") == "2\n"
    assert todo.ok("list") == "1\topen\tone\n2\topen\ttwo\n"
    net.mode = "refuse"
    added = todo("add", "three")
    assert (added.returncode, added.stdout) == (0, "q1\n"), added.stderr
    assert "queued add q1" in added.stderr
    assert todo("edit", "1", "--title", "ONE").returncode == 0
    assert todo("done", "2").returncode == 0
    assert todo("done", "q1").returncode == 0
    listed = todo("list")
    assert (listed.returncode, listed.stdout) == (0, "1\topen\tone\n2\topen\ttwo\n")
    assert "todo: offline: copy of " in listed.stderr
    assert "4 changes queued" in listed.stderr
    net.mode = "up"
    listed = todo("list", "--all")
    assert listed.returncode == 0, listed.stderr
    assert "q1 is now 3" in listed.stderr
    assert listed.stdout == "1\topen\tONE\n2\tdone\ttwo\n3\tdone\tthree\n"
    assert rows(pg_url, "SELECT count(*) FROM todos") == [(3,)]
    assert todo.ok("sync") == ""
