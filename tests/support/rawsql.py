"""Raw SQL as the tables' owner, past everything todo checks: what an older
client, a hostile user or a hand-written UPDATE can leave in the database."""

from __future__ import annotations

import sqlite3
from typing import Any


def raw_sql(url: str, *statements: tuple[str, tuple[Any, ...]]) -> None:
    """Run statements (? placeholders) in one transaction on a todo URL."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        with conn:
            for sql, params in statements:
                conn.execute(sql, params)
        conn.close()
        return
    import psycopg2

    pg = psycopg2.connect(url)
    with pg, pg.cursor() as cur:
        for sql, params in statements:
            cur.execute(sql.replace("?", "%s"), params)
    pg.close()


def pg_rows(url: str, sql: str) -> list[tuple[object, ...]]:
    """What a query returns on a PostgreSQL URL, read as its owner."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.close()
