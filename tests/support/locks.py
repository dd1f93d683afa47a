"""Waiting for another session to wait: PostgreSQL's own lock waiters, the
event a test waits on rather than a guess at how long a thread takes."""

from __future__ import annotations

import time

import psycopg2

from todo_cli.store.driver import connect_lock


def wait_for_lock_waiters(url: str, count: int, timeout: float = 30) -> None:
    """Until `count` sessions of this database wait for a lock (an event the
    server reports, not a guess at how long a thread takes to get there)."""
    # Under the driver's lock: psycopg2's wait callback is the process's, and
    # the session this waits for may be connecting in another thread.
    with connect_lock():
        conn = psycopg2.connect(url)
    conn.autocommit = True
    deadline = time.monotonic() + timeout
    try:
        with conn.cursor() as cur:
            while True:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cur.fetchone()[0] >= count:
                    return
                assert time.monotonic() < deadline, f"no {count} lock waiters in {timeout}s"
                time.sleep(0.01)  # between polls of the server, not a wait for an outcome
    finally:
        conn.close()
