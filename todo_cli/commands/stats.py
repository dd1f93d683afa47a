"""stats: what you have done, and what is open."""

from __future__ import annotations

from datetime import timedelta

from todo_cli import render

TYPE_CHECKING = False
if TYPE_CHECKING:
    from todo_cli.context import Invocation


def stats(inv: Invocation, *, json_: bool) -> None:
    """Your progress: completed per week (12 weeks), open by priority and
    overdue, the oldest open todos, and the open count of the last 30 days."""
    from todo_cli.store import stats as numbers

    out = inv.out.use_json(json_)
    from todo_cli.offline import recall  # OFFLINE: as last read online

    data = inv.run(numbers.stats, mode="read", offline=lambda exc: recall.stats(inv, exc))
    today = inv.now().astimezone().date()
    monday = today - timedelta(days=today.weekday())
    weeks = []
    for back in range(numbers.WEEKS - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        done = sum(n for day, n in data.done_by_day.items() if start <= day < start + timedelta(7))
        weeks.append((start, done))
    days = numbers.open_by_day(data, today)
    render.stats(out, data, weeks, days)
