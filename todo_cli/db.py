"""Engine and session from Settings.

One command = one connection = one transaction, scoped to one user. The
PostgreSQL side is written for Neon: psycopg2 with NullPool, no session
state (so it works behind PgBouncer in transaction mode), and as few round
trips as the protocol allows.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, TextClause, bindparam, create_engine, event, text
from sqlalchemy.dialects import registry
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from todo_cli import migrate
from todo_cli.config import Settings
from todo_cli.dburl import DatabaseURL
from todo_cli.errors import ConfigError, DatabaseUnreachableError, SchemaError
from todo_cli.sqltypes import UTCDateTime

T = TypeVar("T")
RetryHook = Callable[[str], None]

_LEAN_DRIVER = "postgresql+todo_psycopg2"
_SQLITE_BUSY_MS = 5000
_SET_USER = "SELECT set_config('todo.user', :me, true)"
# Serialises schema upgrades; alembic/env.py takes the same lock.
MIGRATION_LOCK_ID = 0x70D0C11
# SQLSTATEs that mean "the schema is not what this code expects".
# Undefined table, column or function; and a NOT NULL column this code does
# not fill (added by a newer migration). Each is a schema mismatch only when
# the schema is not at head; at head it is a bug (see _schema_error).
_SCHEMA_SQLSTATES = {"42P01", "42703", "42883", "23502"}
_SCHEMA_MARKERS = (
    "no such table",
    "no such column",
    "has no column named",
    "NOT NULL constraint failed",
)
# Connection failures that are the user's configuration, not the network.
_CONFIG_FAILURES = ("password authentication failed", "does not exist", "no password supplied")
# Failures worth another attempt: a compute waking up or restarting (Neon
# scales to zero), a full server, a dropped connection, a lost race.
_TRANSIENT_SQLSTATES = {"57P01", "57P02", "57P03", "53300", "40001", "40P01"}
_TRANSIENT_MARKERS = (
    "connection refused",
    "connection reset",
    "timeout expired",
    "timed out",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "too many connections",
    "too many clients",
    "remaining connection slots are reserved",
    "terminating connection due to administrator command",
    "couldn't connect to compute node",
    "server closed the connection unexpectedly",
    "ssl syscall error",
    "eof detected",
    "could not receive data from server",
    "could not send data to server",
    "no connection to the server",
    "connection already closed",
)
_FIRST_BACKOFF = 0.2
_MAX_BACKOFF = 3.0


# Registered by name, so the PostgreSQL dialect (and the asyncio it pulls in)
# is imported only when a PostgreSQL URL is used: see pgdialect.py.
registry.register("postgresql.todo_psycopg2", "todo_cli.pgdialect", "LeanPGDialect")


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
        # SQLite's lower() folds ASCII only; searches fold like PostgreSQL's lower().
        dbapi_conn.create_function("todo_fold", 1, _fold, deterministic=True)

    return engine


def _fold(text: str | None) -> str | None:
    return None if text is None else text.lower()


def _prepare_sqlite_file(path: Path) -> None:
    """The file may hold private todos: 0600 inside a 0700 directory."""
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


# --- the per-user session ----------------------------------------------------


# Row locks for reads that decide a write; SQLite has none (it locks the
# whole file: Session.write_lock).
FOR_UPDATE = {"postgresql": " FOR UPDATE", "sqlite": ""}


def json_values(backend: str, param: str, *, integer: bool = False) -> str:
    """A subquery of the elements of the JSON array bound to :param, in a
    column named value: a set of any size in one parameter (no expanding IN,
    so no limit on the number of SQLite variables)."""
    if backend == "postgresql":
        value = "CAST(value AS integer) AS value" if integer else "value"
        return f"(SELECT {value} FROM json_array_elements_text(CAST(:{param} AS json)))"
    return f"(SELECT value FROM json_each(:{param}))"


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

    def write_lock(self) -> None:
        """Take the write lock now, before reads that decide what to write
        (undo, import). SQLite otherwise begins lazily, at the first write,
        so those reads would see a state another process may change before
        the write; BEGIN IMMEDIATE makes other writers wait instead. On
        PostgreSQL the reads lock the rows they read (FOR UPDATE)."""
        if self.backend != "sqlite":
            return
        raw = self.connection.connection.dbapi_connection
        if raw is not None and not getattr(raw, "in_transaction", True):
            self.connection.exec_driver_sql("BEGIN IMMEDIATE")

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
            # Row-level security reads the user from this transaction-local
            # setting; it rides in the same message, so it costs no round trip.
            batches: Sequence[str] = [";\n".join((_SET_USER, *statements))]
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
def session_for(
    settings: Settings, *, on_retry: RetryHook | None = None, budget: float | None = None
) -> Iterator[Session]:
    """Open the connection (retrying transient failures within `budget`,
    default the settings' budget), begin, yield, commit; roll back on any
    error. No retries once the body has run: for that, use run()."""
    url = settings.url
    engine = make_engine(url, connect_timeout=settings.connect_timeout)
    try:
        wait_for = settings.retry_budget if budget is None else budget
        conn = _connect(engine, url, budget=wait_for, on_retry=on_retry)
        with conn:
            if url.backend == "sqlite":
                _ensure_sqlite_schema(conn, url)
            try:
                with conn.begin():
                    yield Session(conn, settings.user.value)
            except DBAPIError as exc:
                translated = _translate(exc, conn, url)  # needs the open connection
                if translated is not exc:
                    raise translated from exc
                raise
    finally:
        engine.dispose()


def run(
    settings: Settings,
    operation: Callable[[Session], T],
    *,
    retry_unknown_commit: bool = False,
    read_only: bool = False,
    on_retry: RetryHook | None = None,
) -> T:
    """Run operation(session) in one transaction (session_for); on a
    transient failure, start over on a new connection, within the retry budget.

    A failure before COMMIT was sent leaves nothing behind, so it is always
    safe to repeat. A failure during COMMIT leaves the outcome unknown: only
    operations that are idempotent (retry_unknown_commit=True, e.g. an add
    that carries a request id) are repeated; the others stop with exit 4
    and say the change may have been saved. A read (read_only=True) has its
    whole result before COMMIT is sent, and may have printed it already: a
    failure during COMMIT loses nothing, and its result stands.
    """
    url = settings.url
    deadline = time.monotonic() + settings.retry_budget
    backoff = _FIRST_BACKOFF
    attempt = 1
    while True:
        committing = False
        try:
            remaining = max(0.0, deadline - time.monotonic())
            with session_for(settings, on_retry=on_retry, budget=remaining) as session:
                result = operation(session)
                committing = True  # leaving the block commits
            return result
        except DBAPIError as exc:
            if committing and read_only:
                return result
            if not _is_transient(exc):
                raise
            if committing and not retry_unknown_commit:
                raise DatabaseUnreachableError(
                    f"lost the connection to {url.display()} while committing; the change "
                    "may or may not have been saved: check with todo list --all"
                ) from exc
            wait = _backoff(backoff, deadline)
            if wait is None:
                raise DatabaseUnreachableError(
                    f"lost the connection to {url.display()} and the retry budget "
                    f"({settings.retry_budget:g}s) ran out: {url.redact(_first_line(exc.orig))}"
                ) from exc
            attempt += 1
            if on_retry:
                on_retry(
                    f"{url.redact(_first_line(exc.orig))}; retrying (attempt {attempt}) "
                    f"in {wait:.1f}s"
                )
            time.sleep(wait)
            backoff = min(backoff * 2, _MAX_BACKOFF)


def _is_transient(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "pgcode", None)
    if code in _TRANSIENT_SQLSTATES or (code or "").startswith("08"):
        return True
    if code is None and isinstance(exc, OperationalError | InterfaceError):
        message = _first_line(exc.orig).lower()
        return any(marker in message for marker in _TRANSIENT_MARKERS) or exc.connection_invalidated
    return False


def _backoff(base: float, deadline: float) -> float | None:
    """Exponential backoff with jitter, cut to what is left of the budget so
    the last attempt lands on the deadline; None once the budget is spent."""
    remaining = deadline - time.monotonic()
    if remaining <= 0.05:
        return None
    return min(base * random.uniform(0.5, 1.5), remaining)


def _connect(
    engine: Engine, url: DatabaseURL, *, budget: float, on_retry: RetryHook | None = None
) -> Connection:
    deadline = time.monotonic() + budget
    backoff = _FIRST_BACKOFF
    attempt = 1
    while True:
        try:
            return engine.connect()
        except DBAPIError as exc:
            reason = url.redact(_first_line(exc.orig))
            if any(marker in reason for marker in _CONFIG_FAILURES):
                raise ConfigError(
                    f"cannot connect to {url.display()}: {reason}; check the database URL"
                ) from None
            if "channel_binding" in reason and "invalid" in reason:
                raise ConfigError(
                    f"this libpq is too old for channel_binding (needs PostgreSQL 13+ client "
                    f"libraries): remove channel_binding from the URL or upgrade psycopg2: {reason}"
                ) from None
            wait = _backoff(backoff, deadline) if _is_transient(exc) else None
            if wait is None:
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                raise DatabaseUnreachableError(
                    f"cannot reach {url.display()}{tries}: {reason}; check that the server is "
                    "up and the URL is right (todo whoami)"
                ) from None
            attempt += 1
            if on_retry:
                on_retry(f"{reason}; retrying (attempt {attempt}) in {wait:.1f}s")
            time.sleep(wait)
            backoff = min(backoff * 2, _MAX_BACKOFF)


def _translate(exc: DBAPIError, conn: Connection, url: DatabaseURL) -> Exception:
    code = getattr(exc.orig, "pgcode", None)
    message = _first_line(exc.orig)
    if code in _SCHEMA_SQLSTATES or any(marker in message for marker in _SCHEMA_MARKERS):
        return _schema_error(conn) or exc
    if code == "42501":  # insufficient_privilege: row-level security or grants said no
        return ConfigError(
            f"the database refused: {message}; check that the user (todo whoami) matches "
            "the credentials in the database URL"
        )
    return exc


def _schema_error(conn: Connection) -> SchemaError | None:
    """Exit 5 when the schema is missing or behind; None when it is at head
    (then the statement itself is wrong: a bug, not the user's to fix)."""
    try:
        conn.rollback()
        current = migrate.current_revision(conn)
    except DBAPIError:
        current = None
    if current is None:
        return SchemaError("the database has no todo schema; run: todo db upgrade")
    state = migrate.schema_state(current)
    if state == "up to date":
        return None
    if state == "newer":
        return SchemaError(migrate.newer_message(current))
    return SchemaError(
        f"the database schema is at revision {current}, this todo needs {migrate.HEAD}; "
        "run: todo db upgrade"
    )


_LIBPQ_PREFIX = re.compile(r'^connection to server (?:at|on) "[^"]*"(?:, port \d+)? failed: ')


def _first_line(orig: BaseException | None) -> str:
    """libpq's first line, without the host it names again or its FATAL tag:
    our messages already say which database it was."""
    line = (str(orig).strip().splitlines() or ["unknown error"])[0] if orig else "unknown error"
    line = _LIBPQ_PREFIX.sub("", line)
    return re.sub(r"^(?:FATAL|ERROR):\s+", "", line)


def _ensure_sqlite_schema(conn: Connection, url: DatabaseURL) -> None:
    """The embedded database creates and upgrades itself on first use."""
    try:
        current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:
        current = None
    conn.rollback()
    # A schema written by a newer todo is used as it is (nothing here can
    # upgrade it), as an older todo would use a newer PostgreSQL schema.
    if migrate.schema_state(current) in ("up to date", "newer"):
        return
    if (
        current is None
        and conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'todos'"
        ).first()
    ):
        conn.rollback()
        # Migrating from nothing would fail on the first CREATE TABLE.
        raise SchemaError(
            f"{url.database} has todo tables but no schema revision (its alembic_version "
            "table is gone or empty): restore it from a backup, or move it away to start afresh"
        )
    # Alembic's batch mode copies and renames tables on SQLite; with foreign
    # keys on, dropping the old copy would cascade-delete the rows that point
    # at it. The pragma only takes effect outside a transaction.
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    conn.commit()
    try:
        with _file_lock(url), conn.begin():
            migrate.upgrade(conn)
    finally:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()


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


def connect(engine: Engine, url: DatabaseURL, settings: Settings) -> Connection:
    """A connection with the same retries and error messages as every command."""
    return _connect(engine, url, budget=settings.retry_budget)


# --- schema commands -----------------------------------------------------------


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


def schema_status(settings: Settings) -> Status:
    """Revisions, server version and the role's RLS standing, for whoami --check / db status."""
    url = settings.url
    engine = make_engine(url, connect_timeout=settings.connect_timeout)
    try:
        with _connect(engine, url, budget=settings.retry_budget) as conn:
            if url.backend == "sqlite":
                _ensure_sqlite_schema(conn, url)
                version = "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar_one()
                return Status(migrate.current_revision(conn), migrate.head_revision(), version)
            info = conn.dialect.server_version_info or ()
            role, bypasses = conn.exec_driver_sql(_ROLE_CHECK).one()
            return Status(
                migrate.current_revision(conn),
                migrate.head_revision(),
                "PostgreSQL " + ".".join(str(p) for p in info),
                role,
                bool(bypasses),
            )
    finally:
        engine.dispose()


def upgrade_schema(settings: Settings) -> tuple[str | None, str]:
    """Upgrade over the direct endpoint; returns (before, after).

    On PostgreSQL the whole upgrade runs in one transaction holding an
    advisory lock (transaction-scoped, so nothing outlives the transaction),
    taken before `before` is read: of two upgraders started at once, one
    migrates and the other then finds the schema at head.
    """
    url = settings.url.direct(settings.direct_url)
    engine = make_engine(url, connect_timeout=settings.connect_timeout)
    try:
        with _connect(engine, url, budget=settings.retry_budget) as conn, conn.begin():
            if url.backend == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            before = migrate.current_revision(conn)
            if migrate.schema_state(before) == "newer":
                assert before is not None
                raise SchemaError(migrate.newer_message(before))
            migrate.upgrade(conn)
            after = migrate.current_revision(conn) or migrate.HEAD
        return before, after
    finally:
        engine.dispose()
