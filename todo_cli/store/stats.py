"""The numbers behind `todo stats`, in one statement (one round trip):
completions per local day for the last 12 weeks, open todos by priority,
the overdue, the oldest open, and the journal of the last 30 days, from
which the open count of each of those days is worked back."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from todo_cli.classes import dataclass, field
from todo_cli.store import journal
from todo_cli.store.session import Session
from todo_cli.store.sql import ME
from todo_cli.todo import PRIORITY_NAMES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.store.sql import Backend

WEEKS = 12
DAYS = 30
OLDEST = 5

_LOCAL_DAY = {
    "postgresql": "CAST(CAST(todos.completed_at AT TIME ZONE :tz AS date) AS text)",
    "sqlite": "date(todos.completed_at, 'localtime')",
}
_TEXT = {"postgresql": "CAST({0} AS text)", "sqlite": "{0}"}
# Oldest first, to the second; then by number (todos made in the same
# second, as by a script, in the order they were numbered).
_AGE = {
    "postgresql": "date_trunc('second', todos.created_at)",
    "sqlite": "substr(todos.created_at, 1, 19)",
}


@dataclass
class Stats:
    done_by_day: dict[date, int] = field(default_factory=dict)
    open_by_priority: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    oldest: list[tuple[int, str, datetime]] = field(default_factory=list)
    # (when, change in the open count) for the journal's last DAYS days
    changes: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def open(self) -> int:
        return sum(self.open_by_priority.values())


def _query(backend: Backend) -> str:
    text = _TEXT[backend].format
    mine = f"todos.user_id = {ME}"
    return " UNION ALL ".join(
        [
            f"SELECT 'done', {_LOCAL_DAY[backend]}, count(*), NULL, NULL, NULL FROM todos "
            f"WHERE {mine} AND todos.done = true AND todos.completed_at >= :weeks_ago "
            f"GROUP BY {_LOCAL_DAY[backend]}",
            f"SELECT 'open', {text('todos.priority')}, count(*), NULL, NULL, NULL FROM todos "
            f"WHERE {mine} AND todos.done = false GROUP BY todos.priority",
            "SELECT 'overdue', NULL, count(*), NULL, NULL, NULL FROM todos "
            f"WHERE {mine} AND todos.done = false AND todos.due < :now",
            "SELECT * FROM (SELECT 'oldest', NULL, todos.number, "
            f"{text('todos.created_at')}, todos.title, NULL FROM todos "
            f"WHERE {mine} AND todos.done = false "
            f"ORDER BY {_AGE[backend]}, todos.number LIMIT {OLDEST}) AS o",
            f"SELECT 'event', events.action, NULL, {text('events.at')}, events.data, "
            f"{text('events.undone_at')} FROM events "
            f"WHERE (events.user_id = {ME} AND events.owner_id IS NULL OR events.owner_id = {ME}) "
            "AND (events.at >= :days_ago OR events.undone_at >= :days_ago)",
        ]
    )


def stats(session: Session) -> Stats:
    now = session.now
    rows = session.execute(
        _query(session.backend),
        params={
            "weeks_ago": now - timedelta(weeks=WEEKS + 1),
            "days_ago": now - timedelta(days=DAYS + 1),
        },
    ).all()
    out = Stats(open_by_priority={"high": 0, "medium": 0, "low": 0, "none": 0})
    read = session.time
    for kind, key, n, at, text, undone in rows:
        if kind == "done":
            out.done_by_day[date.fromisoformat(str(key)[:10])] = int(n)
        elif kind == "open":
            name = PRIORITY_NAMES.get(int(key)) if key is not None else None
            out.open_by_priority[name or "none"] += int(n)
        elif kind == "overdue":
            out.overdue = int(n)
        elif kind == "oldest":
            out.oldest.append((int(n), str(text), _time(read, at)))
        else:
            delta = journal.open_delta(str(key), text)
            out.changes.append((_time(read, at), delta))
            if undone is not None:
                out.changes.append((_time(read, undone), -delta))
    out.oldest.sort(key=lambda o: (o[2].replace(microsecond=0), o[0]))
    return out


def _time(read: Any, value: Any) -> datetime:
    """A timestamp as text (from the UNION) or as the driver gives it."""
    if isinstance(value, str) and "+" in value[10:]:
        return datetime.fromisoformat(value)
    result: datetime = read(value)
    return result


def open_by_day(stats: Stats, today: date, *, tz: Any = None) -> list[tuple[date, int]]:
    """The open count at the end of each of the last DAYS days, oldest
    first: today's count, with each later change taken back."""
    result = []
    for back in range(DAYS):
        day = today - timedelta(days=back)
        later = sum(d for at, d in stats.changes if at.astimezone(tz).date() > day)
        result.append((day, stats.open - later))
    return list(reversed(result))
