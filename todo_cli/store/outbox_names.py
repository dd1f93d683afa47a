"""Provisional names (q1, q2...) of queued adds, given one at a time by the
offline files of one profile and user (outbox.Box.queue): the next after
the last any of them gave, read from the files themselves under one lock,
so that no count of its own can be lost or damaged."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator

from todo_cli.errors import StorageError
from todo_cli.store.outbox_checks import damaged

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def next_name(names: Path | None, path: Path, last: int) -> int:
    """After last (the file at path's own) and the last of every other file
    of its profile and user (names: their lock, "profile@user.names", held
    by naming until path's commit)."""
    if names is None:
        return last + 1
    from urllib.parse import quote

    for other in names.parent.glob(f"{names.stem}@*.db"):
        if other == path or other.stat().st_size == 0:  # being made, or never was
            continue
        try:
            conn = sqlite3.connect(f"file:{quote(str(other))}?mode=ro", uri=True)
            try:
                if not conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
                ).fetchone():
                    continue  # its schema not made yet: no name given
                row = conn.execute("SELECT value FROM meta WHERE key = 'last_name'").fetchone()
            finally:
                conn.close()
            last = max(last, int(row[0]) if row else 0)
        except (sqlite3.Error, ValueError) as exc:
            raise damaged(other, f"its last provisional name cannot be read ({exc})") from None
    return last + 1


@contextlib.contextmanager
def naming(names: Path | None) -> Iterator[None]:
    """The names of a profile and user given one at a time."""
    if names is None:
        yield
        return
    import fcntl

    try:
        fd = os.open(names, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StorageError(f"cannot use {names}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # until the name is committed
        yield
    finally:
        os.close(fd)
