"""Before a replay (replay.py): is this the server the queue was made for,
and has its history not gone back? Another database at the same address
(a tunnel or a port that now leads elsewhere) is never replayed into; a
server behind what this machine saw (a Neon branch reset, a restore from a
backup) only with todo sync --accept-restore."""

from __future__ import annotations

from datetime import datetime

from todo_cli.store.outbox import Box

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.todo import Todo


def holds(
    h: Any,
    box: Box,
    accept: bool,
    said: list[str],
    marks: tuple[int, int, str, datetime | None],
    copied: Todo | None,
) -> bool:
    """Whether the queue may be replayed into this server (marks:
    replaying.marks, with the newest todo of the copy, copied); what is
    wrong is said and kept (the "restored" note) when not."""
    last_number, max_event, user_mark, made = marks
    other = _another_database(box.get("user_mark"), user_mark, copied, made)
    if other is not None and (other[1] or not accept):
        # Another server at this address (a tunnel or a port that now leads
        # elsewhere). Certain (the user was made at another moment): never
        # replayed into, whatever --accept-restore says.
        h.foreign = True
        said.append(
            f"this address now leads to another database than the one your {box.count()} "
            f"queued change(s) were made for ({other[0]}): none was replayed (see: todo "
            "sync; todo sync --drop N drops one; or reach that database again"
            + (
                ""
                if other[1]
                else "; if it is that database restored, todo sync --accept-restore replays into it"
            )
            + ")"
        )
        with box.transaction() as conn:
            box.put("restored", said[-1], conn)
        return False
    seen_number = int(box.get("max_number") or 0)
    seen_event = int(box.get("max_event") or 0)
    behind = []
    if last_number < seen_number:
        behind.append(f"its last todo number is {last_number}, this machine saw {seen_number}")
    if max_event < seen_event:
        behind.append(f"its newest change is #{max_event}, this machine saw #{seen_event}")
    if behind and not accept:
        said.append(
            f"the server's history went back ({'; '.join(behind)}): restored from a backup "
            f"or a branch reset? {box.count()} queued change(s) were not replayed into it "
            "(see: todo sync; todo sync --accept-restore replays them, each checked "
            "against the todo as it is now)"
        )
        with box.transaction() as conn:
            box.put("restored", said[-1], conn)
        return False
    with box.transaction() as conn:
        box.forget_key("restored", conn)
        if accept:
            box.put("max_number", str(last_number), conn)
            box.put("max_event", str(max_event), conn)
    return True


def _another_database(
    seen: str | None, mark: str, copied: Todo | None, made: datetime | None
) -> tuple[str, bool] | None:
    """Why the server is not the one the copy was read from, and whether
    that is certain; None when nothing says so. The user's mark (when the
    server made the user, listing.USER_MARK) compared as numbers; else the
    newest todo of the copy, made at another moment there."""
    if seen:
        if not mark:
            # Another server, or this one restored to before your user
            # was made: either way not the one the queue was made for.
            return ("your user is not on it", True)
        if not same_mark(seen, mark):
            return (f"your user was made there at {_when(seen)}, here at {_when(mark)}", True)
    if copied is not None and made is not None and made != copied.created_at:
        return (
            f"todo {copied.number} was made there at {copied.created_at.isoformat()}, "
            f"here at {made.isoformat()}",
            False,
        )
    return None


def same_mark(a: str, b: str) -> bool:
    """Two users' marks (listing.USER_MARK) as numbers: PostgreSQL 13 wrote
    an epoch as a double, 14 and later as a numeric."""
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b


def _when(mark: str) -> str:
    from datetime import UTC

    try:
        return f"{datetime.fromtimestamp(float(mark), UTC):%Y-%m-%d %H:%M:%S.%f} UTC"
    except (ValueError, OverflowError):
        return repr(mark)
