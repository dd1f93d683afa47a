"""driver.connect sets psycopg2's wait callback, which is the process's:
connects in several threads of one process (the in-process tests) must
not undo each other's (psycopg2: "wait callback not available")."""

from __future__ import annotations

import threading

import pytest

from todo_cli.dburl import parse_database_url
from todo_cli.store import driver


@pytest.mark.fresh_connections  # what it tests is the connect itself
def test_connects_in_two_threads_at_once_never_lose_the_wait_callback(pg_admin: str) -> None:
    url = parse_database_url(pg_admin, source="")
    failures: list[str] = []

    def connect_often() -> None:
        for _ in range(40):
            try:
                driver.connect(url, connect_timeout=10).close()
            except Exception as exc:
                failures.append(repr(exc))

    threads = [threading.Thread(target=connect_often) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
