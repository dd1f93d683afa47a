"""The schema's revision, read and judged with plain SQL on the driver:
the head this code was written for (from the migration scripts' names),
where those scripts live, and what a revision found means.

The lowest floor of the schema's modules: embedded.py (the SQLite file's
first use), migrations.py (Alembic) and schema.py (the schema commands)
build on it, and it imports none of them.
"""

from __future__ import annotations

import os

from todo_cli.dburl import DatabaseURL
from todo_cli.errors import SchemaError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def script_location() -> Path:
    """The Alembic scripts: inside the wheel as todo_cli/migrations, in a
    source checkout (editable install) the top-level alembic/."""
    from pathlib import Path

    return Path(_scripts())


def _scripts() -> str:
    """script_location() with os.path: pathlib is no everyday command's."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    packaged = os.path.join(package, "migrations")
    return (
        packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(package), "alembic")
    )


def head_of(versions: str | os.PathLike[str]) -> str:
    """The newest revision among migration scripts named NNNN_what.py,
    whose revision is NNNN (tests/unit/test_schema_head.py holds every
    script to that), read from the names alone: no Alembic on the hot path."""
    try:
        names = os.listdir(versions)
    except OSError:
        names = []
    numbers = [
        name[:4]
        for name in names
        if name[:4].isdigit() and name[4:5] == "_" and name.endswith(".py")
    ]
    if not numbers:
        raise SchemaError(f"no migration scripts in {versions}: reinstall todo")
    return max(numbers)


# The newest revision this code was written for.
HEAD = head_of(os.path.join(_scripts(), "versions"))
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


SQLITE_HEADER = """\
-- The embedded SQLite database at head, as alembic/versions builds it, in
-- the order it builds it (sqlite_master's own text): a fresh file is made
-- from it in one transaction, without Alembic or SQLAlchemy. A test compares
-- it with what the migrations build; after a migration, regenerate it:
--   python -m todo_cli.store.migrations > todo_cli/store/sqlite.sql
-- Each statement ends with a line holding only ';'.
"""


def sqlite_sql() -> str:
    """store/sqlite.sql: the embedded schema at head."""
    with open(os.path.join(os.path.dirname(__file__), "sqlite.sql"), encoding="utf-8") as fh:
        return fh.read()
