"""The embedded SQLite file: made from sqlite.sql on its first use, upgraded
by Alembic (migrations.py, imported only then) when it is behind, under a
file lock so that processes starting at once migrate it once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from todo_cli.dburl import DatabaseURL
from todo_cli.errors import SchemaError
from todo_cli.store.revision import HEAD, SQLITE_HEADER, revision, sqlite_sql, state

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3


def ensure_sqlite(conn: sqlite3.Connection, url: DatabaseURL) -> str | None:
    """The embedded database creates and upgrades itself on first use;
    returns the revision it found.

    A file at head (or newer: written by a newer todo, and used as it is,
    as an older todo would use a newer PostgreSQL schema) costs one read.
    Anything else is decided under a file lock, the revision read again
    after it is taken: four processes starting on a fresh HOME at once
    migrate once, and none of them sees another's half-made schema.
    """
    current = revision(conn, "sqlite")
    if state(current) in ("up to date", "newer"):
        return current
    with _file_lock(url):
        current = revision(conn, "sqlite")
        if state(current) in ("up to date", "newer"):
            return current
        tables = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'todos'"
        ).fetchone()
        if current is None and tables:
            # Migrating from nothing would fail on the first CREATE TABLE.
            raise SchemaError(
                f"{url.database} has todo tables but no schema revision (its alembic_version "
                "table is gone or empty): restore it from a backup, or move it away to start "
                "afresh"
            )
        if current is None:
            create_at_head(conn)
            return current
        from todo_cli.store import migrations

        try:
            migrations.upgrade_sqlite(url)
        except Exception as exc:
            # SQLAlchemy's wrapper around the driver's error: the driver's
            # own says what happened to the file (faults.sqlite_fault).
            orig = getattr(exc, "orig", None)
            if orig is not None and type(orig).__module__ == "sqlite3":
                raise orig from exc
            raise
        return current


def create_at_head(conn: sqlite3.Connection) -> None:
    """A fresh file: the schema at head from sqlite.sql, stamped with HEAD,
    in one transaction (its caller holds the file lock)."""
    statements = [s for s in sqlite_sql().removeprefix(SQLITE_HEADER).split("\n;\n") if s.strip()]
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (HEAD,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def _file_lock(url: DatabaseURL) -> Iterator[None]:
    """Serialise first-use migrations of one SQLite file across processes."""
    if not url.database or url.database == ":memory:":
        yield
        return
    import fcntl

    lock_path = url.database + ".lock"  # beside it, as Path.with_name() put it
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
