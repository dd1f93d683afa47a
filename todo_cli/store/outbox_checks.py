"""What an offline file (outbox.py) must hold to be used: checked as it is
opened and read, so that a file damaged or edited by hand is one error
(exit 6) and never a change replayed as another, passed over or half read.
Each check raises ValueError saying what is wrong."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from todo_cli.errors import StorageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

KINDS = ("add", "edit", "done", "reopen", "rm", "undo")
STATES = ("waiting", "sending", "held")
COLUMNS = {
    "meta": {"key", "value"},
    "outbox": {
        "seq", "kind", "payload", "saw", "stamp", "request_id", "name", "state", "reason", "force"
    },
    "names": {"name", "seq", "number", "owner", "request_id"},
    "copy": {"owner", "number", "updated", "data"},
}  # fmt: skip
_NUMBERS = ("max_number", "max_event", "last_name", "live_event", "changed_online_after")
_TIMES = ("last_stamp", "copied_at", "offline_since")


def schema(conn: sqlite3.Connection) -> None:
    for table, wanted in COLUMNS.items():
        found = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if wanted - found:
            raise ValueError(f"its table {table} lacks {', '.join(sorted(wanted - found))}")


def meta(conn: sqlite3.Connection) -> None:
    for key, value in conn.execute("SELECT key, value FROM meta"):
        if key in _NUMBERS and not str(value).isdigit():
            raise ValueError(f"{key} is {value!r}, not a number")
        if key in _TIMES:
            moment(value, key)


def moment(value: Any, what: str) -> datetime:
    try:
        found = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} is {value!r}, not a time") from None
    if found.tzinfo is None:
        raise ValueError(f"{what} is {value!r}, a time without its zone")
    return found


def entry(row: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, str], datetime]:
    """A queued change's row: its payload, saw and stamp, decoded."""
    seq, kind, payload, saw, stamp, request_id, _name, state = row[:8]
    where = f"queued change #{seq}"
    if kind not in KINDS:
        raise ValueError(f"{where} is of a kind todo does not know ({kind!r})")
    if state not in STATES:
        raise ValueError(f"{where} is in a state todo does not know ({state!r})")
    if not isinstance(request_id, str) or not request_id:
        raise ValueError(f"{where} has no request id")
    decoded, seen = json.loads(payload), json.loads(saw)
    if not isinstance(decoded, dict) or not isinstance(seen, dict):
        raise ValueError(f"{where} is not a change todo can read")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in seen.items()):
        raise ValueError(f"{where} records versions todo cannot read")
    refs = decoded.get("refs")
    if kind == "add":
        titles, todos = decoded.get("titles"), decoded.get("todos")
        if not (isinstance(titles, list) and titles and isinstance(todos, list) and todos):
            raise ValueError(f"{where} is an add without its todos")
    elif kind != "undo" and not (
        isinstance(refs, list) and refs and all(isinstance(r, str) for r in refs)
    ):
        raise ValueError(f"{where} names no todo todo can read")
    return decoded, seen, moment(stamp, f"the time of {where}")


def damaged(path: Path, why: str) -> StorageError:
    return StorageError(
        f"cannot use the offline file {path}: {why}; move it aside to go on "
        "(the changes queued in it are then not replayed)"
    )


def box_fault(path: Path, exc: BaseException) -> StorageError | None:
    """An error of the offline file, said for what it is: damaged (move it
    aside), or what the disk did (full, read-only, an I/O or permission
    error: never "move it aside", which would throw the queue away). None
    when it is neither (a bug: reported as such)."""
    from todo_cli.store.faults import sqlite_fault

    if isinstance(exc, OSError):
        why = exc.strerror or str(exc)
        if exc.filename and str(exc.filename) != str(path):
            why += f" ({exc.filename})"
    elif isinstance(exc, sqlite3.Error):
        said = sqlite_fault(str(path), exc)
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or str(exc).startswith(
            "Could not decode"
        ):
            return damaged(path, str(exc))
        if said is None:
            return None
        why = "no space left on its device" if said.message.startswith("no space") else str(exc)
    else:
        return None
    return StorageError(
        f"cannot write the offline file {path}: {why}; this command saved nothing, and what "
        "is queued in it stays queued (free some space or fix the permissions, then try "
        "again; see: todo sync)"
    )
