"""Engine and session from Settings.

One command = one connection = one transaction, scoped to one user. The
PostgreSQL side is written for Neon: psycopg2 with NullPool, no session
state (so it works behind PgBouncer in transaction mode), and as few round
trips as the protocol allows.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, TextClause, bindparam, create_engine, event, text
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from todo_cli import migrate
from todo_cli.config import Settings
from todo_cli.dburl import DatabaseURL
from todo_cli.errors import ConfigError, DatabaseUnreachableError, SchemaError
from todo_cli.sqltypes import UTCDateTime

_LEAN_DRIVER = "postgresql+todo_psycopg2"
_SQLITE_BUSY_MS = 5000
# SQLSTATEs that mean "the schema is not what this code expects".
_SCHEMA_SQLSTATES = {"42P01", "42703"}  # undefined_table, undefined_column
# Connection failures that are the user's configuration, not the network.
_CONFIG_FAILURES = ("password authentication failed", "does not exist", "no password supplied")


class LeanPGDialect(PGDialect_psycopg2):
    """psycopg2 dialect without the first-connect probes.

    Stock SQLAlchemy runs four to five queries on every new connection
    (version, current_schema, standard_conforming_strings, isolation level,
    hstore OIDs). With NullPool that is every command, and on Neon each is a
    network round trip. The server already reports the version and
    standard_conforming_strings in its startup ParameterStatus messages, and
    nothing here reflects schemas or changes isolation level.
    """

    supports_statement_cache = True

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        v = connection.connection.dbapi_connection.server_version
        return (v // 10000, v % 10000) if v >= 100000 else (v // 10000, v // 100 % 100, v % 100)

    def _get_default_schema_name(self, connection: Any) -> str:
        return "public"

    def get_default_isolation_level(self, dbapi_conn: Any) -> Literal["READ COMMITTED"]:
        return "READ COMMITTED"

    def _check_max_identifier_length(self, connection: Any) -> None:
        return None

    def _set_backslash_escapes(self, connection: Any) -> None:
        status = connection.connection.dbapi_connection.get_parameter_status(
            "standard_conforming_strings"
        )
        self._backslash_escapes = status == "off"


registry.register("postgresql.todo_psycopg2", __name__, "LeanPGDialect")


# --- engines -----------------------------------------------------------------


def make_engine(url: DatabaseURL, *, connect_timeout: float = 10.0) -> Engine:
    if url.backend == "sqlite":
        return _sqlite_engine(url)
    return create_engine(
        url.sqlalchemy_url.replace("postgresql+psycopg2", _LEAN_DRIVER, 1),
        poolclass=NullPool,
        use_native_hstore=False,
        connect_args={
            # libpq takes whole seconds and treats values below 2 as 2.
            "connect_timeout": max(2, round(connect_timeout)),
            "application_name": "todo",
        },
    )


def _sqlite_engine(url: DatabaseURL) -> Engine:
    if url.database and url.database != ":memory:":
        _prepare_sqlite_file(Path(url.database))
    engine = create_engine(url.sqlalchemy_url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
        cur.close()

    return engine


def _prepare_sqlite_file(path: Path) -> None:
    """The file may hold private todos: 0600 inside a 0700 directory."""
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


# --- the per-user session ----------------------------------------------------


class Session:
    """One transaction on one connection, for one user.

    Every statement runs through execute(), which binds :me to the current
    user and refuses SQL that does not mention it. That is the one place
    per-user scoping is enforced in the application.
    """

    def __init__(self, connection: Connection, user: str) -> None:
        self.connection = connection
        self.user = user
        self.backend = connection.dialect.name

    def execute(
        self,
        *statements: str,
        params: Mapping[str, Any] | None = None,
        columns: Mapping[str, TypeEngine[Any] | type[TypeEngine[Any]]] | None = None,
    ) -> CursorResult[Any]:
        """Run statements in order and return the last one's result.

        On PostgreSQL they go to the server as one simple-query message: one
        network round trip however many statements there are.
        """
        for sql in statements:
            if ":me" not in sql:
                raise AssertionError(f"unscoped statement refused: {sql[:60]!r}")
        bound = {"me": self.user, **(params or {})}
        if self.backend == "postgresql":
            batches: Sequence[str] = [";\n".join(statements)]
        else:  # sqlite3 runs one statement per call; it is local, so it costs nothing
            batches = statements
        result = None
        for sql in batches:
            result = self.connection.execute(_typed(sql, bound, columns), bound)
        assert result is not None
        return result


def _typed(
    sql: str,
    params: Mapping[str, Any],
    columns: Mapping[str, TypeEngine[Any] | type[TypeEngine[Any]]] | None,
) -> TextClause:
    clause = text(sql)
    binds = []
    for name, value in params.items():
        if f":{name}" not in sql:
            continue
        if isinstance(value, datetime):
            binds.append(bindparam(name, type_=UTCDateTime()))
        elif isinstance(value, list | tuple):
            binds.append(bindparam(name, expanding=True))
    if binds:
        clause = clause.bindparams(*binds)
    if columns:
        return clause.columns(**columns)  # type: ignore[return-value]
    return clause


@contextlib.contextmanager
def session_for(settings: Settings) -> Iterator[Session]:
    """Open the connection, begin, yield, commit; roll back on any error."""
    url = settings.url
    engine = make_engine(url, connect_timeout=settings.connect_timeout)
    try:
        conn = _connect(engine, url)
        with conn:
            if url.backend == "sqlite":
                _ensure_sqlite_schema(conn, url)
            try:
                with conn.begin():
                    yield Session(conn, settings.user.value)
            except DBAPIError as exc:
                raise _translate(exc, conn, url) from exc
    finally:
        engine.dispose()


def _connect(engine: Engine, url: DatabaseURL) -> Connection:
    try:
        return engine.connect()
    except DBAPIError as exc:
        reason = url.redact(_first_line(exc.orig))
        if any(marker in reason for marker in _CONFIG_FAILURES):
            raise ConfigError(
                f"cannot connect to {url.display()}: {reason}; check the database URL"
            ) from None
        raise DatabaseUnreachableError(
            f"cannot reach {url.display()}: {reason}; check that the server is up "
            "and the URL is right (todo whoami)"
        ) from None


def _translate(exc: DBAPIError, conn: Connection, url: DatabaseURL) -> Exception:
    code = getattr(exc.orig, "pgcode", None)
    message = _first_line(exc.orig)
    if code in _SCHEMA_SQLSTATES or "no such table" in message or "no such column" in message:
        return _schema_error(conn)
    if isinstance(exc, OperationalError) and code is None:
        return DatabaseUnreachableError(
            f"lost the connection to {url.display()}: {url.redact(message)}; "
            "the transaction was rolled back, try again"
        )
    return exc


def _schema_error(conn: Connection) -> SchemaError:
    try:
        conn.rollback()
        current = migrate.current_revision(conn)
    except DBAPIError:
        current = None
    if current is None:
        return SchemaError("the database has no todo schema; run: todo db upgrade")
    return SchemaError(
        f"the database schema is at revision {current}, this todo needs {migrate.HEAD}; "
        "run: todo db upgrade"
    )


def _first_line(orig: BaseException | None) -> str:
    return (str(orig).strip().splitlines() or ["unknown error"])[0] if orig else "unknown error"


def _ensure_sqlite_schema(conn: Connection, url: DatabaseURL) -> None:
    """The embedded database creates and upgrades itself on first use."""
    try:
        current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:
        current = None
    conn.rollback()
    if current == migrate.HEAD:
        return
    with _file_lock(url), conn.begin():
        migrate.upgrade(conn)


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


# --- schema commands -----------------------------------------------------------


def schema_status(settings: Settings) -> tuple[str | None, str, str]:
    """(current revision, head revision, server version) for whoami --check / db status."""
    url = settings.url
    engine = make_engine(url, connect_timeout=settings.connect_timeout)
    try:
        with _connect(engine, url) as conn:
            if url.backend == "sqlite":
                _ensure_sqlite_schema(conn, url)
                version = "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar_one()
            else:
                info = conn.dialect.server_version_info or ()
                version = "PostgreSQL " + ".".join(str(p) for p in info)
            current = migrate.current_revision(conn)
            return current, migrate.head_revision(), version
    finally:
        engine.dispose()


def upgrade_schema(settings: Settings) -> tuple[str | None, str]:
    """Upgrade over the direct endpoint; returns (before, after)."""
    url = settings.url.direct(settings.direct_url)
    engine = make_engine(url, connect_timeout=settings.connect_timeout)
    try:
        with _connect(engine, url) as conn:
            before = migrate.current_revision(conn)
            conn.rollback()
            with conn.begin():
                migrate.upgrade(conn)
            return before, migrate.current_revision(conn) or migrate.HEAD
    finally:
        engine.dispose()
