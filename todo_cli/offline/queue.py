"""Queueing a change made offline (the commands call these on OfflineError).

A change to a todo records the version it saw: the todo's updated_at in
the copy, or "#seq", what the earlier queued change of the same todo will
leave. A todo this machine has never read online has no version to record:
nothing is queued, and the command says so (exit 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from todo_cli.classes import asdict
from todo_cli.errors import DatabaseUnreachableError, InvalidInputError
from todo_cli.offline.common import OfflineError, is_name, locked
from todo_cli.store.ids import uuid4_hex
from todo_cli.store.outbox import Box, Entry, token

if TYPE_CHECKING:
    from todo_cli.context import Invocation as Env
    from todo_cli.output import Output
    from todo_cli.todo import NewTodo


def encode(value: Any) -> Any:
    """A command's values as JSON: datetimes tagged, tuples as lists."""
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$t"}:
            return datetime.fromisoformat(value["$t"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def keys(args: Sequence[str], me: str) -> tuple[str | None, list[str]]:
    """The todos a change names, as keys: "3", "alice/3", "q1"."""
    from todo_cli.commands.args import parse_refs

    names = [a.lower() for a in args if is_name(a)]
    plain = [a for a in args if not is_name(a)]
    owner, numbers = parse_refs(plain, me) if plain else (None, [])
    if owner and names:
        raise InvalidInputError("provisional names (q1) are your own todos: one owner at a time")
    label = f"{owner}/" if owner else ""
    return owner, [*names, *(f"{label}{n}" for n in dict.fromkeys(numbers))]


def _hook(env: Env, exc: OfflineError) -> Any:
    h: Any | None = env.offline_hook()
    if h is None:  # pragma: no cover - OfflineError comes only with the hook
        raise exc
    return h


def _saw(
    box: Box, me: str, owner: str | None, wanted: list[str], exc: OfflineError
) -> dict[str, str]:
    """What each todo was when the change was made (see the module)."""

    # One todo of mine under two keys ("q1" queued, "2" once q1 is 2): a
    # change to either chains on the last queued change to both.
    def same(key: str) -> str:
        if is_name(key):  # names are always of my own todos (keys)
            number, _ = box.name_of(key)
            return str(number) if number is not None else key
        return key

    last: dict[str, str] = {}
    for entry in box.entries():
        for key in entry.saw:
            last[same(key)] = f"#{entry.seq}"
        if entry.kind == "add" and entry.name:
            last[same(entry.name)] = f"#{entry.seq}"
    saw: dict[str, str] = {}
    unknown = []
    for key in wanted:
        if same(key) in last:
            saw[key] = last[same(key)]
            continue
        if is_name(key):
            number, _seq = box.name_of(key)
            if number is None:
                raise InvalidInputError(f"no queued todo named {key} (see: todo sync)")
            key_number = str(number)
            # Replayed already: its number, as any other.
            copied = box.copied_one(me, number)
            if copied is None:
                unknown.append(key_number)
            else:
                saw[key] = token(copied)
            continue
        number = int(key.rpartition("/")[2])
        copied = box.copied_one(owner or me, number)
        if copied is None:
            unknown.append(key)
        else:
            saw[key] = token(copied)
    if unknown:
        raise DatabaseUnreachableError(
            f"{exc.message}; offline, and this machine has no copy of todo "
            f"{', '.join(unknown)} (never read here online): nothing was queued"
        )
    return saw


def change(env: Env, exc: OfflineError, kind: str, args: Sequence[str], **payload: Any) -> Entry:
    """Queue edit, done, reopen or rm of the todos named by args."""
    h = _hook(env, exc)
    me = env.settings().user.value
    owner, wanted = keys(args, me)
    if kind == "rm" and owner:
        raise InvalidInputError(f"only {owner} can remove {owner}'s todos")
    box: Box
    with h.box() as box:
        saw = _saw(box, me, owner, wanted, exc)

        def fresh(saw: dict[str, str]) -> dict[str, str]:
            """A "#seq" settled since _saw read it (a replay in another
            terminal): what it left, as the copy has it now."""
            live = {f"#{e.seq}" for e in box.entries()}
            now = dict(saw)
            for key, seen in saw.items():
                if seen.startswith("#") and seen not in live:
                    number = box.name_of(key)[0] if is_name(key) else int(key.rpartition("/")[2])
                    copied = box.copied_one(owner or me, number) if number else None
                    now[key] = token(copied) if copied is not None else "gone"
            return now

        entry = box.queue(
            kind,
            {"refs": list(args), "owner": owner, **encode(payload)},
            saw,
            now=env.now(),
            request_id=uuid4_hex(),
            fresh=fresh,
        )
    return _queued(env, entry)


def _queued(env: Env, entry: Entry) -> Entry:
    """Said at once: a Ctrl-C from here on says the change was queued (cli)."""
    env.out.saved = f"queued {entry.describe()}"
    return entry


def add(env: Env, exc: OfflineError, new: Sequence[NewTodo], request_id: str) -> Entry:
    h = _hook(env, exc)
    box: Box
    with h.box() as box:
        entry = box.queue(
            "add",
            {
                "titles": [t.title for t in new],
                "todos": [encode(asdict(t)) for t in new],
            },
            {},
            now=env.now(),
            request_id=request_id,
            provisional=True,
        )
    return _queued(env, entry)


def undo(env: Env, exc: OfflineError) -> tuple[str, Entry]:
    """Offline undo: the last change still queued is taken back (it never
    reached the server); with none queued, an undo of the last change the
    server journaled as this machine last saw it is queued."""
    h = _hook(env, exc)
    with h.box() as box:
        entries = box.entries()
        online = box.get("changed_online_after")
        if entries and online and entries[-1].seq <= int(online):
            # The newest change is one made online since (Hook.remember):
            # taking back an older queued one instead would lose it.
            raise DatabaseUnreachableError(
                f"{exc.message}; your newest change was made online, after the last "
                "queued one: undo it when back online (nothing was taken back)"
            )
        if entries:
            last = entries[-1]
            if last.state == "sending":
                raise DatabaseUnreachableError(
                    f"{exc.message}; the last queued change ({last.describe()}) may have "
                    "reached the server already: undo it when back online"
                )
            with locked(box.path):  # a replay in another terminal may have picked it
                if not any(e.seq == last.seq and e.state != "sending" for e in box.entries()):
                    raise DatabaseUnreachableError(
                        f"{exc.message}; the last queued change ({last.describe()}) is being "
                        "replayed: undo it when back online"
                    )
                with box.transaction() as conn:
                    box.delete(last.seq, conn)
            env.out.saved = f"took back the queued {last.describe()}"
            return "took back", last
        # The journal entry it means, by id: the newest not undone as the
        # last listing online read it (Hook.remember); unknown after a change
        # made online since. Replay applies it only to that same entry.
        entry = box.queue(
            "undo",
            {"last_event": int(box.get("live_event") or 0) or None},
            {},
            now=env.now(),
            request_id=uuid4_hex(),
        )
        return "queued", _queued(env, entry)


def report(env: Env, out: Output, entry: Entry, *, verb: str = "queued") -> None:
    """What a queued change says: stdout as the online command would (an
    add prints its provisional name), stderr that it is queued."""
    h = env.offline_hook()
    waiting = 0
    if h is not None:
        with h.box() as box:
            waiting = box.count()
    what = entry.describe()
    note = (
        f"todo: offline: {verb} {what} ({waiting} change{'s' if waiting != 1 else ''} "
        "queued; replayed by the next command that reaches the server, or todo sync)"
    )
    if verb == "took back":
        note = f"todo: offline: took back the queued {what}: it never reached the server"
    env.out.saved = f"{verb} {what}"
    if out.form == "json":
        out.json(
            {
                "queued": verb == "queued",
                "took_back": verb == "took back",
                "change": what,
                "name": entry.name,
                "waiting": waiting,
            }
        )
    elif entry.kind == "add" and verb == "queued":
        out.line(entry.name or "")
    out.note(note)
