"""Shared fixtures: both backends, scratch PostgreSQL databases, the real `todo`.

PostgreSQL comes from TEST_DATABASE_URL (an admin URL that may create
databases), or the local server at 127.0.0.1:5432. Without it, PostgreSQL
tests skip with a reason; under CI=true the suite fails instead.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from pgservers import PGBOUNCER, PgBouncer
from psycopg2 import sql

from todo_cli.config import load_settings
from todo_cli.dburl import parse_database_url
from todo_cli.store import schema
from todo_cli.store.runner import connection
from todo_cli.store.session import Session

LOCAL_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TODO_BIN = str(Path(sys.executable).with_name("todo"))
IN_CI = os.environ.get("CI", "").lower() == "true"


# --- PostgreSQL ------------------------------------------------------------------


def _admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or LOCAL_ADMIN_URL


def _pg_unavailable_reason() -> str | None:
    try:
        psycopg2.connect(_admin_url(), connect_timeout=3).close()
    except psycopg2.Error as exc:
        return f"PostgreSQL not reachable at {parse_database_url(_admin_url(), source='').display()}: {str(exc).strip().splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def pg_admin() -> str:
    reason = _pg_unavailable_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return _admin_url()


def _with_database(url: str, name: str) -> str:
    parts = parse_database_url(url, source="")
    base = url.split("?", 1)[0].rsplit("/", 1)[0]
    query = ("?" + url.split("?", 1)[1]) if "?" in url else ""
    assert parts.backend == "postgresql"
    return f"{base}/{name}{query}"


@dataclass
class ScratchDatabases:
    admin_url: str
    created: list[str]

    def create(self, *, upgraded: bool = True) -> str:
        name = f"todo_test_{uuid.uuid4().hex[:12]}"
        conn = psycopg2.connect(self.admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.close()
        self.created.append(name)
        url = _with_database(self.admin_url, name)
        if upgraded:
            schema.upgrade(load_settings(database_url=url, user="tester", env={}))
        return url

    def drop(self, *names: str) -> None:
        conn = psycopg2.connect(self.admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            for name in names:
                cur.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        conn.close()
        self.created = [n for n in self.created if n not in names]

    def drop_all(self) -> None:
        self.drop(*self.created)


@pytest.fixture(scope="session")
def scratch_dbs(pg_admin: str) -> Iterator[ScratchDatabases]:
    dbs = ScratchDatabases(pg_admin, [])
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def pg_url(scratch_dbs: ScratchDatabases) -> str:
    """A database at head, shared by the session; tests truncate what they use."""
    return scratch_dbs.create()


@pytest.fixture(scope="session")
def pgbouncer(pg_admin: str) -> Iterator[PgBouncer]:
    """PgBouncer in transaction pooling mode (Neon's pooled endpoint) in front
    of the test server."""
    if not Path(PGBOUNCER).exists():
        reason = "pgbouncer is not installed (apt-get install pgbouncer)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    admin = parse_database_url(pg_admin, source="")
    bouncer = PgBouncer(target_port=admin.port or 5432).start()
    yield bouncer
    bouncer.stop()


def via_pgbouncer(url: str, bouncer: PgBouncer) -> str:
    parsed = parse_database_url(url, source="")
    return bouncer.url(parsed.database or "postgres", parsed.username or "postgres")


def truncate(url: str) -> None:
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("TRUNCATE users, todos RESTART IDENTITY CASCADE")
    conn.close()


# --- both backends -------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql", "pgbouncer"])
def backend(request: pytest.FixtureRequest) -> str:
    """sqlite: the embedded default; postgresql: direct; pgbouncer: the same
    server through PgBouncer in transaction mode, like Neon's pooled endpoint."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database at head for one test, on the parametrised backend.

    PostgreSQL: the session database, truncated; for tests that commit
    across processes. In-process data-layer tests use `open_session`, which
    rolls back instead.
    """
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'todo.db'}"
    url = request.getfixturevalue("pg_url")
    truncate(url)
    if backend == "pgbouncer":
        return via_pgbouncer(url, request.getfixturevalue("pgbouncer"))
    return str(url)


@pytest.fixture
def open_session(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Callable[[str], contextlib.AbstractContextManager[Session]]:
    """open_session(user) -> context manager yielding a store Session: one
    explicit transaction, committed when the block ends, rolled back if it
    raises. SQLite: a temp file; PostgreSQL: the worker's database, emptied
    first (and through PgBouncer for the pgbouncer backend)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'todo.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        truncate(url)  # what an earlier test committed there
        if backend == "pgbouncer":
            url = via_pgbouncer(url, request.getfixturevalue("pgbouncer"))

    @contextlib.contextmanager
    def session(user: str) -> Iterator[Session]:
        settings = load_settings(user=user, database_url=url, env={})
        conn = connection(settings)
        s = Session(conn, settings.url.backend, user, datetime.now(UTC))
        s.begin(hold=True)
        try:
            yield s
            s.finish()
        except BaseException:
            s.rollback()
            raise
        finally:
            conn.close()

    return session


# --- the real executable -------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """A minimal environment: nothing of the developer's todo config leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "USER": "tester",
        "LOGNAME": "tester",
        "TODO_CONFIG_DIR": str(home / "config"),
    }
    env.update(extra)
    return env


@dataclass
class Todo:
    """Runs the installed `todo` in a subprocess with a private HOME."""

    home: Path
    env: dict[str, str]
    cwd: Path

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TODO_BIN, *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            cwd=self.cwd,
            timeout=60,
        )

    def ok(self, *args: str, **kw: Any) -> str:
        result = self(*args, **kw)
        assert result.returncode == 0, (args, result.returncode, result.stdout, result.stderr)
        return result.stdout

    def tty(
        self, *args: str, input: str = "", env: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """Run with stdin/stdout/stderr on a pseudo-terminal; returns (code, output)."""
        main, child = pty.openpty()
        proc = subprocess.Popen(
            [TODO_BIN, *args],
            stdin=child,
            stdout=child,
            stderr=child,
            env={**self.env, "COLUMNS": "100", **(env or {})},
            cwd=self.cwd,
            close_fds=True,
        )
        os.close(child)
        if input:
            os.write(main, input.encode())
        output = drain_terminal(main)
        if proc.poll() is None:  # 30 s of silence: stuck
            proc.kill()
        code = proc.wait(timeout=30)
        os.close(main)
        return code, output.decode().replace("\r\n", "\n")


def drain_terminal(
    main: int, on_output: Callable[[bytes], None] | None = None, timeout: float = 30
) -> bytes:
    """All a child writes to its pty (main: our side) until it closes it, or
    is silent for `timeout` s; on_output(all so far) after each chunk, e.g.
    to answer a prompt."""
    out = b""
    while select.select([main], [], [], timeout)[0]:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        out += data
        if on_output:
            on_output(out)
    return out


@pytest.fixture
def todo(home: Path, tmp_path: Path) -> Todo:
    cwd = tmp_path / "work"
    cwd.mkdir()
    return Todo(home, clean_env(home), cwd)


@pytest.fixture
def todo_db(todo: Todo, db_url: str) -> Todo:
    """`todo` pointed at the parametrised backend through DATABASE_URL."""
    todo.env["DATABASE_URL"] = db_url
    return todo
