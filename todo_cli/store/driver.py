"""Connections on the DB-API drivers, and what their errors mean.

The standard library's sqlite3 for the embedded file, psycopg2 for
PostgreSQL; psycopg2 is imported only for a PostgreSQL URL. Both
connections are in autocommit mode: the session (session.py) sends its
own transaction boundaries, so on PostgreSQL a command's statements and its
COMMIT can travel in one message.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator

from todo_cli.dburl import DatabaseURL

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from typing import Any, Literal

    Kind = Literal[
        "transient", "busy", "config", "schema", "refused", "locked", "invalid", "conflict", "other"
    ]

SQLITE_BUSY_MS = 1000  # one wait inside SQLite; runner.run() retries within the budget

# SQLSTATEs that mean "the schema is not what this code expects":
# undefined table, column or function; and a NOT NULL column this code does
# not fill (added by a newer migration). Each is a schema mismatch only when
# the schema is not at head; at head it is a bug (see schema.mismatch).
_SCHEMA_SQLSTATES = {"42P01", "42703", "42883", "23502"}
_SCHEMA_MARKERS = (
    "no such table",
    "no such column",
    "has no column named",
    "NOT NULL constraint failed",
)
# Connection failures that are the user's configuration, not the network
# (with libpq's "invalid ..." of a URL: sslmode=bogus, an unknown option).
_CONFIG_FAILURES = (
    "password authentication failed",
    "SASL authentication failed",  # PgBouncer's words for a wrong password
    "does not exist",
    "no password supplied",
    "no such database",  # PgBouncer's "does not exist"
    "permission denied",  # CONNECT not granted, or a URL option denied
)
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
_LIBPQ_PREFIX = r'^connection to server (?:at|on) "[^"]*"(?:, port \d+)? failed: '

# What the database refuses as invalid input: a value its checks refuse
# (control characters, a note too long) or a limit (shares per owner).
_INVALID_SQLSTATES = {"23514", "54000", "22001", "22003", "2200H"}


def _load_psycopg2() -> None:
    """psycopg2 imports ssl only for OpenSSL 1.0's thread callbacks; refused
    it, it leaves OpenSSL to libpq, as psql does: about 5 ms a command."""
    import sys

    if "psycopg2" in sys.modules or "ssl" in sys.modules:
        return
    sys.modules["ssl"] = None  # type: ignore[assignment]  # import ssl: ImportError
    try:
        import psycopg2  # noqa: F401
    finally:
        if sys.modules.get("ssl", 0) is None:
            del sys.modules["ssl"]


def connect(url: DatabaseURL, *, connect_timeout: float, silent_after: float | None = None) -> Any:
    """An open DB-API connection in autocommit mode (no retries here).
    silent_after (offline mode, todo_cli/offline): give up after that many
    seconds if the server has sent nothing at all, not even a TLS or
    authentication reply (a Neon proxy waking a compute answers at once)."""
    if url.backend == "sqlite":
        return _connect_sqlite(url)
    _load_psycopg2()
    import psycopg2
    import psycopg2.extensions

    # libpq waits for a connection inside C, where Ctrl-C cannot reach: the
    # connect waits in _wait instead, which Ctrl-C ends at once, and which
    # keeps connect_timeout (libpq applies it only to a connection it waits
    # for itself). Only the connect: psycopg2's COPY refuses a callback.
    # The callback and deadlines are the process's: one connect at a time
    # (threads of in-process tests reset each other's callback).
    with connect_lock():
        outer = psycopg2.extensions.get_wait_callback()  # a bounded replay's (bounded)
        psycopg2.extensions.set_wait_callback(_wait)
        _connecting[0] = time.monotonic() + connect_timeout
        _silent[0] = None if silent_after is None else time.monotonic() + silent_after
        try:
            conn = psycopg2.connect(
                libpq_url(url),
                # libpq takes whole seconds and treats values below 2 as 2.
                connect_timeout=max(2, round(connect_timeout)),
                application_name="todo",
            )
        finally:
            _connecting[0] = _silent[0] = None
            psycopg2.extensions.set_wait_callback(outer)
    conn.autocommit = True
    return conn


_LOCKS: dict[str, Any] = {}


def connect_lock() -> Any:
    import _thread  # not threading: its import costs a command's start-up

    return _LOCKS.setdefault("connect", _thread.allocate_lock())


# The deadline of the connection being made, if one is (see _wait).
_connecting: list[float | None] = [None]
# Offline mode: the deadline for a first byte from the server (see connect).
_silent: list[float | None] = [None]
SILENT = "no answer from the server"


def _wait(conn: Any) -> None:
    """psycopg2's wait callback while connecting: poll the connection,
    waiting in select() up to the deadline, where a signal is delivered at
    once (Ctrl-C raises KeyboardInterrupt here)."""
    import select

    from psycopg2 import OperationalError
    from psycopg2.extensions import POLL_OK, POLL_READ

    heard = False  # a byte (or a close) from the server: it is there
    while True:
        state = conn.poll()
        if state == POLL_OK:
            return
        silent = None if heard else _silent[0]
        deadlines = [d for d in (_connecting[0], silent) if d is not None]
        timeout = min(deadlines) - time.monotonic() if deadlines else None
        if timeout is None or timeout > 0:
            fd = conn.fileno()
            readers, writers = ([fd], []) if state == POLL_READ else ([], [fd])
            ready = select.select(readers, writers, [], timeout)
            if ready != ([], [], []):
                heard = heard or bool(ready[0])
                continue
        if silent is not None and silent <= time.monotonic():
            raise OperationalError(f"timeout expired: {SILENT}")
        raise OperationalError("timeout expired")


# A bounded replay (see bounded): seconds each reply may take, and whether
# Ctrl-C came while a COMMIT was in flight (session._committing holds it).
_reply_within: list[float | None] = [None]
interrupted: list[bool] = [False]
NO_REPLY = "no reply from the server"


@contextlib.contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Queries wait for their reply in Python (_wait_reply), at most
    `seconds` each, and Ctrl-C ends the wait at once, even for a COMMIT:
    for offline replay, whose journal check makes a change whose outcome is
    unknown safe to leave "sending" (libpq alone waits in C, where neither
    a silent network nor Ctrl-C reaches, until TCP gives up: minutes)."""
    import psycopg2.extensions

    _reply_within[0] = seconds
    interrupted[0] = False
    psycopg2.extensions.set_wait_callback(_wait_reply)
    try:
        yield
    finally:
        psycopg2.extensions.set_wait_callback(None)
        _reply_within[0] = None


def _wait_reply(conn: Any) -> None:
    import select

    from psycopg2 import OperationalError
    from psycopg2.extensions import POLL_OK, POLL_READ

    deadline = time.monotonic() + (_reply_within[0] or 0)
    while True:
        state = conn.poll()
        if state == POLL_OK:
            return
        if interrupted[0]:
            raise OperationalError(f"timeout expired: {NO_REPLY} (interrupted)")
        left = deadline - time.monotonic()
        if left <= 0:
            raise OperationalError(f"timeout expired: {NO_REPLY} within {_reply_within[0]:g} s")
        fd = conn.fileno()
        readers, writers = ([fd], []) if state == POLL_READ else ([], [fd])
        # In slices: a Ctrl-C held during a COMMIT sets `interrupted`
        # without ending select (PEP 475 resumes it).
        select.select(readers, writers, [], min(left, 0.2))


def libpq_url(url: DatabaseURL) -> str:
    """The URL as libpq takes it: the scheme without a driver name."""
    _, rest = url.raw.split("://", 1)
    return "postgresql://" + rest


def _connect_sqlite(url: DatabaseURL) -> sqlite3.Connection:
    import sqlite3

    path = url.database or ":memory:"
    if path != ":memory:":
        prepare_sqlite_file(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        _functions(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def connect_read_only(path: str, failure: BaseException) -> sqlite3.Connection | None:
    """A read-only connection to a file todo could open but not use in
    the usual way because it may not write beside it: a read-only folder
    (where the WAL's -shm file cannot be made) or a read-only -shm. Opened
    as immutable, which skips SQLite's locking: only when no WAL holds
    changes that are not in the file yet (then None: the caller reports the
    failure), and a writer, if any, is someone else with more rights."""
    import sqlite3
    import urllib.parse

    name = getattr(failure, "sqlite_errorname", "") or ""
    if not name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR")):
        return None
    wal = f"{path}-wal"
    if not os.access(path, os.R_OK) or (os.path.exists(wal) and os.path.getsize(wal) > 0):
        return None
    uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        _functions(conn)
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return conn


def _functions(conn: sqlite3.Connection) -> None:
    """What the SQL calls that SQLite lacks. SQLite's lower() folds ASCII
    only; searches fold like PostgreSQL's lower(). The recurrence functions
    are PostgreSQL's SQL functions of the same names (alembic/versions/0009)."""
    conn.create_function("todo_fold", 1, _fold, deterministic=True)
    conn.create_function("todo_next_due", 6, _next_due, deterministic=True)
    conn.create_function("todo_wait_at", 2, _wait_at, deterministic=True)


def _fold(text: str | None) -> str | None:
    return None if text is None else text.lower()


# Imported when first called: most commands never complete a recurring todo.
def _next_due(*args: Any) -> str | None:
    from todo_cli.recurrence import sqlite_next_due

    return sqlite_next_due(*args)


def _wait_at(due: str | None, lead: int | None) -> str | None:
    from todo_cli.recurrence import sqlite_wait_at

    return sqlite_wait_at(due, lead)


def prepare_sqlite_file(where: str | os.PathLike[str]) -> None:
    """The file may hold private todos: 0600 inside a 0700 directory.

    It is made beside its place with SQLite's header written (WAL mode),
    then linked into place: a todo.db of 0 bytes is then never one todo is
    making, but one that lost its todos (faults.not_a_file says so).
    With os.path, as every command's way here is: no pathlib."""
    path = os.fspath(where)
    if os.path.exists(path):
        return
    import sqlite3

    folder, name = os.path.split(path)
    os.makedirs(folder or ".", mode=0o700, exist_ok=True)  # the parents as Path.mkdir makes them
    fresh = os.path.join(folder, f".{name}.{os.getpid()}.new")
    try:
        os.close(os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        conn = sqlite3.connect(fresh)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        with contextlib.suppress(FileExistsError):  # another todo made it first
            os.link(fresh, path)
    finally:
        for leftover in (fresh, f"{fresh}-wal", f"{fresh}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)


def errors(backend: str) -> tuple[type[BaseException], ...]:
    """The driver's exception base classes (psycopg2 only when it is in use)."""
    if backend == "sqlite":
        import sqlite3

        return (sqlite3.Error,)
    import psycopg2

    return (psycopg2.Error,)


def first_line(exc: BaseException) -> str:
    """The driver's first line, without the host libpq names again or its
    FATAL tag: our messages already say which database it was."""
    lines = str(exc).strip().splitlines()
    line = re.sub(_LIBPQ_PREFIX, "", lines[0]) if lines else "unknown error"
    return re.sub(r"^(?:FATAL|ERROR):\s+", "", line)


def sqlstate(exc: BaseException) -> str | None:
    code = getattr(exc, "pgcode", None)
    return code if isinstance(code, str) else None


def classify(exc: BaseException) -> Kind:
    """What a driver error means for the command that met it."""
    if is_sqlite(exc):
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return "busy"
        if any(marker in str(exc) for marker in _SCHEMA_MARKERS):
            return "schema"
        return "other"
    code = sqlstate(exc)
    message = first_line(exc)
    if code in _SCHEMA_SQLSTATES:
        return "schema"
    if code == "42501":  # insufficient_privilege: row-level security or grants said no
        return "refused"
    if code == "55P03":  # lock_not_available: waited LOCK_TIMEOUT_MS for another's lock
        return "locked"
    if code == "23505":  # unique_violation: another change took the same key first
        return "conflict"
    if code in _INVALID_SQLSTATES:
        return "invalid"
    if code in _TRANSIENT_SQLSTATES or (code or "").startswith("08"):
        return "transient"
    if code is None:
        lowered = message.lower()
        if message.startswith("invalid ") or any(m in message for m in _CONFIG_FAILURES):
            return "config"
        if any(marker in lowered for marker in _TRANSIENT_MARKERS):
            return "transient"
        if getattr(exc, "__class__", type).__name__ in ("InterfaceError",):
            return "transient"
    return "other"


def is_sqlite(exc: BaseException) -> bool:
    """An error of the sqlite3 driver (without importing it for PostgreSQL)."""
    return type(exc).__module__ == "sqlite3"


def server_reported(exc: BaseException) -> bool:
    """True when the server answered with an error (so the transaction of
    that message rolled back), not when the connection was lost."""
    return sqlstate(exc) is not None
