"""What the offline package's modules share (a leaf: it imports none of
them, so they import it and not the package)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

from todo_cli.errors import StorageError
from todo_cli.store.reach import OfflineError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from todo_cli.config import Settings
    from todo_cli.dburl import DatabaseURL
    from todo_cli.store.outbox import Box

__all__ = [
    "COPY_MAX",
    "OfflineError",
    "ReplayBusy",
    "box_path",
    "is_name",
    "locked",
    "names_path",
    "path_for",
    "status_line",
    "where_key",
]

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
    if minutes < 120:
        age = f"{minutes} min"
    elif minutes < 48 * 60:
        age = f"{minutes // 60} h"
    else:
        age = f"{minutes // (24 * 60)} days"
    return f"copy of {at.strftime('%Y-%m-%d %H:%M')} UTC ({age} ago), {queued}"


def box_path(settings: Settings, environ: Mapping[str, str]) -> Path:
    """The offline file of this profile, user and database (outbox.py):
    state kept between runs, so under XDG_STATE_HOME (~/.local/state/todo).
    The database as a server knows it, not as the URL spells it (where_key):
    the same database under another spelling or role must find its queue."""
    from todo_cli.config import _platform_dir

    return path_for(
        _platform_dir(environ, "XDG_STATE_HOME", ".local/state"),
        settings.profile.value,
        settings.user.value,
        where_key(settings.url, environ),
    )


def path_for(data_dir: Path, profile: str, user: str, where: str) -> Path:
    """One file per profile, user and database, named after them: each
    percent-encoded, "@" too, so no two triples share a name (the database
    hashed when the name would be too long, and the whole if still so)."""
    from urllib.parse import quote

    def named(where: str) -> str:
        return "@".join(quote(part, safe=".-_") for part in (profile, user, where))

    def hashed(text: str) -> str:
        import hashlib  # 4 ms, for the rare name too long

        return hashlib.sha256(text.encode()).hexdigest()[:32]

    key = named(where)
    if len(key) > 200:
        key = named(hashed(where))
    if len(key) > 240:
        key = hashed(key)
    return data_dir / "offline" / f"{key}.db"


def names_path(box: Path) -> Path:
    """The counter of provisional names of the box's profile and user,
    shared by their files (path_for names each profile@user@...)."""
    if box.name.count("@") != 2:  # hashed whole (path_for): a counter of its own
        return box.with_suffix(".names")
    profile, user, _ = box.name.split("@")
    return box.parent / f"{profile}@{user}.names"


_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def where_key(url: DatabaseURL, environ: Mapping[str, str]) -> str:
    """host:port/database, as libpq takes them (the URL's query, such as
    ?dbname= or ?host=, over the URL's own parts, then PGHOST, PGPORT,
    PGDATABASE), one spelling per database: the host in lower case; this
    machine's names for itself (and a socket folder) as "localhost";
    Neon's pooled endpoint (ep-x-pooler.region.neon.tech) as its direct
    one; the port libpq would use; the database libpq would open (the
    role's name when none is given). Not the role: one user under a new
    role (todo admin user add again) keeps the queue. A service (?service=,
    PGSERVICE) names its own."""
    from urllib.parse import parse_qs, urlsplit

    query = {k: v[-1] for k, v in parse_qs(urlsplit(url.raw).query).items()}
    role = query.get("user") or url.username or environ.get("PGUSER") or ""
    host = (query.get("host") or url.host or environ.get("PGHOST") or "localhost").lower()
    host = host.strip("[]")
    if host in _LOOPBACK or host.startswith("/"):
        host = "localhost"
    first, dot, rest = host.partition(".")
    if first.endswith("-pooler") and rest.endswith("neon.tech"):
        host = first.removesuffix("-pooler") + dot + rest
    port = query.get("port") or url.port or environ.get("PGPORT") or 5432
    name = query.get("dbname") or url.database or environ.get("PGDATABASE") or role
    service = query.get("service") or environ.get("PGSERVICE")
    return f"{host}:{port}/{name}" + (f"?service={service}" if service else "")


def is_name(arg: str) -> bool:
    return len(arg) > 1 and arg[0] in "qQ" and arg[1:].isdigit()


# How long a command waits for another one's replay of the same outbox
# before it says so (one stopped with Ctrl-Z would hold it for ever).
LOCK_WAIT = 3.0


class ReplayBusy(StorageError):
    """Another todo process holds this outbox's replay lock."""


@contextlib.contextmanager
def locked(path: Path, wait: float | None = None) -> Iterator[None]:
    """One replay at a time per file (two terminals replaying at once); a
    lock held longer than `wait` seconds raises ReplayBusy, naming its
    holder (each holder writes its pid into the lock file)."""
    import time

    try:
        fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # a read-only or full disk: its one line (exit 6)
        from todo_cli.store.outbox_checks import box_fault

        raise box_fault(path, exc) or exc from None
    try:
        deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ReplayBusy(_busy(fd)) from None
                time.sleep(0.05)  # a poll with a deadline
        # The holder's pid, for _busy's message only: a full disk leaves
        # it out ("another todo process"), and the lock holds all the same.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def _busy(fd: int) -> str:
    holder = os.pread(fd, 20, 0).decode(errors="replace").strip()
    who = f"process {holder}" if holder.isdigit() else "another todo process"
    return (
        f"{who} is replaying this machine's queued changes and has not finished "
        "(stopped with Ctrl-Z? resume or end it); they stay queued"
    )
