"""Offline mode (issue 22; README: Offline): on a PostgreSQL database, a
change made while the server cannot be reached goes into a local outbox
(box.py) and is replayed, exactly once, by the next command that reaches
it (replay.py); a read answers from the copy of what the user could see
the last time a command was online (reads.py). On the embedded SQLite
file nothing changes.

The rest of todo reaches this package through a few hooks, each marked
"OFFLINE" where it is called: Env.run (replay first; a read's fallback;
the copy kept current), the change commands (queue on OfflineError), the
number arguments (provisional names), and `todo sync`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC

from todo_cli.errors import TodoError
from todo_cli.offline.common import COPY_MAX, OfflineError, box_path, is_name, status_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TypeVar

    from todo_cli.context import Invocation as Env
    from todo_cli.store.outbox import Box
    from todo_cli.store.runner import Mode

    T = TypeVar("T")
    from todo_cli.store.session import Session

__all__ = ["COPY_MAX", "Hook", "OfflineError", "box_path", "hook", "status_line"]


class Hook:
    """Offline mode for one invocation (one profile, database and user)."""

    def __init__(self, env: Env, offline_after: float | None) -> None:
        self.env = env
        # None (--online, TODO_ONLINE=1): offline is an error; what waits
        # is still replayed, and a copy there is kept current.
        self.offline_after = offline_after
        self.error: OfflineError | None = None  # this invocation met the network gone
        self.replayed = False
        self.was_offline = False  # the last command found the network gone
        self.foreign = False  # replay found another database at this address
        self.verified = False  # replay found the server the queue was made for
        self._path: Path | None = None
        self._box: Box | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            from todo_cli.config import variables

            environ = variables(self.env.environment.cwd, self.env.environment.environ)
            self._path = box_path(self.env.settings(), environ)
        return self._path

    def box(self) -> Box:
        """The offline file, opened once for the invocation."""
        if self._box is None:
            from todo_cli.offline.common import names_path
            from todo_cli.store.outbox import Box

            self._box = Box(self.path, shared=True, names=names_path(self.path))
        return self._box

    def run(
        self,
        operation: Callable[[Session], T],
        *,
        mode: Mode,
        fallback: Callable[[OfflineError], T] | None = None,
        forget: bool = False,
    ) -> T:
        """Env.run with offline mode: the outbox replayed first (once per
        invocation), then the operation; offline, a read's fallback answers."""
        if self.error is None and not self.replayed:
            self.replay_now()
        journal: list[tuple[int, int, str]] = []

        def marked(session: Session) -> T:
            done = operation(session)
            if session.journal is not None:  # a listing's journal marks (listing.journal_columns)
                journal.append(session.journal)
            return done

        try:
            if self.error is not None:
                raise self.error
            result = self.env.run_online(marked, mode=mode, offline_after=self.offline_after)
        except OfflineError as exc:
            self._offline(exc)
            if fallback is None:
                raise
            return fallback(exc)
        import sqlite3

        try:
            self.reached()
            self.remember(
                result, forget=forget, read=mode == "read", journal=journal[-1] if journal else None
            )
        except (TodoError, OSError, sqlite3.Error) as exc:  # the change is saved all the same
            self.env.out.warn(f"the offline copy was not updated: {_message(exc)}")
        return result

    def replay_now(self) -> None:
        """Replay what waits, if anything does (replay.py says what it did).
        After a command that found the network gone, a bare TCP connect
        (detect.probe) says first whether it still is, without loading the
        driver: an offline command costs little more than todo --version."""
        self.replayed = True
        if not self.path.exists():
            return
        from todo_cli.store.reach import probe

        # An unusable offline file is an error (exit 6), never passed over:
        # the changes queued in it would be replayed by no one, unsaid.
        with self.box() as box:
            self.was_offline = box.get("offline_since") is not None
            waiting = box.waiting()
        if self.was_offline and self.offline_after is not None:
            gone = probe(self.env.settings().url, self.offline_after, self.env.environment.environ)
            if gone is not None:
                self.error = gone
                return
        if not waiting:  # nothing to replay: not even replay.py is imported
            return
        from todo_cli.offline import replay
        from todo_cli.offline.common import ReplayBusy

        try:
            replay.replay(self)
        except OfflineError as exc:
            self._offline(exc)
        except ReplayBusy as exc:  # this command goes on; what waits, waits
            self.env.out.warn(exc.message)
        else:
            self.reached()

    def reached(self) -> None:
        """The server answered: the next command need not probe first."""
        if self.was_offline:
            with self.box() as box, box.transaction() as conn:
                box.forget_key("offline_since", conn)
            self.was_offline = False

    def _offline(self, exc: OfflineError) -> None:
        """Remember, for the next command, that the network was gone."""
        self.error = exc
        if not self.was_offline:
            with self.box() as box, box.transaction() as conn:
                box.put("offline_since", self.env.now().astimezone(UTC).isoformat(), conn)
            self.was_offline = True

    def remember(
        self,
        result: Any,
        *,
        forget: bool = False,
        read: bool = False,
        journal: tuple[int, int, str] | None = None,
    ) -> None:
        """The todos an online command read or changed, into the copy; and
        the journal marks a listing read: the newest id (a server behind it
        was restored, replay.py) and the newest not undone (what a queued
        undo means, queue.undo). A change online makes a newer entry than
        the one this machine knew: until a listing says which, none is."""
        from todo_cli.todo import Todo

        found: list[Todo] = []
        gone: list[Todo] = []
        if forget and hasattr(result, "made"):  # rm: the removed, and next todos made
            _collect(result.items, gone, depth=0)
            _collect(result.made, found, depth=0)
        else:
            _collect(result, found, depth=0)
        events = [e for e in (result if isinstance(result, list) else []) if _is_event(e)]
        figures = type(result).__name__ == "Stats"
        if self.foreign:  # another database at this address (replay.py): not ours to keep
            return
        if self.offline_after is None and not self.path.exists():
            return  # --online: no offline file is made
        me = self.env.settings().user.value
        with self.box() as box, box.transaction(durable=False) as conn:
            if journal is not None and journal[2] and not self._same_server(box, journal[2], conn):
                return
            if not read:  # every change online, an import or an undo too
                box.forget_key("live_event", conn)
                # What offline undo means now: this change, not one queued
                # before it (by the queue's order, never a clock set back).
                box.put("changed_online_after", str(box.last_seq()), conn)
            if len(found) > COPY_MAX:  # a long listing would cost more than the command
                return
            if journal is None and read and not self.verified and box.count():
                # A read (show) while changes are held, when no replay checked
                # the server and nothing says this is theirs: another one at
                # this address must not fill the copy. The user's own changes
                # online do (or her next offline change is a false conflict).
                return
            box.forget(me, [t.number for t in gone], conn)
            if journal is not None or box.get("copied_at") is None:
                # The age an offline listing gives: of the last listing
                # online, not of a todo shown or changed since.
                box.put("copied_at", self.env.now().astimezone(UTC).isoformat(), conn)
            box.remember(me, found, conn)
            if journal is not None:
                box.raise_mark("max_event", journal[0], conn)
                box.put("live_event", str(journal[1]), conn)
                if journal[2]:  # the server the copy and the queue are for
                    box.put("user_mark", journal[2], conn)
            if read and (events or figures):  # todo log, todo stats
                from todo_cli.offline import recall

                recall.keep(box, "stats" if figures else "log", result, conn)
            if journal is None:
                # The marks of a restored server are raised only by what a
                # listing checked was this server (_same_server): a command
                # run at another one at this address must not raise them.
                return
            mine = [t.number for t in [*found, *gone] if (t.owner or me) == me]
            if mine:
                box.raise_mark("max_number", max(mine), conn)

    def _same_server(self, box: Box, mark: str, conn: Any) -> bool:
        """A listing online says when the server made the user (mark): the
        server the file's copy and marks were read from, or another one at
        this address? Another, with changes waiting (held ones too): none
        of what it shows is kept (Hook.foreign). Another, with none: the
        file starts over for it, so that the right server, reached again,
        is never taken for a restored one."""
        from todo_cli.offline.server_check import same_mark

        seen = box.get("user_mark")
        if not seen or same_mark(seen, mark):
            return True
        if box.count():
            self.foreign = True
            return False
        box.forget_server(conn)
        return True

    def notice(self, out: Any) -> None:
        """The one line an offline read prints on stderr: the copy's age and
        the queued count."""
        with self.box() as box:
            line = status_line(box, self.env.now())
        out.note(f"todo: offline: {line}")


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, TodoError) else str(exc)


def _is_event(value: Any) -> bool:
    from todo_cli.todo import Event

    return isinstance(value, Event)


def _collect(value: Any, found: list[Any], depth: int) -> None:
    from todo_cli.todo import Todo

    if isinstance(value, Todo):
        found.append(value)
    elif depth < 3 and isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found, depth + 1)


def hook(env: Env) -> Hook | None:
    """Offline mode for this invocation: None on SQLite; with --online or
    TODO_ONLINE=1, one that never goes offline (Hook.offline_after)."""
    from todo_cli.config import variables
    from todo_cli.store.reach import offline_after

    settings = env.settings()
    # TODO_ONLINE and TODO_OFFLINE_AFTER from a .env too, as DATABASE_URL
    # is; a bad value: an error.
    found = variables(env.environment.cwd, env.environment.environ)
    environ: Mapping[str, str] = found
    if settings.profile.source in ("flag --profile", "env TODO_PROFILE"):
        # A profile chosen explicitly is the whole choice (config.load_settings).
        environ = {k: v for k, v in found.items() if k not in found.from_dotenv}
    after = offline_after(environ, online_flag=env.online, profile_online=settings.online)
    if settings.url.backend != "postgresql":
        return None
    return Hook(env, after)


def refs(env: Env, args: Sequence[str]) -> list[str]:
    """OFFLINE: the provisional names (q1) among a command's todo numbers,
    as their numbers once their add is replayed (replaying first if need
    be). One still waiting raises OfflineError when offline (the command
    queues), and is an error when its add is held."""
    from todo_cli.errors import InvalidInputError

    if not any(is_name(a) for a in args):
        return list(args)
    h = env.offline_hook()
    if h is None:
        bad = next(a for a in args if is_name(a))
        raise InvalidInputError(f"{bad!r}: provisional names (q1) exist only in offline mode")
    if h.error is None and not h.replayed:
        h.replay_now()
    checks: dict[str, tuple[int, str]] = {}
    with h.box() as box:
        resolved = []
        for arg in args:
            if not is_name(arg):
                resolved.append(arg)
                continue
            number, seq = box.name_of(arg)
            if number is not None:
                resolved.append(str(number))
                known = box.identity(arg)
                if known is not None:
                    checks[arg] = (number, known)
                continue
            if seq is None:
                raise InvalidInputError(f"no queued todo named {arg} (see: todo sync)")
            if not any(e.seq == seq for e in box.entries()):
                raise InvalidInputError(f"{arg} was taken back or dropped before it was replayed")
            if h.error is not None:
                raise h.error
            raise InvalidInputError(
                f"{arg} has not reached the server: its add waits in the outbox (see: todo sync)"
            )
    if checks and h.error is None:
        _check_names(h, checks)
    return resolved


def _check_names(h: Hook, checks: dict[str, tuple[int, str]]) -> None:
    """A name's number still holds its todo: a server restored to an earlier
    state may have given the number to another (one read, only for a
    command that names q1 online). Offline, the change is queued with the
    version the copy saw, and replay holds it if the todo is another."""
    from todo_cli.errors import InvalidInputError
    from todo_cli.store import replaying

    numbers = sorted({n for n, _ in checks.values()})
    try:
        found = h.env.run_online(
            lambda s: replaying.identities(s, numbers), mode="read", offline_after=h.offline_after
        )
    except OfflineError as exc:
        h._offline(exc)
        return
    for name, (number, request_id) in checks.items():
        if found.get(number) != request_id:
            raise InvalidInputError(
                f"{name} was todo {number}, which the server no longer holds (restored to an "
                f"earlier state?): {name} names no todo now"
            )
