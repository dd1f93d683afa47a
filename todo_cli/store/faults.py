"""What a failure means to the person who met it: one line saying what
happened and what to do, and the error class that carries its exit code.

Never "check that the server is up" for a local file, never the password.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable

from todo_cli.errors import ConfigError, DatabaseUnreachableError, StorageError, TodoError
from todo_cli.store import driver

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

    from todo_cli.store.target import Target

Final = Callable[[int], TodoError]  # the error once the budget is spent, given the attempts


def cannot_connect(settings: Target, exc: BaseException, kind: str) -> Final:
    url = settings.url
    reason = url.redact(driver.first_line(exc))
    if driver.is_sqlite(exc):
        if kind == "busy":
            return busy(settings)
        error = sqlite_fault(url.database or "", exc)  # type: ignore[arg-type]
        return lambda _attempts: error or StorageError(f"cannot open {url.database}: {reason}")
    if "channel_binding" in reason and "invalid" in reason:
        return lambda _attempts: ConfigError(
            "this libpq is too old for channel_binding (needs PostgreSQL 13+ client "
            f"libraries): remove channel_binding from the URL or upgrade psycopg2: {reason}"
        )
    if kind == "config":
        return lambda _attempts: ConfigError(
            f"cannot connect to {url.display()}: {reason}; check the database URL"
        )

    def unreachable(attempts: int) -> TodoError:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        return DatabaseUnreachableError(
            f"cannot reach {url.display()}{tries}: {reason}; check that the server is "
            "up and the URL is right (todo whoami)"
        )

    return unreachable


def lost(settings: Target, reason: str) -> Final:
    url = settings.url
    return lambda _attempts: DatabaseUnreachableError(
        f"lost the connection to {url.display()} and the retry budget "
        f"({settings.retry_budget:g}s) ran out: {reason}"
    )


def busy_reason(settings: Target) -> str:
    return f"{settings.url.database} is busy: another todo is writing to it"


def busy(settings: Target) -> Final:
    budget = settings.retry_budget
    return lambda _attempts: DatabaseUnreachableError(
        f"{settings.url.database} stayed busy for {budget:g}s: another todo (an import?) "
        "is still writing to it; try again when it is done, or raise TODO_RETRY_BUDGET"
    )


def locked(settings: Target) -> TodoError:
    from todo_cli.store.sql import LOCK_TIMEOUT_MS

    return DatabaseUnreachableError(
        f"waited {LOCK_TIMEOUT_MS / 1000:g}s for a lock another session holds on "
        f"{settings.url.display()}; nothing was changed: try again (a session that keeps "
        "it longer is stuck or hostile: see pg_stat_activity)"
    )


def output_cut(settings: Target) -> TodoError:
    return DatabaseUnreachableError(
        f"lost the connection to {settings.url.display()} while writing the output; "
        "the output above is incomplete"
    )


def translate(settings: Target, exc: BaseException) -> BaseException:
    """A TodoError for a failure a user, a disk or a network can cause;
    the driver's own exception (a bug, reported as such) otherwise."""
    if driver.is_sqlite(exc):
        return sqlite_fault(settings.url.database or "", exc) or exc  # type: ignore[arg-type]
    return exc


def sqlite_fault(where: str, exc: sqlite3.Error) -> StorageError | None:
    from pathlib import Path  # here: not on an everyday command's way

    path = Path(where)
    name = getattr(exc, "sqlite_errorname", "") or ""
    message = str(exc)
    io = name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_FULL"))
    if name == "SQLITE_FULL" or "disk is full" in message or (io and _device_full(path)):
        return StorageError(
            f"no space left on the device that holds {path}; free some space and try again "
            "(nothing was changed)"
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return StorageError(f"cannot write {path}: {_why_not_writable(path)}")
    if name.startswith("SQLITE_CANTOPEN"):
        return StorageError(f"cannot open {path}: {_why_not_openable(path)}")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or message.startswith(
        "Could not decode to UTF-8"  # text SQLite holds, but not as a todo writes it
    ):
        return StorageError(
            f"{path} is damaged or is not a todo database ({message}); move it aside "
            "(todo starts a new one) and restore your todos from a todo export"
        )
    if name.startswith("SQLITE_IOERR"):
        return StorageError(f"cannot read or write {path}: input/output error ({message})")
    return None


def _device_full(path: Path) -> bool:
    """No space left where the file is (SQLite's journal files need some:
    in WAL mode a full disk reads as an I/O error)."""
    folder = path.parent if path.parent.is_dir() else path.parent.parent
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail == 0 or stats.f_favail == 0


def not_a_file(path: str) -> StorageError | None:
    """The database path names something that is not a file SQLite can use."""
    path = path or "."  # as Path("") names it
    try:
        mode = os.stat(path).st_mode
    except ValueError:  # a NUL in the name: no such file, as Path.exists() says
        return None
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return None  # not there (yet), as Path.exists() says
        raise
    if stat.S_ISREG(mode) and os.path.getsize(path) == 0:
        return StorageError(
            f"{path} is empty (0 bytes): the todos it held are gone; restore it from a backup "
            "or a todo export, or remove it to start afresh"
        )
    if stat.S_ISREG(mode):
        return None
    what = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device, or a link to one?)"
    return StorageError(
        f"{path} is {what}, not a todo database; move it aside (todo starts a new one there)"
    )


def local_file(settings: Target, exc: OSError) -> StorageError:
    """An OSError while preparing the database file or its folder."""
    where = exc.filename or settings.url.database
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError(f"no space left on the device that holds {where}; free some space")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        database = settings.url.database
        made = f" (on the way to {database})" if str(where) != str(database) else ""
        return StorageError(
            f"cannot create {where}{made}: permission denied; fix the permissions, "
            "or set XDG_DATA_HOME or DATABASE_URL to a place you can write"
        )
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return StorageError(
            f"cannot create {settings.url.database}: {where} is in the way (not a folder); "
            "move it aside, or set XDG_DATA_HOME or DATABASE_URL"
        )
    return StorageError(f"cannot create {where}: {exc.strerror or exc}")


def _why_not_writable(path: Path) -> str:
    from pathlib import Path

    folder = path.parent
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists() and not os.access(candidate, os.W_OK):
            return f"{candidate} is read-only for you; fix its permissions (chmod u+w)"
    if not os.access(folder, os.W_OK):
        return (
            f"its folder {folder} is read-only for you (SQLite writes a journal beside the "
            "file); fix the folder's permissions (chmod u+w)"
        )
    # SQLite opened it read-only, and (as it does) set the mode of the file
    # beside it that made it so: by now nothing looks amiss.
    return (
        f"SQLite opened it read-only: a read-only {path.name}-shm or {path.name}-wal was left "
        "beside it (SQLite has given it back its mode); run the command again"
    )


def _why_not_openable(path: Path) -> str:
    if path.is_dir():
        return "it is a folder, not a database file; move it aside"
    if not path.parent.is_dir():
        return f"{path.parent} is not a folder"
    if path.exists() and not os.access(path, os.R_OK):
        return "permission denied; fix its permissions (chmod u+rw)"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"its folder {path.parent} is not writable for you; fix the folder's permissions"
    return "SQLite cannot open it"
