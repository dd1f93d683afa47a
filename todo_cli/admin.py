"""Per-user credentials on PostgreSQL: a login role per user, linked to the
user's row, so row-level security gives that role that user's rows and
nothing else. Run with the owner's URL; nothing here goes through the
per-user Session, because it acts on users other than the caller."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit, urlunsplit

from sqlalchemy import text

from todo_cli import db
from todo_cli.config import Settings, validate_name
from todo_cli.errors import InvalidInputError, NotFoundError

ROLE_PREFIX = "todo_"


def _require_postgres(settings: Settings) -> None:
    if settings.url.backend != "postgresql":
        raise InvalidInputError(
            "per-user credentials need PostgreSQL: set DATABASE_URL to the owner's URL"
        )


def role_for(name: str) -> str:
    return (ROLE_PREFIX + name)[:63]


def add_person(settings: Settings, name: str) -> tuple[str, str]:
    """Create (or re-key) the login role for `name`; returns (role, password)."""
    _require_postgres(settings)
    validate_name("user", name)
    role, password = role_for(name), secrets.token_urlsafe(24)
    url = settings.url.direct(settings.direct_url)
    engine = db.make_engine(url, connect_timeout=settings.connect_timeout)
    try:
        with db.connect(engine, url, settings) as conn, conn.begin():
            quoted = conn.dialect.identifier_preparer.quote(role)
            exists = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
            ).first()
            verb = "ALTER" if exists else "CREATE"
            # psycopg2 binds client-side, so a utility statement can take the password safely.
            conn.execute(text(f"{verb} ROLE {quoted} LOGIN PASSWORD :pw"), {"pw": password})
            conn.execute(text(f"GRANT todo_person TO {quoted}"))
            conn.execute(
                text(
                    "INSERT INTO users (name, created_at, last_number, db_role) "
                    "VALUES (:name, :now, 0, :role) "
                    "ON CONFLICT (name) DO UPDATE SET db_role = EXCLUDED.db_role"
                ),
                {"name": name, "now": datetime.now(UTC), "role": role},
            )
    finally:
        engine.dispose()
    return role, password


def remove_person(settings: Settings, name: str, *, purge: bool) -> str:
    """Drop the user's login role; with purge, their todos too. Returns the role."""
    _require_postgres(settings)
    validate_name("user", name)
    url = settings.url.direct(settings.direct_url)
    engine = db.make_engine(url, connect_timeout=settings.connect_timeout)
    try:
        with db.connect(engine, url, settings) as conn, conn.begin():
            found = conn.execute(
                text("SELECT db_role FROM users WHERE name = :name"), {"name": name}
            ).first()
            if found is None or found[0] is None:
                raise NotFoundError(f"user {name!r} has no per-user credentials")
            role = str(found[0])
            if purge:
                conn.execute(text("DELETE FROM users WHERE name = :name"), {"name": name})
            else:
                conn.execute(
                    text("UPDATE users SET db_role = NULL WHERE name = :name"), {"name": name}
                )
            conn.execute(text(f"DROP ROLE {conn.dialect.identifier_preparer.quote(role)}"))
            return role
    finally:
        engine.dispose()


def url_for(settings: Settings, role: str, password: str) -> str:
    """The pooled URL the user should use: same host, database and options."""
    parts = urlsplit(settings.url.raw)
    hostport = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{hostport}"
    return urlunsplit(parts._replace(netloc=netloc))
