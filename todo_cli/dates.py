"""Due dates typed the way people say them, in the local timezone.

Standard library only: a date library would cost every command its import,
and these forms need none. A date without a time means "by the end of that
day" (23:59:59 local), so `--due today` is not overdue until the day is over.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from todo_cli.errors import InvalidInputError

WHEN_EXAMPLES = (
    "today, tomorrow, fri, next week, in 3 days, in 2w, 2026-12-24, "
    "2026-12-24T17:00, tomorrow 9am, fri 17:30"
)
END_OF_DAY = time(23, 59, 59)
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "week": 7, "weeks": 7}
_TIME = r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$"
_IN = r"^in\s*(\d{1,4})\s*([a-z]+)$"


def parse_due(text: str, *, now: datetime | None = None) -> datetime:
    """Parse WHEN into an aware UTC datetime; exit 2 with examples if it is not one."""
    now = (now or datetime.now(UTC)).astimezone()  # local wall clock
    raw = " ".join(text.lower().split())
    try:
        parsed = _iso(text.strip()) or _spoken(raw, now)
        moment = None if parsed is None else parsed.astimezone(UTC)
    except OverflowError:  # in UTC (or here) before year 1 or after 9999
        moment = None
    if moment is None:
        raise InvalidInputError(f"cannot read {text!r} as a date; try: {WHEN_EXAMPLES}")
    return moment


def _iso(text: str) -> datetime | None:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return _local(date.fromisoformat(text), END_OF_DAY)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else _local(value.date(), value.time())  # naive: local time


def _spoken(raw: str, now: datetime) -> datetime | None:
    day_part, _, time_part = raw.partition(" ")
    if day_part in ("next", "in"):  # two-word day forms: "next week", "in 3 days"
        day_part, time_part = raw, ""
        for sep in (" at ", " "):
            head, _, tail = raw.rpartition(sep)
            if head and _clock(tail) is not None and _day(head, now.date()) is not None:
                day_part, time_part = head, tail
                break
    if time_part.startswith("at "):
        time_part = time_part[3:]
    day = _day(day_part, now.date())
    if day is None:
        # A bare time of day: today, or tomorrow if that time has passed.
        clock = _clock(raw)
        if clock is None:
            return None
        moment = _local(now.date(), clock)
        return moment if moment > now else _local(now.date() + timedelta(days=1), clock)
    if not time_part:
        return _local(day, END_OF_DAY)
    clock = _clock(time_part)
    return None if clock is None else _local(day, clock)


def _day(word: str, today: date) -> date | None:
    if word in ("today", "tod"):
        return today
    if word in ("tomorrow", "tmr", "tom"):
        return today + timedelta(days=1)
    if word == "yesterday":
        return today - timedelta(days=1)
    if word == "next week":  # Monday of next week
        return today + timedelta(days=7 - today.weekday())
    for i, name in enumerate(_WEEKDAYS):
        if word[:3] == name and _is_weekday_word(word):
            ahead = (i - today.weekday()) % 7 or 7  # strictly after today
            return today + timedelta(days=ahead)
    match = re.match(_IN, word)
    if match and match.group(2) in _UNITS:
        return today + timedelta(days=int(match.group(1)) * _UNITS[match.group(2)])
    return None


def _is_weekday_word(word: str) -> bool:
    full = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    return any(f.startswith(word) and len(word) >= 3 for f in full) or word in (
        "tues",
        "thur",
        "thurs",
    )


def _clock(text: str) -> time | None:
    match = re.match(_TIME, text.strip())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match.group(2) is None:
        return None  # a bare number is not a time ("3" could be anything)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _local(day: date, clock: time) -> datetime:
    """That day's clock time here. A time the clocks skip (02:30 when they
    go from 02:00 to 03:00) is read with the offset before the jump, as
    recurrence reads it: 03:30 (the C library gave 01:30, before the
    time asked for)."""
    wall = datetime.combine(day, clock)
    moment = wall.astimezone()
    if moment.replace(tzinfo=None) == wall:
        return moment
    # 12 hours either side are clear of the jump: their offsets are the
    # one before it and the one after; the smaller is the one before.
    offsets = [(wall + timedelta(hours=h)).astimezone().utcoffset() for h in (-12, 12)]
    before = min(o for o in offsets if o is not None)
    return (wall - before).replace(tzinfo=UTC).astimezone()


def local_zone() -> str:
    """The IANA name of this process's timezone, so PostgreSQL computes
    local dates as this machine does: TZ, else /etc/localtime's link, else
    /etc/timezone; UTC when the name is none the system knows (the C
    library reads an unknown TZ as UTC too). Read each time: tests change TZ."""
    import os

    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        name = os.path.realpath("/etc/localtime")
        if "zoneinfo/" not in name and os.path.exists("/etc/timezone"):
            with open("/etc/timezone", encoding="utf-8") as f:
                name = f.read().strip()
    if "zoneinfo/" in name:
        name = name.split("zoneinfo/", 1)[1]
    if not name or name.startswith("/") or ".." in name:
        return "UTC"
    known = any(os.path.isfile(os.path.join(d, name)) for d in _ZONEINFO)
    return name if known else "UTC"


_ZONEINFO = ("/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo")


def end_of_day(now: datetime) -> datetime:
    """The end of now's local day, in UTC: the due of "today"."""
    return _local(now.astimezone().date(), END_OF_DAY).astimezone(UTC)


def relative(due: datetime, *, now: datetime | None = None) -> str:
    """'today', 'tomorrow', 'in 3d', 'in 2w', 'overdue 2d': for tables."""
    now = (now or datetime.now(UTC)).astimezone()
    local = due.astimezone()
    timed = local.time() != END_OF_DAY
    days = (local.date() - now.date()).days
    if local < now:
        late = -days
        if late == 0:
            return "overdue"
        return f"overdue {late}d" if late < 14 else f"overdue {late // 7}w"
    clock = f" {local:%H:%M}" if timed and days <= 1 else ""
    if days == 0:
        return "today" + clock
    if days == 1:
        return "tomorrow" + clock
    return f"in {days}d" if days < 14 else f"in {days // 7}w"
