"""Alembic, for the few commands that change the schema.

The only module of the package that imports SQLAlchemy and Alembic:
`todo db upgrade` (schema.upgrade), the SQLite file's self-upgrade
(embedded.ensure_sqlite)
and the tests reach it; everyday commands never do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.pool import NullPool

from alembic import command
from todo_cli.dburl import DatabaseURL
from todo_cli.errors import SchemaError
from todo_cli.store import revision
from todo_cli.store.sql import LOCK_TIMEOUT_MS


def config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(revision.script_location()))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory(str(revision.script_location())).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def upgrade_on(connection: Connection) -> list[str]:
    """Upgrade to head inside the caller's transaction (env.py takes the lock);
    returns what the migrations say the admin must know or do."""
    cfg = config(connection)
    command.upgrade(cfg, "head")
    return list(cfg.attributes.get("notes", []))


def upgrade_sqlite(url: DatabaseURL) -> None:
    """Create or upgrade the embedded file (its caller holds the file lock)."""
    engine = create_engine(url.sqlalchemy_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            # Alembic's batch mode copies and renames tables on SQLite; with
            # foreign keys on, dropping the old copy would cascade-delete the
            # rows that point at it. The pragma only works outside a transaction.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.commit()
            with conn.begin():
                upgrade_on(conn)
    finally:
        engine.dispose()


def upgrade_postgresql(raw: Any, url: DatabaseURL) -> tuple[str | None, str, list[str]]:
    """Upgrade over raw (a psycopg2 connection, autocommit off) in one
    transaction holding the advisory lock, every lock wait bounded
    (schema.upgrade says why); returns (before, after, notes)."""
    engine = create_engine(url.sqlalchemy_url, poolclass=NullPool, creator=lambda: raw)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(
                text("SELECT set_config('lock_timeout', :t, true)"),
                {"t": f"{LOCK_TIMEOUT_MS}ms"},
            )
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": revision.MIGRATION_LOCK_ID}
            )
            before = current_revision(conn)
            if revision.state(before) == "newer":
                assert before is not None
                raise SchemaError(revision.newer_message(before))
            notes = upgrade_on(conn)
            after = current_revision(conn) or revision.HEAD
        return before, after, notes
    finally:
        engine.dispose()


def dump_sqlite() -> str:
    """store/sqlite.sql as the migrations build it today (a temporary file
    migrated from nothing; sqlite_master's statements in their order)."""
    import sqlite3
    import tempfile

    from todo_cli.dburl import parse_database_url
    from todo_cli.store import driver

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "todo.db"
        driver.prepare_sqlite_file(path)
        upgrade_sqlite(parse_database_url(f"sqlite:///{path}", source="dump"))
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            ).fetchall()
        finally:
            conn.close()
    return revision.SQLITE_HEADER + "".join(f"{sql}\n;\n" for (sql,) in rows)


if __name__ == "__main__":  # python -m todo_cli.store.migrations > todo_cli/store/sqlite.sql
    print(dump_sqlite(), end="")
