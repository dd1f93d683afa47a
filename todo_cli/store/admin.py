"""Per-user credentials on PostgreSQL: a login role per user, linked to the
user's row, so row-level security gives that role that user's rows and
nothing else. Run with the owner's URL; nothing here goes through the
per-user Session, because it acts on users other than the caller."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from todo_cli.config import Settings, validate_name
from todo_cli.errors import InvalidInputError, NotFoundError
from todo_cli.store.runner import connection

ROLE_PREFIX = "todo_"


def _require_postgres(settings: Settings) -> None:
    if settings.url.backend != "postgresql":
        raise InvalidInputError(
            "per-user credentials need PostgreSQL: set DATABASE_URL to the owner's URL"
        )


def role_for(name: str) -> str:
    return (ROLE_PREFIX + name)[:63]


def _owner_connection(settings: Settings) -> Any:
    """The direct endpoint, in one transaction (autocommit off)."""
    url = settings.url.direct(settings.direct_url)
    conn = connection(dataclasses.replace(settings, url=url))
    conn.autocommit = False
    return conn


def add_person(settings: Settings, name: str) -> tuple[str, str]:
    """Create (or re-key) the login role for `name`; returns (role, password)."""
    from psycopg2 import sql

    _require_postgres(settings)
    validate_name("user", name)
    role, password = role_for(name), secrets.token_urlsafe(24)
    conn = _owner_connection(settings)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            verb = "ALTER" if cur.fetchone() else "CREATE"
            # psycopg2 binds client-side, so a utility statement can take the password safely.
            cur.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(role)),
                (password,),
            )
            cur.execute(sql.SQL("GRANT todo_person TO {}").format(sql.Identifier(role)))
            cur.execute(
                "INSERT INTO users (name, created_at, last_number, db_role) "
                "VALUES (%s, %s, 0, %s) "
                "ON CONFLICT (name) DO UPDATE SET db_role = EXCLUDED.db_role",
                (name, datetime.now(UTC), role),
            )
    finally:
        conn.close()
    return role, password


def remove_person(settings: Settings, name: str, *, purge: bool) -> str:
    """Drop the user's login role; with purge, their todos too. Returns the role."""
    from psycopg2 import sql

    _require_postgres(settings)
    validate_name("user", name)
    conn = _owner_connection(settings)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT db_role FROM users WHERE name = %s", (name,))
            found = cur.fetchone()
            if found is None or found[0] is None:
                raise NotFoundError(f"user {name!r} has no per-user credentials")
            role = str(found[0])
            if purge:
                cur.execute("DELETE FROM users WHERE name = %s", (name,))
            else:
                cur.execute("UPDATE users SET db_role = NULL WHERE name = %s", (name,))
            cur.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
            return role
    finally:
        conn.close()


def url_for(settings: Settings, role: str, password: str) -> str:
    """The pooled URL the user should use: same host, database and options."""
    parts = urlsplit(settings.url.raw)
    hostport = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{hostport}"
    return urlunsplit(parts._replace(netloc=netloc))
