"""PostgreSQL for the bench: scratch databases, plain statements, the schema.

No database is analysed or vacuumed after it is seeded: the local server
runs with autovacuum off, and a user's first thousands of todos arrive
before any statistics do, so what the bench measures must not depend on them.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg2
from psycopg2 import sql

from bench.harness import Bench, Cmd
from tests.support.databases import LOCAL_ADMIN_URL, database_roles, with_database

DEFAULT_ADMIN_URL = LOCAL_ADMIN_URL


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A new empty database on the admin URL's server, dropped afterwards."""
    name = f"todo_bench_{uuid.uuid4().hex[:10]}"
    conn = psycopg2.connect(admin_url, connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield with_database(admin_url, name)
    finally:
        # Its roles too (server-wide: the groups 0011 made, and per-user ones).
        roles = database_roles(with_database(admin_url, name))
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            for role in roles:
                cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        conn.close()


def pg_run(url: str, *statements: str, autocommit: bool = False) -> list[tuple[Any, ...]]:
    """Run statements on one connection (one transaction unless autocommit);
    return the last one's rows, if it has any."""
    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = autocommit
    rows: list[tuple[Any, ...]] = []
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
                rows = cur.fetchall() if cur.description else []
        if not autocommit:
            conn.commit()
        return rows
    finally:
        conn.close()


def server_version(url: str) -> str:
    rows = pg_run(url, "SHOW server_version")
    return str(rows[0][0]) if rows else "unknown"


def setting(url: str, name: str) -> str:
    rows = pg_run(url, f"SHOW {name}")
    return str(rows[0][0]) if rows else "unknown"


def as_psycopg2(url: str) -> str:
    """SQLAlchemy 2.1 maps postgresql:// to psycopg 3; the naive CLI uses the same driver as todo."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql+psycopg2{sep}{rest}" if scheme in ("postgres", "postgresql") else url


def upgraded(b: Bench, url: str, name: str) -> None:
    """`todo db upgrade` on a scratch database (as a user would create the schema)."""
    env = b.env(name, DATABASE_URL=url)
    b.run(Cmd(f"todo db upgrade ({name})", [b.todo, "db", "upgrade"], env))


def user_todos(url: str, user: str) -> int:
    (count,) = pg_run(
        url,
        "SELECT count(*) FROM todos JOIN users ON users.id = todos.user_id "
        f"WHERE users.name = '{user}'",
    )[0]
    return int(count)
