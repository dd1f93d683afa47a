"""The schema's revision: read it, judge it, report it, and upgrade it.

Reading the revision is plain SQL on the driver. Changing the schema is
Alembic's job (migrations.py, which imports it and SQLAlchemy): only
`todo db upgrade`, the SQLite file's self-upgrade when it is behind, and
Alembic itself pay for those imports.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from todo_cli.config import Settings
from todo_cli.dburl import DatabaseURL
from todo_cli.errors import ConfigError, DatabaseUnreachableError, SchemaError

if TYPE_CHECKING:
    import sqlite3


def script_location() -> Path:
    """The Alembic scripts: inside the wheel as todo_cli/migrations, in a
    source checkout (editable install) the top-level alembic/."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "migrations"
    return packaged if packaged.is_dir() else package.parent / "alembic"


def head_of(versions: Path) -> str:
    """The newest revision among migration scripts named NNNN_what.py,
    whose revision is NNNN (tests/unit/test_schema_head.py holds every
    script to that), read from the names alone: no Alembic on the hot path."""
    numbers = [
        name[:4]
        for name in os.listdir(versions)
        if name[:4].isdigit() and name[4:5] == "_" and name.endswith(".py")
    ]
    if not numbers:
        raise SchemaError(f"no migration scripts in {versions}: reinstall todo")
    return max(numbers)


# The newest revision this code was written for.
HEAD = head_of(script_location() / "versions")
# Revisions are numbered 0001, 0002, ...: every one this code knows.
KNOWN = frozenset(f"{n:04d}" for n in range(1, int(HEAD) + 1))
# Serialises schema upgrades on PostgreSQL; alembic/env.py takes the same lock.
MIGRATION_LOCK_ID = 0x70D0C11


def state(current: str | None) -> str:
    """'missing', 'behind', 'up to date', or 'newer': written by a newer todo,
    which an upgrade from here must not touch (it cannot even locate it)."""
    if current is None:
        return "missing"
    if current == HEAD:
        return "up to date"
    return "behind" if current in KNOWN else "newer"


def newer_message(current: str) -> str:
    return (
        f"the database schema is at revision {current}, newer than this todo knows "
        f"(up to {HEAD}): a newer todo upgraded it; upgrade todo"
    )


def revision(conn: Any, backend: str) -> str | None:
    """The database's revision, or None when the schema was never created."""
    if backend == "sqlite":
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except Exception as exc:
            if "no such table" in str(exc):
                return None
            raise
        return str(row[0]) if row else None
    cursor = conn.cursor()
    cursor.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute("SELECT version_num FROM alembic_version")
    row = cursor.fetchone()
    return str(row[0]) if row else None


def mismatch(conn: Any, url: DatabaseURL) -> SchemaError | None:
    """After a statement met an unknown table or column: exit 5 when the
    schema is missing or behind; None when it is at head (then the statement
    itself is wrong: a bug, not the user's to fix)."""
    try:
        current = revision(conn, url.backend)
    except Exception:  # the error being explained is the one to report
        current = None
    if current is None:
        if url.backend == "sqlite":
            return SchemaError(f"{url.database} has no todo schema; move it aside to start afresh")
        return SchemaError("the database has no todo schema; run: todo db upgrade")
    if state(current) == "up to date":
        return None
    if state(current) == "newer":
        return SchemaError(newer_message(current))
    return SchemaError(
        f"the database schema is at revision {current}, this todo needs {HEAD}; "
        "run: todo db upgrade"
    )


# --- the embedded file -------------------------------------------------------------


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
            _create_at_head(conn)
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


SQLITE_HEADER = """\
-- The embedded SQLite database at head, as alembic/versions builds it, in
-- the order it builds it (sqlite_master's own text): a fresh file is made
-- from it in one transaction, without Alembic or SQLAlchemy. A test compares
-- it with what the migrations build; after a migration, regenerate it:
--   python -m todo_cli.store.migrations > todo_cli/store/sqlite.sql
-- Each statement ends with a line holding only ';'.
"""


def _create_at_head(conn: sqlite3.Connection) -> None:
    """A fresh file: the schema at head from sqlite.sql, stamped with HEAD,
    in one transaction (its caller holds the file lock)."""
    text = (Path(__file__).parent / "sqlite.sql").read_text(encoding="utf-8")
    statements = [s for s in text.removeprefix(SQLITE_HEADER).split("\n;\n") if s.strip()]
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

    lock_path = Path(url.database).with_name(Path(url.database).name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --- the schema commands -----------------------------------------------------------


@dataclass(frozen=True)
class Status:
    current: str | None
    head: str
    server: str
    role: str | None = None  # the PostgreSQL role connected as
    bypasses_rls: bool = False  # superuser, BYPASSRLS or owner of the tables


_ROLE_CHECK = (
    "SELECT current_user, r.rolsuper OR r.rolbypassrls OR EXISTS ("
    "SELECT 1 FROM pg_tables t WHERE t.tablename = 'todos' "
    "AND t.schemaname = current_schema() AND pg_has_role(current_user, t.tableowner, 'MEMBER')) "
    "FROM pg_roles r WHERE r.rolname = current_user"
)


# The user a per-user role is for (alembic/versions/0011): whoami --check
# fails when the settings name another.
_WITH_REVISION = (
    ", (SELECT version_num FROM alembic_version), "
    "(SELECT max(name) FROM users WHERE db_role = session_user)"
)


def status(settings: Settings) -> Status:
    """Revisions, server version and the role's RLS standing, for whoami --check / db status."""
    from todo_cli.store.runner import connection

    conn = connection(settings)
    try:
        if settings.url.backend == "sqlite":
            version = conn.execute("SELECT sqlite_version()").fetchone()[0]
            return Status(revision(conn, "sqlite"), HEAD, f"SQLite {version}")
        cursor = conn.cursor()
        try:
            # One message when the schema exists, which is the usual case.
            cursor.execute(_ROLE_CHECK.replace(" FROM pg_roles", _WITH_REVISION + " FROM pg_roles"))
            role, bypasses, current, person = cursor.fetchone()
        except Exception as exc:
            if getattr(exc, "pgcode", None) != "42P01":  # no alembic_version: no schema yet
                raise
            cursor.execute(_ROLE_CHECK)
            (role, bypasses), current, person = cursor.fetchone(), None, None
        if person is not None and person != settings.user.value:
            raise ConfigError(
                f"the credentials in the database URL are for user {person}, not "
                f"{settings.user.value} ({settings.user.source}): fix the user or the URL"
            )
        v = conn.server_version
        parts = (v // 10000, v % 10000) if v >= 100000 else (v // 10000, v // 100 % 100, v % 100)
        server = "PostgreSQL " + ".".join(str(p) for p in parts)
        return Status(current, HEAD, server, role, bool(bypasses))
    finally:
        conn.close()


def blocked(settings: Settings) -> DatabaseUnreachableError:
    """The upgrade waited its bound for a lock another session holds."""
    from todo_cli.store.sql import LOCK_TIMEOUT_MS

    return DatabaseUnreachableError(
        f"the upgrade of {settings.url.direct(settings.direct_url).display()} waited "
        f"{LOCK_TIMEOUT_MS / 1000:g}s for a lock another session holds (an open transaction, "
        "or another upgrade): nothing was changed; try again, or end that session "
        "(see pg_stat_activity)"
    )


def upgrade(settings: Settings) -> tuple[str | None, str, list[str]]:
    """Upgrade over the direct endpoint; returns (before, after, notes)."""
    from todo_cli.store import migrations

    return migrations.upgrade(settings)
