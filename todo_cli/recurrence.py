"""Recurring todos: what `--every` accepts, and when the next one is due.

A SPEC is a rule, optionally counted from the completion instead of the
due date:

    day, week, month, year (daily, weekly, monthly, yearly, annually)
    N days | weeks | months | years, and short: 3d, 2w, 1m, 1y
    weekday (Monday to Friday)
    mon,thu (those weekdays; names as `--due` takes them)
    ... from done (`--from-done`): the next is counted from the completion

Canonical forms: 1d, 2w, 1m, 1y, weekday, mon,thu; with " from done".

The next due date keeps the due's local time of day, across DST. Months
and years keep the day of the month the series began on (its anchor), as
near as a month allows: Jan 31 -> Feb 28 (29 in a leap year) -> Mar 31; a
series begun on Feb 29 falls on Feb 28 in other years.

Counted from done, the store never makes a next one due on or before
the one completed: it is then one step after that one's due (the CASE in
store/recurring.spawn, on both backends). No next one falls past the year
9999.

next_due() here is the reference. PostgreSQL runs the same rule as the
SQL function todo_next_due (alembic/versions/0009); SQLite calls this
module's sqlite_next_due; tests/store/test_recurrence.py checks that all
three agree.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from todo_cli.errors import InvalidInputError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UNITS = {
    "d": "d", "day": "d", "days": "d", "daily": "d",
    "w": "w", "wk": "w", "week": "w", "weeks": "w", "weekly": "w",
    "m": "m", "mo": "m", "month": "m", "months": "m", "monthly": "m",
    "y": "y", "yr": "y", "year": "y", "years": "y", "yearly": "y", "annually": "y",
}  # fmt: skip
_COUNT = r"^(?:every\s+)?(\d{1,3})?\s*([a-z]+)$"
_FROM_DONE = " from done"
REPEAT_EXAMPLES = "day, week, month, year, 2w, 3 days, weekday, mon,thu (add: from done)"
LEAD_EXAMPLES = "3 days before, 1 week before, 12 hours before"


@dataclass(frozen=True)
class Rule:
    """A parsed SPEC: every `count` `unit`s (d, w, m, y), or on `days`
    (0 = Monday) for weekdays and named days."""

    unit: str
    count: int = 1
    days: tuple[int, ...] = ()
    from_done: bool = False

    @property
    def spec(self) -> str:
        base = ",".join(DAYS[d] for d in self.days) if self.unit == "on" else (
            "weekday" if self.unit == "weekday" else f"{self.count}{self.unit}"
        )  # fmt: skip
        return base + (_FROM_DONE if self.from_done else "")


def parse(text: str, *, from_done: bool = False) -> Rule:
    """A SPEC as people type it -> its Rule; exit 2 with examples if it is none."""
    raw = " ".join(text.strip().lower().split())
    if raw.endswith(_FROM_DONE):
        raw, from_done = raw[: -len(_FROM_DONE)].strip(), True
    if raw in ("weekday", "weekdays"):
        return Rule("weekday", from_done=from_done)
    names = [n.strip() for n in raw.split(",")]
    if all(_day_word(n) for n in names):
        days = sorted({DAYS.index(n[:3]) for n in names})
        return Rule("on", days=tuple(days), from_done=from_done)
    match = re.match(_COUNT, raw)
    if match and match.group(2) in _UNITS:
        count = int(match.group(1) or 1)
        if 1 <= count <= 999:
            return Rule(_UNITS[match.group(2)], count, from_done=from_done)
    raise InvalidInputError(f"cannot read {text!r} as a repeat; try: {REPEAT_EXAMPLES}")


_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day_word(word: str) -> bool:
    """mon, tues, thursday: a weekday's name or its start (3 letters or more)."""
    return len(word) >= 3 and any(day.startswith(word) for day in _FULL_DAYS)


def parse_lead(text: str) -> int | None:
    """'3 days before' -> seconds; None if text is no lead (a date, then)."""
    words = " ".join(text.lower().split())
    if not words.endswith(" before"):
        return None
    raw = words.removesuffix(" before")
    match = re.fullmatch(r"(\d{1,3})\s*(d|days?|w|weeks?|h|hours?)", raw)
    if not match:
        raise InvalidInputError(
            f"cannot read {text!r} as a time before the due; try: {LEAD_EXAMPLES}"
        )
    n, unit = int(match.group(1)), match.group(2)[0]
    if n < 1:
        raise InvalidInputError(f"{text!r}: wait at least 1 hour before the due")
    return n * {"d": 86400, "w": 7 * 86400, "h": 3600}[unit]


_NAMES = {"d": "day", "w": "week", "m": "month", "y": "year"}


def describe_step(rule: Rule) -> str:
    """'a week', '2 weeks', 'the next weekday', 'the next mon or thu'."""
    if rule.unit in _NAMES:
        name = _NAMES[rule.unit]
        return f"a {name}" if rule.count == 1 else f"{rule.count} {name}s"
    if rule.unit == "weekday":
        return "the next weekday"
    return "the next " + " or ".join(DAYS[d] for d in rule.days)


def describe(rule: Rule) -> str:
    """'every week', 'every 2 weeks, counted from done', 'every mon, thu'."""
    if rule.unit in _NAMES:
        name = _NAMES[rule.unit]
        text = f"every {name}" if rule.count == 1 else f"every {rule.count} {name}s"
    elif rule.unit == "weekday":
        text = "every weekday"
    else:
        text = "every " + ", ".join(DAYS[d] for d in rule.days)
    return text + (", counted from done" if rule.from_done else "") + f" ({rule.spec})"


def next_due(
    due: datetime,
    rule: Rule,
    *,
    anchor: int | None = None,
    clock: int | None = None,
    done_at: datetime | None = None,
) -> datetime:
    """The due date of the todo after one due at `due` (completed at
    done_at), in UTC, computed in the local timezone: on the day the rule
    gives (keeping the series' day of the month, anchor), at the series'
    local time of day (clock, seconds after midnight; by default the due's)."""
    zone = local_zone_info()
    local = due.astimezone(zone)
    anchor = anchor or local.day
    if clock is None:
        clock = local.hour * 3600 + local.minute * 60 + local.second
    if rule.from_done and done_at is not None:
        # Counted from the day it was done: a month after the 12th is the 12th.
        base = done_at.astimezone(zone).date()
        anchor = base.day
    else:
        base = local.date()
    return _at(next_day(base, rule, anchor=anchor), clock, local.microsecond, zone)


def next_day(base: date, rule: Rule, *, anchor: int) -> date:
    if rule.unit == "d":
        return base + timedelta(days=rule.count)
    if rule.unit == "w":
        return base + timedelta(weeks=rule.count)
    if rule.unit in ("m", "y"):
        months = rule.count * (12 if rule.unit == "y" else 1)
        year, month = divmod(base.year * 12 + base.month - 1 + months, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(anchor, last))
    days = (0, 1, 2, 3, 4) if rule.unit == "weekday" else rule.days
    return next(base + timedelta(k) for k in range(1, 8) if (base + timedelta(k)).weekday() in days)


def _at(day: date, clock: int, micro: int, zone: tzinfo | None) -> datetime:
    """That day at that local time of day, in UTC. A time the clocks skip
    (02:30 as summer time begins) is read in the time before the change, and
    a time they pass twice in the later one, as PostgreSQL reads them: of
    the two readings, the later moment."""
    naive = datetime.combine(day, time(clock // 3600, clock // 60 % 60, clock % 60, micro))
    if zone is None:  # no zone name: the C library's local time
        return naive.astimezone().astimezone(UTC)
    return max(naive.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))


def local_zone_info() -> tzinfo | None:
    """This process's timezone as zoneinfo has it (None: the C library's)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from todo_cli.dates import local_zone

    try:
        return ZoneInfo(local_zone())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def anchor_and_clock(due: datetime) -> tuple[int, int]:
    """A series' day of the month and local time of day, from its first due."""
    local = due.astimezone(local_zone_info())
    return local.day, local.hour * 3600 + local.minute * 60 + local.second


def sqlite_next_due(
    due: str | None,
    every: str | None,
    anchor: int | None,
    clock: int | None,
    done_at: str | None,
    _tz: str,
) -> str | None:
    """next_due for SQLite's SQL (registered as todo_next_due): timestamps
    as SQLite stores them (naive UTC text), in the local timezone of this
    process, which is SQLite's (PostgreSQL's takes it as _tz). None past
    the year 9999, where Python's dates end (PostgreSQL's go on: the store
    stops there, store/recurring.py)."""
    if due is None or every is None:
        return None
    rule = parse(every)
    start = _stored(due)
    done = _stored(done_at) if done_at else None
    try:
        nxt = next_due(start, rule, anchor=anchor, clock=clock, done_at=done)
    except (ValueError, OverflowError):
        return None  # past the year 9999: the store makes no next one
    return nxt.strftime(_STORED)


def sqlite_wait_at(due: str | None, lead: int | None) -> str | None:
    """due - lead seconds, for SQLite's SQL (registered as todo_wait_at)."""
    if due is None or lead is None:
        return None
    return (_stored(due) - timedelta(seconds=lead)).strftime(_STORED)


_STORED = "%Y-%m-%d %H:%M:%S.%f"  # as store/sql.sqlite_time writes


def _stored(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
