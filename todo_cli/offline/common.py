"""What the offline package's modules share (a leaf: it imports none of
them, so they import it and not the package)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

from todo_cli.store.reach import OfflineError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from todo_cli.config import Settings
    from todo_cli.store.outbox import Box

__all__ = ["COPY_MAX", "OfflineError", "box_path", "is_name", "locked", "status_line"]

# The most todos one command writes into the copy (about 15 ms at 1,000);
# a longer listing leaves it as it was.
COPY_MAX = 1000


def status_line(box: Box, now: datetime) -> str:
    """ "copy of 10:04 (3 min ago), 2 changes queued"."""
    seen = box.get("copied_at")
    waiting = box.count()
    queued = f"{waiting} change{'s' if waiting != 1 else ''} queued"
    if not seen:
        return f"no copy yet (nothing was read online on this machine), {queued}"
    at = datetime.fromisoformat(seen)
    minutes = int((now.astimezone(UTC) - at).total_seconds() // 60)
    age = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
    return f"copy of {at.strftime('%Y-%m-%d %H:%M')} UTC ({age} ago), {queued}"


def box_path(settings: Settings, environ: Mapping[str, str]) -> Path:
    """The offline file of this profile, database and user (box.py): state
    kept between runs, so under XDG_STATE_HOME (~/.local/state/todo)."""
    from todo_cli.config import _platform_dir
    from todo_cli.store.outbox import path_for

    return path_for(
        _platform_dir(environ, "XDG_STATE_HOME", ".local/state"),
        settings.profile.value,
        settings.url.display() + "\0" + (settings.url.username or ""),
        settings.user.value,
    )


def is_name(arg: str) -> bool:
    return len(arg) > 1 and arg[0] in "qQ" and arg[1:].isdigit()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One replay at a time per file (two terminals replaying at once)."""
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
