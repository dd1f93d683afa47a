"""`todo sync`: drop held changes or apply them anyway, replay, show what waits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from todo_cli.errors import InvalidInputError
from todo_cli.offline import Hook, OfflineError
from todo_cli.offline.common import is_name, locked
from todo_cli.store.outbox import Box, Entry

if TYPE_CHECKING:
    import sqlite3

    from todo_cli.context import Invocation as Env
    from todo_cli.output import Output


def _hook(env: Env) -> Hook:
    from todo_cli.store.reach import DEFAULT_OFFLINE_AFTER

    h: Hook | None = env.offline_hook()
    if h is None:
        raise InvalidInputError(
            "the embedded SQLite file is never offline: nothing to sync (see: README, Offline)"
        )
    if h.offline_after is None:  # --online: replay, and say if it cannot
        return Hook(env, DEFAULT_OFFLINE_AFTER)
    return h


def _droppable(box: Box, seq: int) -> Entry:
    entry = next((e for e in box.entries() if e.seq == seq), None)
    if entry is None:
        raise InvalidInputError(f"no queued change #{seq} (see: todo sync)")
    if entry.state == "sending":
        raise InvalidInputError(
            f"change #{seq} may have reached the server: run todo sync online first"
        )
    return entry


def _drop(box: Box, seq: int, conn: sqlite3.Connection) -> None:
    """Drop a queued change: the changes after it on the same todos expect
    what it expected (as if it had never been made)."""
    entry = _droppable(box, seq)  # read again: a drop before it may have passed on to it
    # What it expected, under each key a later change may use for the same
    # todo of mine: q1 and the number it became (as settle does).
    left = dict(entry.saw)
    for key, seen in entry.saw.items():
        if is_name(key):
            number = box.name_of(key)[0]
            if number is not None:
                left.setdefault(str(number), seen)
        elif key.isdigit():
            for name in box.names_numbered([int(key)]).get(int(key), []):
                left.setdefault(name, seen)
    box.delete(seq, conn)
    box.pass_on(seq, left, conn)


def _held(box: Box, seq: int) -> None:
    entry = next((e for e in box.entries() if e.seq == seq), None)
    if entry is None or entry.state != "held":
        raise InvalidInputError(f"no held change #{seq} (see: todo sync)")


def run(env: Env, out: Output, *, apply: list[int], drop: list[int], accept_restore: bool) -> None:
    from todo_cli.offline import replay

    h = _hook(env)
    with h.box() as box, locked(box.path):  # never while a replay has picked one
        h.was_offline = box.get("offline_since") is not None
        # Every N checked before any is dropped, and all dropped in one
        # transaction: one that names nothing (exit 2) or a disk that
        # fails leaves the queue as it was, never half done.
        drop, apply = list(dict.fromkeys(drop)), list(dict.fromkeys(apply))
        for seq in drop:
            _droppable(box, seq)
        for seq in apply:
            _held(box, seq)
        with box.transaction() as conn:
            for seq in drop:
                _drop(box, seq, conn)
    error = None
    h.replayed = True
    said: list[str] = []
    try:
        # Applied anyway by this replay only: one that cannot reach the
        # server leaves them held, never armed for a later command.
        said = replay.replay(h, accept_restore=accept_restore, force=frozenset(apply))
    except OfflineError as exc:
        error = exc
    else:
        h.reached()
    with h.box() as box:
        entries = box.entries()
        restored = box.get("restored")
    if out.form == "json":
        out.json(
            {
                "offline": error is not None,
                "restored": restored,
                "waiting": [
                    {
                        "change": e.seq,
                        "what": e.describe(),
                        "state": e.state,
                        "reason": e.reason,
                        "made_at": e.stamp.isoformat(),
                    }
                    for e in entries
                ],
            }
        )
    else:
        if restored and restored not in said:  # said by this replay already
            out.note(f"todo: warning: {restored}")
        if not entries:
            out.note("Nothing waits: every change made offline is on the server.")
        for e in entries:
            why = f"  ({e.reason})" if e.reason else ""
            out.line(f"#{e.seq}\t{e.state}\t{e.describe()}{why}")
    if error is not None:
        dropped = f"dropped {', '.join(f'#{n}' for n in drop)} here; " if drop else ""
        raise error.__class__(
            f"{error.message}; {dropped}{len(entries)} change(s) wait for the server",
            error.reason,
        )
