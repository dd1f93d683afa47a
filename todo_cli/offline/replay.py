"""Replaying the outbox, in order, exactly once (README: Offline).

Each change is one server transaction. Its steps, each durable before the
next begins:

1. locally: the change is marked "sending";
2. the server: in one transaction, with the session's clock at the
   change's stamp, (if it was "sending" already) the journal is asked
   whether an entry of this user carries the stamp (events.at, or
   events.undone_at for an undo): then the change was applied by an
   earlier replay that died before step 3, and nothing is sent again.
   Otherwise the todos it names are locked and must be at the version the
   change saw (a todo edited elsewhere, removed or no longer shared is
   not changed: the change is held and reported), and the change is made;
   its journal entry carries the stamp, in the same transaction;
3. locally, in one transaction: the change leaves the outbox, the changes
   queued after it on the same todos learn the version it left, a queued
   add's provisional name gets its number, the copy is updated.

A `kill -9` between any two steps leaves a state the next replay finishes:
before 2 commits, the journal has no entry with the stamp (the change is
made then); after, it has (the change is not made again). A failure the
server reported rolled the transaction back: the change is held. A lost
connection leaves it "sending" for the next replay to ask.

Before anything is replayed, the server's history is compared with the
marks this machine saw (the user's last number, the newest journal id):
a server behind them was restored (a Neon branch reset, a backup) and is
not replayed into; `todo sync` says so, and --accept-restore goes on.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from todo_cli.errors import (
    DatabaseUnreachableError,
    ExitCode,
    InterruptedAfterSaveError,
    TodoError,
)
from todo_cli.offline.common import OfflineError, is_name, locked
from todo_cli.offline.queue import decode, keys
from todo_cli.offline.server_check import holds
from todo_cli.offline.settle import Outcome, Plan, first_request_id, settle, stamp
from todo_cli.store import replaying
from todo_cli.store.outbox import Box, Entry, token

if TYPE_CHECKING:
    from todo_cli.store.session import Session


class _Stop(Exception):
    """Replay cannot go on now; the change stays "sending" (see the module)."""


class Interrupted(TodoError):
    """Ctrl-C during a replayed change: it stays "sending" (exit 130)."""

    exit_code = ExitCode.INTERRUPTED


def _interrupted(what: str) -> str:
    return (
        f"interrupted while replaying {what}: it stays queued, and the next replay "
        "asks the server's journal first (applied at most once; see: todo sync)"
    )


class Moved(TodoError):
    """The todo moved on since the change was made: not applied, held."""


def _crash(point: str, seq: int) -> None:
    """TODO_OFFLINE_CRASH=point[:seq] kills this process there (tests only:
    `kill -9` at a known step of replay)."""
    wanted = os.environ.get("TODO_OFFLINE_CRASH", "")
    name, _, which = wanted.partition(":")
    if name == point and (not which or which == str(seq)):
        os.kill(os.getpid(), signal.SIGKILL)


def replay(
    h: Any, *, accept_restore: bool = False, force: frozenset[int] = frozenset()
) -> list[str]:
    """Replay what waits, and the held changes `force` names (todo sync
    --apply: applied anyway, by this replay only); returns (and says on
    stderr) what happened."""
    said: list[str] = []
    out = h.env.out
    with h.box() as box, locked(box.path):
        pending = [e for e in box.entries() if e.state != "held" or e.seq in force]
        if not pending:
            if box.get("restored") is not None:  # what it was about was dropped
                with box.transaction() as conn:
                    box.forget_key("restored", conn)
            return said
        if not _history_holds(h, box, accept_restore, said):
            for line in said:
                out.warn(line)
            return said
        done: set[int] = set()
        while True:
            entry = next(
                (
                    e
                    for e in box.entries()
                    if e.seq not in done and (e.state != "held" or e.seq in force)
                ),
                None,
            )
            if entry is None:
                break
            done.add(entry.seq)
            try:
                line = _one(h, box, entry, entry.seq in force)
            except _Stop as stop:
                out.warn(str(stop))
                said.append(str(stop))
                break
            said.append(line)
            out.note(f"todo: {line}")
    return said


def _history_holds(h: Any, box: Box, accept: bool, said: list[str]) -> bool:
    me = h.env.settings().user.value
    mine = {t.number: t for t in box.copied(me)}
    probe = max(mine, default=0)
    found = _run(h, lambda s: replaying.marks(s, probe), None)
    h.verified = holds(h, box, accept, said, found, mine.get(probe))
    return bool(h.verified)


# The longest a replay waits for one reply of the server (three times the
# lock timeout a statement may wait): a network gone silent mid-replay
# leaves the change "sending" after that, never hangs the command.
REPLY_WITHIN = 15.0


def _run(h: Any, operation: Callable[[Session], Any], stamp: datetime | None) -> Any:
    from todo_cli.store import driver
    from todo_cli.store.runner import run

    env = h.env
    with driver.bounded(REPLY_WITHIN):
        return run(
            env.settings(),
            operation,
            mode="once" if stamp else "read",
            on_retry=env.out.retry if env.verbose else None,
            clock=(lambda: stamp) if stamp else env.environment.clock,
            offline_after=h.offline_after,
        )


def _one(h: Any, box: Box, entry: Entry, forced: bool) -> str:
    """Replay one change (forced: todo sync --apply, now); what to say."""
    me = h.env.settings().user.value
    what = entry.describe()
    # entry.force, as read: an earlier replay sent it forced, and never
    # learned whether it arrived. Forcing is the one command's decision.
    earlier = entry.force and not forced
    entry.force = forced
    plan = _plan(box, entry, me)
    if isinstance(plan, str):
        box.set_state(entry.seq, "held", plan)
        return f"not applied, kept: {what}: {plan} (see: todo sync)"
    box.set_state(entry.seq, "sending", force=forced or earlier)
    _crash("before-send", entry.seq)
    try:
        outcome: Outcome = _run(h, lambda s: _apply(s, entry, plan, earlier), entry.stamp)
    except (OfflineError, InterruptedAfterSaveError):
        raise  # "sending": the next replay asks the journal whether it was applied
    except KeyboardInterrupt:
        raise Interrupted(_interrupted(what)) from None
    except DatabaseUnreachableError as exc:  # outcome unknown, or a lock held too long
        from todo_cli.store import driver

        if driver.interrupted[0]:  # Ctrl-C while its COMMIT was in flight
            raise Interrupted(_interrupted(what)) from None
        raise _Stop(
            f"replay stopped at {what}: {exc.message.partition('; the change may')[0]}; "
            "it stays queued, and the next replay asks the server's journal first: "
            "applied at most once"
        ) from None
    except TodoError as exc:
        # Refused by the server (a check, a share gone, a deferred trigger
        # at commit) or moved on: rolled back, so held, never retried blindly.
        box.set_state(entry.seq, "held", exc.message)
        return f"not applied, kept: {what}: {exc.message} (see: todo sync)"
    except Exception as exc:  # a bug: the user's own command still runs
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        box.set_state(entry.seq, "held", f"failed ({first}); nothing was applied twice")
        return f"not applied, kept: {what}: failed ({first}) (see: todo sync)"
    try:
        _crash("after-commit", entry.seq)
        said = settle(box, entry, plan, outcome, me)
    except KeyboardInterrupt:  # on the server: the next replay finds it in the journal
        raise Interrupted(
            f"interrupted after {what} was applied on the server: the next replay finds "
            "it in the server's journal and finishes (see: todo sync)"
        ) from None
    _crash("after-mark", entry.seq)
    return said


def _plan(box: Box, entry: Entry, me: str) -> Plan | str:
    """The numbers a change names now, or why it must wait (a string)."""
    if entry.kind in ("add", "undo"):
        return Plan(None, [], {})
    owner, wanted = keys(entry.payload["refs"], me)
    keyed = []
    names: dict[int, str] = {}
    for key in wanted:
        if is_name(key):
            number, _ = box.name_of(key)
            if number is None:
                return f"it waits on {key}, whose add has not reached the server"
            keyed.append((key, number))
            known = box.identity(key)
            if known is not None:
                names[number] = known
        else:
            keyed.append((key, int(key.rpartition("/")[2])))
        saw = entry.saw.get(key, "")
        if saw.startswith("#") and not entry.force:
            return f"it waits on queued change #{saw[1:]}, not applied"
    return Plan(owner, keyed, dict(entry.saw), names)


def _apply(s: Session, entry: Entry, plan: Plan, earlier: bool = False) -> Outcome:
    """earlier: sent forced by an earlier replay, outcome unknown."""
    from todo_cli.store import changes, history, todos

    s.begin()
    # Every change asks the journal first: the stamp says whether it is
    # there. Not only one that may have reached the server ("sending"): an
    # outbox restored from a backup holds changes replayed since, and one
    # undone since finds its todo at the version it saw again; an add's
    # todo may be gone, so its request id no longer tells.
    forced = entry.force or earlier
    saw = {n: plan.saw.get(key, "") for key, n in plan.keyed}
    title = entry.payload.get("titles", [None])[0]
    # Forced, it did not find the todo as it saw it: its entry is known by
    # the todos it names, not by the versions it saw.
    journal = replaying.journaled(
        s,
        entry.kind,
        title=title,
        request_id=first_request_id(entry.request_id),
        saw=None if forced else saw,
        numbers=list(saw),
        undone=None if forced else entry.payload.get("last_event"),
    )
    if journal is not None:
        return _already(s, entry, plan, journal)
    if earlier:
        raise Moved(
            "applying it anyway was cut off before the server said whether it was saved, "
            f"and the server's journal does not have it: not applied (todo sync --apply "
            f"{entry.seq} tries again)"
        )
    payload = decode(entry.payload)
    if entry.kind == "add":
        from todo_cli.todo import NewTodo

        new = [NewTodo(**{**t, "tags": tuple(t["tags"])}) for t in payload["todos"]]
        added = todos.add_many(s, todos=new, request_id=entry.request_id)
        return _made(s, Outcome(todos=added, numbers=[t.number for t in added]))
    if entry.kind == "undo":
        # The change to take back is the one that was the newest when this
        # machine was last online: what `todo undo` would have taken then.
        # The change it means is the journal entry whose id it recorded
        # (queue.undo); only while that entry is still the newest not
        # undone. Never by time: a change replayed later by another machine
        # is journaled at its own, earlier, stamp.
        newest, _ = replaying.newest(s)
        seen = payload.get("last_event")
        if not entry.force and seen is None:
            raise Moved(
                "this machine had not seen which change of yours was the newest "
                "(a todo list online shows it): undo would have to guess"
            )
        if not entry.force and newest != seen:
            raise Moved(
                f"a change was made since this machine was last online (#{newest}, "
                f"not #{seen}): undo would take back another change than the one you meant"
            )
        # Checked again under undo's lock: a change committed meanwhile is
        # never the one taken back.
        history.undo(s, count=1, expect=None if entry.force else seen)  # commits
        return Outcome(max_event=newest)
    numbers = [n for _, n in plan.keyed]
    label = f"{plan.owner}/" if plan.owner else ""
    if plan.names:  # forced too: a name never means another todo
        found_ids = replaying.identities(s, sorted(plan.names))
        for key, number in plan.keyed:
            if number in plan.names and found_ids.get(number) != plan.names[number]:
                raise Moved(
                    f"{key} was todo {number}, which the server no longer holds (restored to "
                    f"an earlier state, or another database?): {key} names no todo now"
                )
    if not entry.force:
        found = replaying.current(s, numbers, plan.owner, lock=True)
        for key, number in plan.keyed:
            now = found.get(number)
            if now is None:
                raise Moved(f"todo {label}{number} was removed, or is no longer shared with you")
            if token(now) != plan.saw.get(key):
                raise Moved(
                    f"todo {label}{number} was changed elsewhere since "
                    f"({now.updated_at:%Y-%m-%d %H:%M} UTC)"
                )
    if entry.kind == "edit":
        changed = changes.edit(s, numbers=numbers, owner=plan.owner, **payload["update"])
        return _made(s, Outcome(todos=changed))
    if entry.kind in ("done", "reopen"):
        step = changes.complete if entry.kind == "done" else changes.reopen
        result = step(s, numbers=numbers, owner=plan.owner)
        return _made(s, Outcome(todos=[*result.items, *result.made]))
    result = changes.remove(s, numbers=numbers, series=bool(payload.get("series")))
    return _made(s, Outcome(todos=result.made, removed=numbers))


def _max(s: Session) -> int:
    return replaying.max_event(s)[0]


def _made(s: Session, outcome: Outcome) -> Outcome:
    outcome.max_event, outcome.live_event = replaying.max_event(s)
    return outcome


def _already(s: Session, entry: Entry, plan: Plan, numbers: list[int]) -> Outcome:
    """The journal has it: an earlier replay applied it and died before
    it could say so (numbers: an add's). What it did, as far as the outbox
    needs to know."""
    if entry.kind == "add":
        return Outcome(numbers=numbers, already=True, max_event=_max(s))
    if entry.kind == "undo":
        return Outcome(already=True, max_event=_max(s))
    now = replaying.current(s, [n for _, n in plan.keyed], plan.owner, lock=False)
    # What it left: the stamp on each todo it changed (updated_at = :now),
    # the version it saw on one it did not (done of a done todo). A todo
    # changed since shows neither: the changes queued after it are held.
    after = {}
    for key, number in plan.keyed:
        t = now.get(number)
        if t is not None:
            after[key] = plan.saw.get(key, "") if token(t) == plan.saw.get(key) else stamp(entry)
    gone = [n for _, n in plan.keyed if n not in now]
    return Outcome(
        todos=list(now.values()), removed=gone, already=True, max_event=_max(s), after=after
    )
