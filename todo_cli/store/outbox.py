"""Offline mode's local file (todo_cli/offline) of one profile, database
and user: the outbox of changes
made offline, the provisional names of queued adds, and the copy of what
the user could see the last time a command was online.

One SQLite file, mode 0600 in a 0700 folder (its -wal and -shm too), in
WAL mode, written in transactions with synchronous=FULL: a `kill -9` at any
moment leaves it as it was before or after a whole step, never between
(offline/replay.py relies on that).

The outbox, in order (seq):
- kind: add, edit, done, reopen, rm or undo; payload: what the command
  was given (JSON); request_id: the add's, kept for every retry;
- stamp: when the change was made, to the microsecond, unique in this
  file. Replay runs the change with the session's clock at the stamp, so
  the journal entry it writes (events.at, or events.undone_at for undo)
  carries it: the server-side record that the change was applied, in the
  same transaction as the change (replay.py);
- saw: {ref: the todo's updated_at when the change was made (its version
  as this machine saw it), or "#seq" (what an earlier queued change of
  the same todo leaves)};
- state: waiting; sending (its transaction may have reached the server:
  the next replay asks the journal first); held (not applied: reason).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta

from todo_cli.classes import dataclass
from todo_cli.store import outbox_checks, outbox_names
from todo_cli.store.outbox_checks import damaged
from todo_cli.todo import Todo

# Not dataclasses, typing or pathlib: every command on PostgreSQL opens this
# file, and they took a quarter of such a command's imports (issue 23).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path
    from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    saw TEXT NOT NULL,
    stamp TEXT NOT NULL UNIQUE,
    request_id TEXT NOT NULL,
    name TEXT,
    state TEXT NOT NULL DEFAULT 'waiting',
    reason TEXT,
    force INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS names (
    name TEXT PRIMARY KEY, seq INTEGER NOT NULL, number INTEGER, owner TEXT, request_id TEXT
);
CREATE TABLE IF NOT EXISTS copy (
    owner TEXT NOT NULL, number INTEGER NOT NULL, updated TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (owner, number)
);
"""


@dataclass
class Entry:
    seq: int
    kind: str
    payload: dict[str, Any]
    saw: dict[str, str]
    stamp: datetime
    request_id: str
    name: str | None
    state: str
    reason: str | None
    force: bool

    def describe(self) -> str:
        refs = " ".join(self.payload.get("refs", []))
        if self.kind == "add":
            return f"add {self.name} {self.payload['titles'][0]!r}"
        if self.kind == "undo":
            return "undo"
        return f"{self.kind} {refs}"


class Box:
    """The open file (a context manager)."""

    def __init__(self, path: Path, *, shared: bool = False, names: Path | None = None) -> None:
        """shared: one invocation's, used by each step in turn and never
        closed (closing a WAL file checkpoints it: fsyncs for nothing).
        names: the lock under which the files of one profile and user
        (other databases, or the same one through another endpoint) give
        provisional names: q1 is never given twice by them."""
        self.path = path
        self.shared = shared
        self.names = names
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if path.parent.stat().st_mode & 0o077:  # made wider by hand, or by an old umask
                path.parent.chmod(0o700)
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
            # FULL: the outbox's commits reach the disk (a write of the copy
            # alone may say otherwise: see transaction).
            self.conn.execute("PRAGMA synchronous=FULL")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 1:  # a file of before names.request_id: upgraded in one step
                with self.transaction() as conn:
                    columns = {row[1] for row in conn.execute("PRAGMA table_info(names)")}
                    if "request_id" not in columns:  # not by another process meanwhile
                        conn.execute("ALTER TABLE names ADD COLUMN request_id TEXT")
                    conn.execute("PRAGMA user_version = 2")
            elif version != 2:
                # WAL: a commit is one append, never a torn file, whatever
                # dies when.
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.executescript(_SCHEMA)
                self.conn.execute("PRAGMA user_version = 2")
            outbox_checks.schema(self.conn)
            outbox_checks.meta(self.conn)
            # Each queued change checked as it opens: beside a damaged one,
            # a change would be queued, refused, and queued again each try.
            self.entries()
        except (OSError, sqlite3.Error, ValueError) as exc:
            raise outbox_checks.box_fault(path, exc) or damaged(path, str(exc)) from None

    def __enter__(self) -> Box:
        return self

    def __exit__(self, *_: object) -> None:
        if not self.shared:
            self.conn.close()

    @contextlib.contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One step, all or nothing, durable when it returns. Not durable
        (writes of the copy alone, what online commands read): a power cut
        may lose the last of them, never the outbox, and a command saves an
        fsync."""
        if not durable:
            self.conn.execute("PRAGMA synchronous=NORMAL")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:  # SQLite rolls back a full disk's itself
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:  # a full disk, say: its one line (exit 6)
            raise outbox_checks.box_fault(self.path, exc) or exc from None
        finally:
            if not durable:
                self.conn.execute("PRAGMA synchronous=FULL")

    # --- meta -------------------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str, conn: sqlite3.Connection | None = None) -> None:
        (conn or self.conn).execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def raise_mark(self, key: str, value: int, conn: sqlite3.Connection | None = None) -> None:
        """A high-water mark (restored servers, replay.py): only ever up."""
        if value > int(self.get(key) or 0):
            self.put(key, str(value), conn)

    # --- the outbox -------------------------------------------------------

    def entries(self, states: Iterable[str] = outbox_checks.STATES) -> list[Entry]:
        """The queued changes in these states, in order. Every row is read
        and checked (outbox_checks.entry): one todo cannot read is an error,
        never passed over."""
        wanted = set(states)
        rows = self.conn.execute(
            "SELECT seq, kind, payload, saw, stamp, request_id, name, state, reason, force "
            "FROM outbox ORDER BY seq"
        ).fetchall()
        found = []
        for r in rows:
            try:
                payload, saw, stamp = outbox_checks.entry(r)
            except (ValueError, TypeError) as exc:  # edited by hand, or damaged
                raise damaged(self.path, str(exc)) from None
            if r[7] in wanted:
                found.append(
                    Entry(r[0], r[1], payload, saw, stamp, r[5], r[6], r[7], r[8], bool(r[9]))
                )
        return found

    def waiting(self) -> bool:
        """Whether a replay has anything to do (a held change waits for
        todo sync, unless it is to be applied anyway)."""
        row = self.conn.execute(
            "SELECT 1 FROM outbox WHERE state != 'held' OR force = 1 LIMIT 1"
        ).fetchone()
        return row is not None

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def queue(
        self,
        kind: str,
        payload: dict[str, Any],
        saw: dict[str, str],
        *,
        now: datetime,
        request_id: str,
        provisional: bool = False,
        fresh: Callable[[dict[str, str]], dict[str, str]] | None = None,
    ) -> Entry:
        """Append a change; an add gets the next provisional name (q1, q2...),
        never given twice by the files of its profile and user. fresh(saw), in the transaction:
        saw as it stands now (a replay may have settled a change it names)."""
        naming = outbox_names.naming(self.names) if provisional else contextlib.nullcontext()
        with naming, self.transaction() as conn:
            if fresh is not None:
                saw = fresh(saw)
            stamp = now.astimezone(UTC)
            last = self.get("last_stamp")
            if last and stamp <= datetime.fromisoformat(last):
                stamp = datetime.fromisoformat(last) + timedelta(microseconds=1)
            self.put("last_stamp", stamp.isoformat(), conn)
            name = None
            if provisional:
                n = outbox_names.next_name(self.names, self.path, int(self.get("last_name") or 0))
                self.put("last_name", str(n), conn)
                name = f"q{n}"
            seq = conn.execute(
                "INSERT INTO outbox (kind, payload, saw, stamp, request_id, name) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, json.dumps(payload), json.dumps(saw), stamp.isoformat(), request_id, name),
            ).lastrowid
            assert seq is not None
            if name:
                conn.execute("INSERT INTO names (name, seq) VALUES (?, ?)", (name, seq))
        # Any state: a replay in another terminal may have picked it already.
        (entry,) = [e for e in self.entries(("waiting", "sending", "held")) if e.seq == seq]
        return entry

    def last_seq(self) -> int:
        """The last change ever queued in this file (taken back or not)."""
        row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        return int(row[0]) if row else 0

    def forget_server(self, conn: sqlite3.Connection) -> None:
        """Everything read from a server (the copy and its marks): for the
        file to start over with another one at the same address."""
        conn.execute("DELETE FROM copy")
        # The names that became that server's numbers name nothing here (the
        # names themselves are never given again: meta's last_name stays).
        conn.execute("DELETE FROM names WHERE number IS NOT NULL")
        conn.execute(
            "DELETE FROM meta WHERE key IN ('max_number', 'max_event', 'live_event', "
            "'copied_at', 'log', 'stats', 'user_mark', 'restored')"
        )

    def delete(self, seq: int, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def forget_key(self, key: str, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))

    def named(self, name: str, number: int, request_id: str, conn: sqlite3.Connection) -> None:
        """A provisional name's number, for good, and the request id its todo
        was saved with: what it is checked by (a server restored to an
        earlier state may give the number to another todo)."""
        conn.execute(
            "UPDATE names SET number = ?, request_id = ? WHERE name = ?",
            (number, request_id, name),
        )

    def pass_on(self, seq: int, left: dict[str, str], conn: sqlite3.Connection) -> None:
        """Change seq is settled (applied, or dropped): the changes queued
        after it on the same todos ("#seq") now expect what it left (a
        todo it did not leave: "gone"), and one held only because it waited
        on it is free to go."""
        mark = f"#{seq}"
        for later in self.entries():
            saw = {k: (left.get(k, "gone") if v == mark else v) for k, v in later.saw.items()}
            if saw != later.saw:
                conn.execute(
                    "UPDATE outbox SET saw = ?, state = CASE WHEN state = 'held' AND reason "
                    "LIKE 'it waits on%' THEN 'waiting' ELSE state END WHERE seq = ?",
                    (json.dumps(saw), later.seq),
                )

    def set_state(
        self, seq: int, state: str, reason: str | None = None, *, force: bool = False
    ) -> None:
        """force: "sending" a change applied anyway (todo sync --apply), so
        that a replay after it asks the journal by the todos it names."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET state = ?, reason = ?, force = ? WHERE seq = ?",
                (state, reason, int(force), seq),
            )

    def identity(self, name: str) -> str | None:
        """The request id of a provisional name's todo (None: not known)."""
        row = self.conn.execute(
            "SELECT request_id FROM names WHERE name = ?", (name.lower(),)
        ).fetchone()
        return row[0] if row else None

    def names_numbered(self, numbers: list[int]) -> dict[int, list[str]]:
        """The provisional names that became these numbers."""
        found: dict[int, list[str]] = {}
        for name, number in self.conn.execute(
            f"SELECT name, number FROM names WHERE number IN ({','.join('?' * len(numbers))})",
            numbers,
        ):
            found.setdefault(number, []).append(name)
        return found

    def name_of(self, name: str) -> tuple[int | None, int | None]:
        """A provisional name: (its number once replayed, the seq of its add)."""
        row = self.conn.execute(
            "SELECT number, seq FROM names WHERE name = ?", (name.lower(),)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    # --- the copy ---------------------------------------------------------

    def remember(self, owner: str, todos: Iterable[Todo], conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO copy (owner, number, updated, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (owner, number) DO UPDATE SET updated = excluded.updated, "
            "data = excluded.data",
            [(t.owner or owner, t.number, token(t), todo_json(t)) for t in todos],
        )

    def forget(self, owner: str, numbers: Iterable[int], conn: sqlite3.Connection) -> None:
        conn.executemany(
            "DELETE FROM copy WHERE owner = ? AND number = ?", [(owner, n) for n in numbers]
        )

    def copied(self, owner: str | None = None) -> list[Todo]:
        query = "SELECT data FROM copy" + (" WHERE owner = ?" if owner else "")
        rows = self.conn.execute(query, (owner,) if owner else ()).fetchall()
        return [self._todo(r[0]) for r in rows]

    def copied_one(self, owner: str, number: int) -> Todo | None:
        row = self.conn.execute(
            "SELECT data FROM copy WHERE owner = ? AND number = ?", (owner, number)
        ).fetchone()
        return self._todo(row[0]) if row else None

    def _todo(self, data: str) -> Todo:
        try:
            return todo_from_json(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise damaged(self.path, f"a todo of its copy cannot be read ({exc!r})") from None


def token(t: Todo) -> str:
    """The version of a todo as a read shows it: its updated_at, which every
    change moves (to the changing transaction's time, to the microsecond)."""
    return t.updated_at.astimezone(UTC).isoformat()


_TIMES = ("due", "created_at", "updated_at", "completed_at", "until", "wait")


def todo_json(t: Todo) -> str:
    data = t._asdict()
    for key in _TIMES:
        if data.get(key) is not None:
            data[key] = data[key].isoformat()
    data["tags"] = list(t.tags)
    return json.dumps(data)


def todo_from_json(text: str) -> Todo:
    data = json.loads(text)
    for key in _TIMES:
        if data.get(key) is not None:
            data[key] = datetime.fromisoformat(data[key])
    data["tags"] = tuple(data.get("tags") or ())
    return Todo(**{k: v for k, v in data.items() if k in Todo._fields})
