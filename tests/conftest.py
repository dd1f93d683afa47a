"""Fixtures: the three backends, scratch PostgreSQL databases, the store's
session, and the real `todo`.

Without a reachable PostgreSQL, PostgreSQL tests skip with the reason;
under CI=true the suite fails instead.

Under CI=true any skip is reported as a failure (tests/support/ci.py).

Hypothesis: under CI=true the "ci" profile, derandomized (the examples
are a function of each test, the same on every run) and printing the blob
that reproduces a failure; the default profile otherwise.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from tests.support import IN_CI
from tests.support.ci import skip_fails_in_ci
from tests.support.databases import (
    ScratchDatabases,
    admin_url,
    truncate,
    unavailable_reason,
    via_pgbouncer,
)
from tests.support.inprocess import InProcess
from tests.support.pgservers import PGBOUNCER, PgBouncer
from tests.support.processes import Todo, clean_env
from tests.support.warm import WarmPool
from todo_cli.config import load_settings
from todo_cli.dburl import parse_database_url
from todo_cli.store.runner import connection
from todo_cli.store.session import Session

# --- the rewritten test modules are cached ----------------------------------------

# pytest rewrites each test module's asserts (2,600 of them: 4 s of CPU) in
# every worker, and caches the result only where Python may write bytecode.
# With PYTHONDONTWRITEBYTECODE set, as on our CI machines, each of the four
# workers rewrote every module on every run; now the first process to
# import a module caches it in tests/**/__pycache__ (git-ignored), and the
# README's test command runs the storms' step first, so that the parallel
# suite's workers find every module cached.
sys.dont_write_bytecode = False

# --- Hypothesis --------------------------------------------------------------------

# Loaded here, before any test module makes its @settings (each inherits
# what it does not set from the profile loaded then).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, database=None)
hypothesis_settings.load_profile("ci" if IN_CI else "default")

# --- workers ------------------------------------------------------------------


def pytest_xdist_auto_num_workers() -> int:
    """-n auto: two workers per core. Most tests wait (on a server, a
    process, a timeout) rather than compute: on 2 cores, 4 workers took the
    suite from 189 s to 138 s, and 6 gave no more (134 s)."""
    return 2 * (os.cpu_count() or 1)


# --- no silent skip in CI ----------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport() -> Generator[None, Any, None]:
    # (pluggy passes a hook only the arguments it names: here none)
    outcome = yield
    skip_fails_in_ci(outcome.get_result(), in_ci=IN_CI)


# --- PostgreSQL ------------------------------------------------------------------


@pytest.fixture(scope="session")
def warm_pool() -> Iterator[WarmPool]:
    pool = WarmPool.for_server(admin_url())
    yield pool
    pool.close_all()


@pytest.fixture(autouse=True)
def warm_connections(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> WarmPool | None:
    """This test's connections to the suite's server are kept warm between
    its commands (tests/support/warm.py), unless it is marked
    fresh_connections."""
    if request.node.get_closest_marker("fresh_connections"):
        return None
    import psycopg2

    pool: WarmPool = request.getfixturevalue("warm_pool")
    monkeypatch.setattr(psycopg2, "connect", pool.connect)
    return pool


@pytest.fixture(scope="session")
def pg_admin() -> str:
    reason = unavailable_reason(admin_url())
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return admin_url()


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


# --- the three backends ------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql", "pgbouncer"])
def backend(request: pytest.FixtureRequest) -> str:
    """sqlite: the embedded default; postgresql: direct; pgbouncer: the same
    server through PgBouncer in transaction mode, like Neon's pooled endpoint."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database at head for one test, on the parametrised backend:
    PostgreSQL is the worker's database, emptied first."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'todo.db'}"
    url = request.getfixturevalue("pg_url")
    truncate(url)
    if backend == "pgbouncer":
        return via_pgbouncer(url, request.getfixturevalue("pgbouncer"))
    return str(url)


@pytest.fixture
def open_session(db_url: str) -> Callable[[str], contextlib.AbstractContextManager[Session]]:
    """open_session(user) -> context manager yielding a store Session: one
    explicit transaction that the operations in the block share, committed
    when the block ends, rolled back if it raises."""

    @contextlib.contextmanager
    def session(user: str) -> Iterator[Session]:
        settings = load_settings(user=user, database_url=db_url, env={})
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


@pytest.fixture
def todo(home: Path, tmp_path: Path) -> InProcess:
    """todo's real main() in-process, with a private HOME (tests/system
    overrides it with the installed executable in a subprocess)."""
    cwd = tmp_path / "work"
    cwd.mkdir()
    return InProcess(home, clean_env(home), cwd)


@pytest.fixture
def todo_process(home: Path, tmp_path: Path) -> Todo:
    """The installed `todo` in a subprocess, with a private HOME."""
    cwd = tmp_path / "proc"
    cwd.mkdir()
    return Todo(home, clean_env(home), cwd)


@pytest.fixture
def todo_db(todo: InProcess, db_url: str) -> InProcess:
    """`todo` pointed at the parametrised backend through DATABASE_URL."""
    todo.env["DATABASE_URL"] = db_url
    return todo
