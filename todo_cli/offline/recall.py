"""What `todo log` and `todo stats` last showed online, kept in the offline
file and shown offline as of then (with reads.py's notice): the journal
and the figures live on the server, so offline they are what this machine
last read, no more."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import date, datetime

from todo_cli.classes import asdict, replace
from todo_cli.classes import fields as fields_of
from todo_cli.offline.common import OfflineError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.context import Invocation as Env
    from todo_cli.store.outbox import Box


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, dict):
        return {"$map": [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _back(value: Any) -> Any:
    if isinstance(value, dict):
        if "$t" in value:
            return datetime.fromisoformat(value["$t"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
        return {_back(k): _back(v) for k, v in value["$map"]}
    if isinstance(value, list):
        return [_back(v) for v in value]
    return value


def keep(box: Box, key: str, value: Any, conn: Any) -> None:
    """log's events (without the rows undo needs) or stats' figures."""
    data: Any = (
        [asdict(replace(e, rows=[])) for e in value] if isinstance(value, list) else asdict(value)
    )
    box.put(key, json.dumps(_plain(data)), conn)


def log(env: Env, exc: OfflineError, limit: int) -> list[Any]:
    from todo_cli.todo import Event

    raw = _recalled(env, exc, "log")
    events = []
    with _readable(env, "log"):
        for item in _back(json.loads(raw))[:limit]:
            fields = {f.name for f in fields_of(Event)}
            item = {
                k: tuple(v) if k in ("numbers", "titles", "created") else v for k, v in item.items()
            }
            events.append(Event(**{k: v for k, v in item.items() if k in fields}))
    return events


def stats(env: Env, exc: OfflineError) -> Any:
    from todo_cli.store.stats import Stats

    raw = _recalled(env, exc, "stats")
    with _readable(env, "stats"):
        data = _back(json.loads(raw))
        data["oldest"] = [tuple(x) for x in data.get("oldest", [])]
        data["changes"] = [tuple(x) for x in data.get("changes", [])]
        fields = {f.name for f in fields_of(Stats)}
        return Stats(**{k: v for k, v in data.items() if k in fields})


@contextlib.contextmanager
def _readable(env: Env, key: str) -> Iterator[None]:
    """What the file keeps of the last online log or stats, damaged or
    edited by hand: one error line (exit 6), never "unexpected"."""
    try:
        yield
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        from todo_cli.store.outbox_checks import damaged

        h = env.offline_hook()
        raise damaged(h.path, f"its last todo {key} cannot be read ({exc!r})") from None


def _recalled(env: Env, exc: OfflineError, key: str) -> str:
    from todo_cli.offline.common import status_line

    h = env.offline_hook()
    if h is None:  # pragma: no cover
        raise exc
    with h.box() as box:
        raw: str | None = box.get(key)
        line = status_line(box, env.now())
    if raw is None:
        raise exc.__class__(
            f"{exc.message}; offline, and this machine has not run todo {key} online yet",
            exc.reason,
        )
    env.out.note(f"todo: offline: todo {key} as last read online; {line}")
    return raw
