"""What the disk does to the offline file is said as the disk's doing,
never as a damaged file: "move it aside" would throw the queue away
(a review opened a queue on a full disk and a read-only mount, and was
told to move it aside; the queue was whole)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from todo_cli.errors import StorageError
from todo_cli.store import outbox_checks
from todo_cli.store.outbox import Box

BOX = Path("/state/todo/offline/p.db")
STAYS = (
    "; this command saved nothing, and what is queued in it stays queued (free some space or "
    "fix the permissions, then try again; see: todo sync)"
)


def _sqlite(message: str, name: str) -> sqlite3.Error:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorname = name
    return exc


@pytest.mark.parametrize(
    ("exc", "why"),
    [
        (_sqlite("database or disk is full", "SQLITE_FULL"), "no space left on its device"),
        (_sqlite("attempt to write a readonly database", "SQLITE_READONLY"),
         "attempt to write a readonly database"),
        (_sqlite("disk I/O error", "SQLITE_IOERR"), "disk I/O error"),
        (_sqlite("unable to open database file", "SQLITE_CANTOPEN"),
         "unable to open database file"),
        (OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
    ],
    ids=["full", "read-only", "io", "cannot-open", "os-read-only"],
)  # fmt: skip
def test_the_disks_fault_keeps_the_queue(exc: BaseException, why: str) -> None:
    fault = outbox_checks.box_fault(BOX, exc)
    assert isinstance(fault, StorageError)
    assert fault.message == f"cannot write the offline file {BOX}: {why}{STAYS}"


@pytest.mark.parametrize(
    "exc",
    [
        _sqlite("database disk image is malformed", "SQLITE_CORRUPT"),
        _sqlite("file is not a database", "SQLITE_NOTADB"),
        sqlite3.OperationalError("Could not decode to UTF-8 column 'reason' with text 'x'"),
    ],
    ids=["corrupt", "not-a-database", "not-utf8"],
)
def test_a_damaged_file_is_said_damaged_not_the_disks(exc: BaseException) -> None:
    """Inside a transaction these were re-raised raw ("unexpected"), and a
    text that is not UTF-8 was told to free some space."""
    fault = outbox_checks.box_fault(BOX, exc)
    assert isinstance(fault, StorageError)
    assert fault.message.startswith(f"cannot use the offline file {BOX}: ")
    assert fault.message.endswith(
        "; move it aside to go on (the changes queued in it are then not replayed)"
    )


@pytest.mark.parametrize(
    "exc",
    [ValueError("its table outbox lacks seq"), sqlite3.IntegrityError("UNIQUE constraint failed")],
)
def test_a_bug_is_neither(exc: BaseException) -> None:
    assert outbox_checks.box_fault(BOX, exc) is None


def test_a_queued_change_that_is_null_is_a_damaged_file(tmp_path: Path) -> None:
    """json.loads(None) raised TypeError: "unexpected TypeError", exit 1."""
    path = tmp_path / "box.db"
    with Box(path) as box, box.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (kind, payload, saw, stamp, request_id) "
            "VALUES ('add', '{}', '{}', '2026-12-01T00:00:00+00:00', 'r')"
        )
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = replace(sql, 'payload TEXT NOT NULL', "
            "'payload TEXT') WHERE name = 'outbox'"
        )
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE outbox SET payload = NULL")
    with pytest.raises(StorageError, match=r"cannot use the offline file .*; move it aside"):
        Box(path)


def test_a_folder_that_cannot_be_made_is_not_a_damaged_file(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("a file where the folder goes")
    path = tmp_path / "state" / "box.db"
    with pytest.raises(StorageError) as caught:
        Box(path)
    assert caught.value.message == (
        f"cannot write the offline file {path}: File exists ({path.parent}){STAYS}"
    )


def test_a_replay_lock_that_cannot_be_opened_is_its_one_line(tmp_path: Path) -> None:
    """os.open of the lock was "unexpected OSError" on a read-only disk."""
    from todo_cli.offline.common import locked

    path = tmp_path / "box.db"
    Path(f"{path}.lock").mkdir()  # as root, a folder is what refuses O_RDWR
    with pytest.raises(StorageError) as caught, locked(path):
        pass
    assert caught.value.message == (
        f"cannot write the offline file {path}: Is a directory ({path}.lock){STAYS}"
    )


def test_a_damaged_file_met_inside_a_transaction_is_said_damaged(tmp_path: Path) -> None:
    path = tmp_path / "box.db"
    with pytest.raises(StorageError) as caught, Box(path) as box, box.transaction():
        raise _sqlite("database disk image is malformed", "SQLITE_CORRUPT")
    assert caught.value.message.startswith(f"cannot use the offline file {path}: ")
