"""The schema commands: whoami --check and db status (the revision, the
server, the role's standing) and db upgrade (Alembic, over the direct
endpoint). The revision itself is read and judged in revision.py, without
Alembic; only an upgrade pays for importing it (migrations.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from todo_cli.errors import ConfigError, DatabaseUnreachableError, SchemaError
from todo_cli.store import driver
from todo_cli.store.embedded import ensure_sqlite
from todo_cli.store.revision import HEAD, newer_message, revision, state
from todo_cli.store.runner import connection
from todo_cli.store.sql import LOCK_TIMEOUT_MS
from todo_cli.store.target import at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from todo_cli.store.target import Target

# What the commands read of a revision, with the status.
__all__ = ["HEAD", "SchemaStatus", "blocked", "newer_message", "state", "status", "upgrade"]


@dataclass(frozen=True)
class SchemaStatus:
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


def status(settings: Target) -> SchemaStatus:
    """Revisions, server version and the role's RLS standing, for whoami --check / db status."""
    conn = connection(settings)
    try:
        if settings.url.backend == "sqlite":
            version = conn.execute("SELECT sqlite_version()").fetchone()[0]
            return SchemaStatus(revision(conn, "sqlite"), HEAD, f"SQLite {version}")
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
        return SchemaStatus(current, HEAD, server, role, bool(bypasses))
    finally:
        conn.close()


def blocked(settings: Target) -> DatabaseUnreachableError:
    """The upgrade waited its bound for a lock another session holds."""
    return DatabaseUnreachableError(
        f"the upgrade of {settings.url.direct(settings.direct_url).display()} waited "
        f"{LOCK_TIMEOUT_MS / 1000:g}s for a lock another session holds (an open transaction, "
        "or another upgrade): nothing was changed; try again, or end that session "
        "(see pg_stat_activity)"
    )


def upgrade(settings: Target) -> tuple[str | None, str, list[str]]:
    """Upgrade over the direct endpoint; returns (before, after, notes): the
    notes are what the migrations say the admin must know or do.

    On PostgreSQL the whole upgrade runs in one transaction holding an
    advisory lock (transaction-scoped, so nothing outlives the transaction),
    taken before `before` is read: of two upgraders started at once, one
    migrates and the other then finds the schema at head. The connection is
    opened like every command's (same retries, same messages) and handed to
    SQLAlchemy. Every lock the upgrade waits for is bounded (LOCK_TIMEOUT_MS):
    any role that may read a table can hold a lock the upgrade needs, or
    the advisory lock itself, for as long as it likes.
    """
    from todo_cli.store import migrations

    url = settings.url.direct(settings.direct_url)
    if url.backend == "sqlite":
        conn = driver.connect(url, connect_timeout=settings.connect_timeout)
        try:
            before = ensure_sqlite(conn, url)
        finally:
            conn.close()
        if state(before) == "newer":
            assert before is not None
            raise SchemaError(newer_message(before))
        return before, HEAD, []
    raw = connection(at(settings, url))
    raw.autocommit = False
    try:
        return migrations.upgrade_postgresql(raw, url)
    except Exception as exc:
        if driver.classify(getattr(exc, "orig", exc)) == "locked":  # SQLAlchemy wraps it
            raise blocked(settings) from None
        raise
