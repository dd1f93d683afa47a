"""Scratch PostgreSQL databases for tests and the bench.

PostgreSQL comes from TEST_DATABASE_URL (an admin URL that may create
databases), or the local server at 127.0.0.1:5432.
"""

from __future__ import annotations

import atexit
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg2
from psycopg2 import sql

from tests.support.pgservers import PgBouncer
from tests.support.warm import unpooled
from todo_cli.config import load_settings
from todo_cli.dburl import parse_database_url
from todo_cli.store import schema

LOCAL_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or LOCAL_ADMIN_URL


def unavailable_reason(url: str) -> str | None:
    """Why PostgreSQL at url cannot be used, or None when it can."""
    try:
        psycopg2.connect(url, connect_timeout=3).close()
    except psycopg2.Error as exc:
        where = parse_database_url(url, source="").display()
        return f"PostgreSQL not reachable at {where}: {str(exc).strip().splitlines()[0]}"
    return None


def with_database(url: str, name: str) -> str:
    """url, naming another database on the same server."""
    base = url.split("?", 1)[0].rsplit("/", 1)[0]
    query = ("?" + url.split("?", 1)[1]) if "?" in url else ""
    assert parse_database_url(url, source="").backend == "postgresql"
    return f"{base}/{name}{query}"


def create_database(admin: str, name: str, *, upgraded: bool = True) -> str:
    """A new database on admin's server, at head unless not upgraded; its URL.

    At head: a copy of this process's template at BEFORE_ROLES, upgraded
    from there by `todo db upgrade`'s own code. The ten migrations before
    it cost about 130 ms of CPU a database, some 200 databases a run."""
    with unpooled():
        _create(admin, name, _template(admin) if upgraded else None)
        url = with_database(admin, name)
        if upgraded:
            schema.upgrade(load_settings(database_url=url, user="tester", env={}))
    return url


# The revision before the one that gives each database roles of its own,
# named with a random tag (alembic/versions/0011_insider.py): a copy of a
# database past it would share its roles with the original.
BEFORE_ROLES = "0010"
_TEMPLATES: dict[str, str] = {}


def _template(admin: str) -> str:
    """This process's database at BEFORE_ROLES (nobody connects to it once
    made, as CREATE DATABASE ... TEMPLATE requires), dropped at exit."""
    if admin not in _TEMPLATES:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        from alembic import command
        from todo_cli.store import migrations

        name = f"todo_test_{uuid.uuid4().hex[:12]}_template"
        _create(admin, name, None)
        atexit.register(drop_database, admin, name)
        url = parse_database_url(with_database(admin, name), source="").sqlalchemy_url
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn, conn.begin():
                command.upgrade(migrations.config(conn), BEFORE_ROLES)
        finally:
            engine.dispose()
        _TEMPLATES[admin] = name
    return _TEMPLATES[admin]


def _create(admin: str, name: str, template: str | None) -> None:
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        # FILE_COPY: half the server's CPU of the default WAL_LOG, which
        # writes each page of the template to the WAL.
        cur.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template or "template1")
            )
        )
    conn.close()


# This process's database at head, which copy_at_head copies: its name and
# its two groups.
_HEADS: dict[str, tuple[str, str, str]] = {}


def copy_at_head(admin: str, name: str) -> str:
    """A new database at head, a copy of this process's own (made once);
    its URL. Its roles are that database's, which it shares with the other
    copies: for tests whose subject is not roles, at a third of the CPU of
    create_database (0.08 s against 0.26 s, server and client, over 30 of
    each). Drop it with drop_database, which leaves the roles to the
    original's drop at exit."""
    if admin not in _HEADS:
        head = f"todo_test_{uuid.uuid4().hex[:12]}_head"
        create_database(admin, head)
        atexit.register(_drop_head, admin, head)
        with unpooled():
            _HEADS[admin] = (head, *groups(with_database(admin, head)))
    copy_database(admin, *_HEADS[admin], name)
    return with_database(admin, name)


def _drop_head(admin: str, head: str) -> None:
    # Not ScratchDatabases.drop: no threads at exit.
    roles = database_roles(with_database(admin, head))
    drop_database(admin, head)
    drop_roles(admin, roles)


def copy_database(admin: str, template: str, app: str, person: str, name: str) -> None:
    """name made a copy of the todo database template, whose groups are app
    and person; nobody may be connected to template."""
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
            # The doors alembic/versions/0011 sets, which live in the
            # server's catalog, not in the copied database.
            cur.execute(
                sql.SQL(
                    "REVOKE CONNECT, TEMPORARY ON DATABASE {0} FROM PUBLIC; "
                    "GRANT CONNECT ON DATABASE {0} TO {1}, {2}"
                ).format(sql.Identifier(name), sql.Identifier(app), sql.Identifier(person))
            )
    finally:
        conn.close()


def drop_database(admin: str, name: str) -> None:
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.close()


def drop_roles(admin: str, roles: list[str]) -> None:
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        for role in roles:
            cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    conn.close()


@dataclass
class ScratchDatabases:
    admin_url: str
    created: list[str]

    copies: list[str] = field(default_factory=list)

    def create(self, *, upgraded: bool = True) -> str:
        name = f"todo_test_{uuid.uuid4().hex[:12]}"
        self.created.append(name)
        return create_database(self.admin_url, name, upgraded=upgraded)

    def copy_at_head(self) -> str:
        """A database at head with shared roles (copy_at_head), for a test
        whose subject is not roles."""
        name = f"todo_test_{uuid.uuid4().hex[:12]}"
        self.copies.append(name)
        return copy_at_head(self.admin_url, name)

    def drop(self, *names: str) -> None:
        """Drop the databases, and the roles each made (roles are server-wide:
        its two groups and the per-user roles `todo admin` made there)."""
        roles = [r for name in names for r in database_roles(with_database(self.admin_url, name))]
        # At once: each DROP DATABASE waits about a second for the server's
        # other processes to let go of its files, and the waits overlap.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda name: drop_database(self.admin_url, name), names))
        drop_roles(self.admin_url, roles)
        self.created = [n for n in self.created if n not in names]

    def drop_all(self) -> None:
        self.drop(*self.created)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda name: drop_database(self.admin_url, name), self.copies))
        self.copies = []


def groups(url: str) -> tuple[str, str]:
    """The database's shared-credential and per-user groups (alembic/versions/0011)."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT kind, role FROM todo_roles")
            found = dict(cur.fetchall())
    finally:
        conn.close()
    return found["app"], found["person"]


def database_roles(url: str) -> list[str]:
    """The roles a todo database made: per-user roles first, then its groups."""
    try:
        conn = psycopg2.connect(url)
    except psycopg2.OperationalError:  # dropped already
        return []
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('todo_roles') IS NOT NULL")
            if not cur.fetchone()[0]:
                return []
            cur.execute(
                "SELECT r.rolname FROM pg_roles r, todo_roles t WHERE t.kind = 'person' "
                "AND r.rolname LIKE replace(t.role, '_person', '_u') || '%' "
                "UNION ALL SELECT role FROM todo_roles"
            )
            return [str(r) for (r,) in cur.fetchall()]
    finally:
        conn.close()


def via_pgbouncer(url: str, bouncer: PgBouncer) -> str:
    parsed = parse_database_url(url, source="")
    return bouncer.url(parsed.database or "postgres", parsed.username or "postgres")


# What TRUNCATE users, todos RESTART IDENTITY CASCADE does, at a quarter of
# the server's CPU: TRUNCATE gives every table, index and sequence new files,
# 40 ms of server CPU a test, and it ran before each of some 700 tests on
# PostgreSQL. The rows are few, so deleting them is cheaper; the replica
# role skips the triggers (foreign keys among them) as TRUNCATE does, which
# is why each table is named, and the sequences start again at 1.
RESET = """
DO $$
DECLARE t record;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR t IN SELECT c.oid::regclass AS name FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
        AND c.relname NOT IN ('alembic_version', 'todo_roles') LOOP
    EXECUTE format('DELETE FROM %s', t.name);
  END LOOP;
  PERFORM setval(c.oid, 1, false) FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S';
END $$
"""


def truncate(url: str) -> None:
    """Every todo table of url emptied, its ids starting again at 1."""
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(RESET)
    conn.close()
