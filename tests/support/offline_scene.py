"""What the offline attack tests (tests/cli/test_offline_attack*.py) set
their scenes with: scratch databases of their own (tests/cli/conftest.py
makes them fixtures), machines with a HOME each, and another server that
an address can be made to lead to."""

from __future__ import annotations

import atexit
import contextlib
import functools
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.support.databases import admin_url, copy_at_head, drop_database
from tests.support.inprocess import InProcess
from tests.support.network import OFFLINE_AFTER, machine_env
from tests.support.pgservers import Cluster
from tests.support.processes import Todo
from tests.support.rawsql import pg_rows as rows
from todo_cli.dburl import parse_database_url


def create_db() -> str:
    """A scratch database at head (rv_*), by name, with roles it shares
    (databases.copy_at_head): the caller drops it with drop_database."""
    name = f"rv_{uuid.uuid4().hex[:10]}"
    copy_at_head(admin_url(), name)
    return name


def machine(tmp_path: Path, name: str, url: str, user: str = "alice", **env: str) -> InProcess:
    return InProcess(*machine_env(tmp_path, name, url, user, **env))


def process(tmp_path: Path, name: str, url: str, user: str = "alice", **env: str) -> Todo:
    """The same HOME as machine(tmp_path, name, ...), as a real process (kill -9)."""
    home = tmp_path / name
    if home.exists():
        from tests.support.processes import clean_env

        extra = {"DATABASE_URL": url, "TODO_USER": user, "TODO_OFFLINE_AFTER": OFFLINE_AFTER, **env}
        return Todo(home, clean_env(home, **extra), home / "work")
    return Todo(*machine_env(tmp_path, name, url, user, **env))


def titles(db: str) -> list[str]:
    return [str(r[0]) for r in rows(db, "SELECT title FROM todos ORDER BY id")]


def db_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def port_of(db: str) -> int:
    return parse_database_url(db, source="").port or 5432


@functools.cache
def other_server() -> Cluster:
    """This process's other server: a private cluster, started at its first
    use and destroyed at exit. What makes a server another to todo is the
    database (its user's mark), not the cluster, so the tests share one,
    each with a database of its own: a cluster a test cost about 1.5 s of
    CPU (a copy of the data directory, a start, a full upgrade, a stop)."""
    cluster = Cluster(max_connections=12).start_fresh()
    # Registered before the databases' own drops at exit, so run after them.
    atexit.register(cluster.destroy)
    return cluster


@contextlib.contextmanager
def staging(db: str, tmp_path: Path, *staged: str) -> Iterator[str]:
    """Another server holding a database of the same name as db, where
    alice added `staged` earlier (her user made at another moment); its
    URL. The database is dropped afterwards."""
    admin, name = other_server().url("postgres"), db_name(db)
    url = copy_at_head(admin, name)
    try:
        for t in staged:
            InProcess(*machine_env(tmp_path, f"s{len(staged)}-{t}", url)).ok("add", t)
        yield url
    finally:
        drop_database(admin, name)


def held_change_then_another_server(
    db: str, tmp_path: Path, *visit: str
) -> tuple[subprocess.CompletedProcess[str], ...]:
    """At production (db), a's edit of todo 1 is held (b edited it
    meanwhile); the tunnel then leads to staging (four todos of a's,
    s1 to s4) for one `todo *visit`, back to production offline for
    `todo list`, then online for `todo sync --apply 1`: the three results."""
    from tests.support.network import Network

    with staging(db, tmp_path, "s1", "s2", "s3", "s4") as there, Network(port_of(db)) as tunnel:
        url = tunnel.url(db)
        a, b = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
        a.ok("add", "production item")
        a.ok("list")
        b.ok("list")
        tunnel.mode = "refuse"
        a.ok("edit", "1", "--title", "production item, renamed")
        tunnel.mode = "up"
        b.ok("edit", "1", "--priority", "high")
        assert "not applied, kept: edit 1" in a("list").stderr
        tunnel.target = ("127.0.0.1", port_of(there))
        tunnel.mode = "refuse"
        tunnel.mode = "up"
        visited = a(*visit)
        tunnel.target = ("127.0.0.1", port_of(db))  # back to production, offline
        tunnel.mode = "refuse"
        offline = a("list")
        tunnel.mode = "up"
        forced = a("sync", "--apply", "1")
    return visited, offline, forced
