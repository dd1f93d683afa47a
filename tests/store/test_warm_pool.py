"""The suite's warm connections (tests/support/warm.py): a kept connection
is handed out as a fresh one would be, or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import psycopg2.extensions
import pytest

from tests.support.pgservers import PgBouncer
from tests.support.warm import WarmPool, unpooled

pytestmark = pytest.mark.fresh_connections  # each test makes its own pool


@pytest.fixture
def pool(pg_admin: str) -> Iterator[WarmPool]:
    p = WarmPool.for_server(pg_admin)
    yield p
    p.close_all()


def _one(conn: psycopg2.extensions.connection, query: str) -> object:
    with conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


def test_a_kept_connection_forgets_its_session(pool: WarmPool, pg_url: str) -> None:
    conn = pool.connect(pg_url)
    conn.autocommit = True
    pid = conn.get_backend_pid()
    with conn.cursor() as cur:
        cur.execute("SELECT set_config('todo.user', 'mallory', false)")
        cur.execute("SET statement_timeout = 1234")
        cur.execute("CREATE TEMP TABLE left_behind (x int)")
        cur.execute("SELECT pg_advisory_lock(42)")
        cur.execute("PREPARE stale AS SELECT 1")
        cur.execute("SET ROLE pg_monitor")
    conn.close()

    again = pool.connect(pg_url)
    assert again.get_backend_pid() == pid  # the same backend: it was kept
    assert (pool.opened, pool.reused) == (1, 1)
    assert again.autocommit is False
    assert _one(again, "SELECT current_user") == "postgres"
    assert _one(again, "SELECT current_setting('todo.user', true)") in (None, "")
    assert _one(again, "SHOW statement_timeout") == "0"
    assert _one(again, "SELECT to_regclass('pg_temp.left_behind')") is None
    assert (
        _one(
            again,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
        )
        == 0
    )
    assert _one(again, "SELECT count(*) FROM pg_prepared_statements") == 0
    again.rollback()
    again.close()


def test_a_connection_closed_in_a_transaction_is_not_kept(pool: WarmPool, pg_url: str) -> None:
    conn = pool.connect(pg_url)
    pid = conn.get_backend_pid()
    _one(conn, "SELECT 1")  # psycopg2 began a transaction
    conn.close()
    assert conn.closed
    again = pool.connect(pg_url)
    assert again.get_backend_pid() != pid
    again.close()


def test_closed_twice_it_is_handed_out_once(pool: WarmPool, pg_url: str) -> None:
    conn = pool.connect(pg_url)
    conn.autocommit = True
    conn.close()
    conn.close()
    first, second = pool.connect(pg_url), pool.connect(pg_url)
    assert first is conn
    assert second is not conn
    first.close()
    second.close()


def test_a_dead_kept_connection_is_replaced(pool: WarmPool, pg_url: str) -> None:
    conn = pool.connect(pg_url)
    conn.autocommit = True
    pid = conn.get_backend_pid()
    conn.close()
    killer = psycopg2.connect(pg_url)
    killer.autocommit = True
    _one(killer, f"SELECT pg_terminate_backend({pid})")
    killer.close()
    again = pool.connect(pg_url)
    assert again.get_backend_pid() != pid
    assert (pool.opened, pool.reused) == (2, 0)
    again.close()


def test_only_the_suites_server_is_kept(pool: WarmPool, pg_url: str, pgbouncer: PgBouncer) -> None:
    """PgBouncer (and the fault proxies, and the private clusters) listen on
    other ports: every connect to them is a real one."""
    from tests.support.databases import via_pgbouncer

    url = via_pgbouncer(pg_url, pgbouncer)
    for _ in range(2):
        conn = pool.connect(url)
        conn.autocommit = True
        conn.close()
        assert conn.closed
    with unpooled():
        conn = pool.connect(pg_url)
        conn.autocommit = True
        conn.close()
        assert conn.closed
    assert (pool.opened, pool.reused) == (0, 0)
