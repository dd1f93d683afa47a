"""Per-user credentials on PostgreSQL: a login role per user, linked to the
user's row, so row-level security gives that role that user's rows and
nothing else. Run with the owner's URL; nothing here goes through the
per-user Session, because it acts on users other than the caller.

The roles belong to this database (alembic/versions/0011): members of its
person group, named todo_<tag>_u<random> (no user's name, which every role
of the server could read in the catalog), and made or dropped here only.
A role this database did not make is never changed: `add` for a user who
has one makes a new role and drops the old one when it is ours.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from todo_cli.errors import InvalidInputError, NotFoundError, SchemaError
from todo_cli.store import driver, faults
from todo_cli.store.runner import connection
from todo_cli.store.sql import LOCK_TIMEOUT_MS
from todo_cli.store.target import at
from todo_cli.todo import validate_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from todo_cli.store.target import Target

# The role a per-user login may keep a transaction open (psql left at a
# prompt): others' commands wait LOCK_TIMEOUT_MS at most either way.
_ROLE_SETTINGS = {"idle_in_transaction_session_timeout": "60s", "statement_timeout": "60s"}


@dataclasses.dataclass(frozen=True)
class Added:
    role: str
    password: str
    replaced: str | None = None  # the user's previous role, dropped (or disabled: kept)
    kept_disabled: bool = False  # it still owns something elsewhere: disabled, not dropped
    kept: str | None = None  # a previous role this database did not make: unlinked, not dropped


@dataclasses.dataclass(frozen=True)
class Removed:
    role: str
    # dropped; disabled: it still owns something in another database;
    # unlinked: not a role todo made for this database, so left alone
    outcome: Literal["dropped", "disabled", "unlinked"]


def _require_postgres(settings: Target) -> None:
    if settings.url.backend != "postgresql":
        raise InvalidInputError(
            "per-user credentials need PostgreSQL: set DATABASE_URL to the owner's URL"
        )


def _owner_connection(settings: Target) -> Any:
    """The direct endpoint, in one transaction (autocommit off), whose lock
    waits are bounded like every command's: a per-user role can hold a
    lock on its own users row for as long as it likes."""
    url = settings.url.direct(settings.direct_url)
    conn = connection(at(settings, url))
    conn.autocommit = False
    with conn.cursor() as cur:
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (f"{LOCK_TIMEOUT_MS}ms",))
    return conn


@contextlib.contextmanager
def _bounded(settings: Target) -> Iterator[None]:
    """A lock wait that ran out is exit 4, one line, as for every command."""
    try:
        yield
    except Exception as exc:
        if driver.classify(exc) == "locked":
            raise faults.locked(settings) from None
        raise


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = 4096) -> str:
    """What PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802/7677),
    made here so the password itself never reaches the server, whose log
    may keep the statement (log_statement = 'ddl', or a failed one)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _person_group(cur: Any) -> str:
    cur.execute("SELECT to_regclass('todo_roles') IS NOT NULL")
    if not cur.fetchone()[0]:
        raise SchemaError("this database has no per-user roles yet: run todo db upgrade")
    cur.execute("SELECT role FROM todo_roles WHERE kind = 'person'")
    return str(cur.fetchone()[0])


def _ours(cur: Any, role: str, group: str) -> bool:
    """A role this database made: in its person group, named after it."""
    cur.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = %s AND u.rolname = %s)",
        (group, role),
    )
    return bool(cur.fetchone()[0]) and role.startswith(group.removesuffix("person") + "u")


def _refuse_powerful(cur: Any, role: str) -> None:
    """Never hand out, re-key or drop the owner's or a superuser's role."""
    cur.execute(
        "SELECT r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR pg_has_role(r.oid, "
        "(SELECT relowner FROM pg_class WHERE oid = 'public.users'::regclass), 'MEMBER') "
        "FROM pg_roles r WHERE r.rolname = %s",
        (role,),
    )
    row = cur.fetchone()
    if row and row[0]:
        raise InvalidInputError(
            f"role {role} owns the tables or is a superuser: it cannot be a per-user role "
            "(nothing was changed)"
        )


def add_person(settings: Target, name: str, *, adopt: bool = False) -> Added:
    """A new login role for `name` (replacing the one they had). A user
    who exists without one was made with the shared credential, whose
    holders may have planted todos and shares under that name: refused
    unless adopt."""
    from psycopg2 import sql

    _require_postgres(settings)
    validate_name("user", name)
    password = secrets.token_urlsafe(24)
    conn = _owner_connection(settings)
    try:
        with _bounded(settings), conn, conn.cursor() as cur:
            group = _person_group(cur)
            cur.execute("SELECT id, db_role FROM users WHERE name = %s FOR UPDATE", (name,))
            found = cur.fetchone()
            old = str(found[1]) if found and found[1] else None
            if old:
                _refuse_powerful(cur, old)
            elif found and not adopt:
                _refuse_shared_mode_user(cur, name, int(found[0]))
            role = group.removesuffix("person") + "u" + secrets.token_hex(5)
            cur.execute(
                sql.SQL("CREATE ROLE {} LOGIN CONNECTION LIMIT 10 PASSWORD %s IN ROLE {}").format(
                    sql.Identifier(role), sql.Identifier(group)
                ),
                (scram_verifier(password),),
            )
            for setting, value in _ROLE_SETTINGS.items():
                cur.execute(
                    sql.SQL("ALTER ROLE {} SET {} = %s").format(
                        sql.Identifier(role), sql.Identifier(setting)
                    ),
                    (value,),
                )
            cur.execute(
                "INSERT INTO users (name, created_at, last_number, db_role) "
                "VALUES (%s, %s, 0, %s) "
                "ON CONFLICT (name) DO UPDATE SET db_role = EXCLUDED.db_role",
                (name, datetime.now(UTC), role),
            )
            if old is None:
                return Added(role, password)
            if _ours(cur, old, group):
                dropped = _drop(cur, old, group)
                return Added(role, password, replaced=old, kept_disabled=not dropped)
            # A role of an earlier release (todo_alice): another database
            # may use it too, so it only leaves this one.
            cur.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (old,)
            )  # fmt: skip
            if cur.fetchone()[0]:
                cur.execute(
                    sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), sql.Identifier(old))
                )
            return Added(role, password, kept=old)
    finally:
        conn.close()


def _refuse_shared_mode_user(cur: Any, name: str, user_id: int) -> None:
    cur.execute(
        "SELECT (SELECT count(*) FROM todos WHERE user_id = %s), "
        "(SELECT count(*) FROM shares WHERE owner_id = %s)",
        (user_id, user_id),
    )
    todos, shares = cur.fetchone()
    raise InvalidInputError(
        f"{name} already exists, made with the shared credential ({todos} todos, {shares} "
        "shares), which anyone holding it could have made: pass --adopt to give them to "
        f"{name}'s new role (nothing was changed)"
    )


def _drop(cur: Any, role: str, group: str) -> bool:
    """Drop a role of ours, and what it owns here (a large object, say); a
    role that still owns something in another database is disabled
    instead (False)."""
    from psycopg2 import errors, sql

    ident = sql.Identifier(role)
    cur.execute(sql.SQL("REASSIGN OWNED BY {} TO CURRENT_USER").format(ident))
    cur.execute(sql.SQL("DROP OWNED BY {}").format(ident))
    cur.execute("SAVEPOINT todo_drop")
    try:
        cur.execute(sql.SQL("DROP ROLE {}").format(ident))
        return True
    except errors.DependentObjectsStillExist:
        cur.execute("ROLLBACK TO SAVEPOINT todo_drop")
        cur.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(ident))
        cur.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
        return False


def remove_person(settings: Target, name: str, *, purge: bool) -> Removed:
    """Drop the user's login role; with purge, their todos too."""
    _require_postgres(settings)
    validate_name("user", name)
    conn = _owner_connection(settings)
    try:
        with _bounded(settings), conn, conn.cursor() as cur:
            group = _person_group(cur)
            cur.execute("SELECT db_role FROM users WHERE name = %s FOR UPDATE", (name,))
            found = cur.fetchone()
            if found is None or found[0] is None:
                raise NotFoundError(f"user {name!r} has no per-user credentials")
            role = str(found[0])
            _refuse_powerful(cur, role)
            if purge:
                cur.execute("DELETE FROM users WHERE name = %s", (name,))
            else:
                cur.execute("UPDATE users SET db_role = NULL WHERE name = %s", (name,))
            cur.execute("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (role,))
            if not cur.fetchone()[0]:
                return Removed(role, "dropped")
            # An earlier release's todo_<name> was made for this user too.
            if not _ours(cur, role, group) and role != f"todo_{name}"[:63]:
                return Removed(role, "unlinked")
            return Removed(role, "dropped" if _drop(cur, role, group) else "disabled")
    finally:
        conn.close()


# Query parameters that say who connects: libpq lets them win over the
# URL's user and password, so the owner's must never reach a user's URL.
_WHO = frozenset({"user", "password", "passfile", "service", "servicefile", "options"})


def url_for(settings: Target, role: str, password: str) -> str:
    """The pooled URL the user should use: same host, database and options,
    without the owner's credentials in any form."""
    parts = urlsplit(settings.url.raw)
    hostport = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{hostport}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _WHO]
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))
