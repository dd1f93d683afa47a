"""What --every accepts, and the next due date, computed in Python (the
reference; tests/store/test_recurrence.py holds PostgreSQL's function to it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest

from tests.support.inprocess import timezone
from todo_cli.errors import InvalidInputError
from todo_cli.recurrence import Rule, describe, next_day, next_due, parse, parse_lead
from todo_cli.todo import lead_text


@pytest.fixture(autouse=True)
def _berlin() -> Iterator[None]:
    """A zone with summer time: the next due keeps its wall-clock time."""
    with timezone("Europe/Berlin"):
        yield


def local(y: int, m: int, d: int, h: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(date(y, m, d), time(h, minute)).astimezone().astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "spec"),
    [
        ("day", "1d"),
        ("daily", "1d"),
        ("week", "1w"),
        ("weekly", "1w"),
        ("month", "1m"),
        ("monthly", "1m"),
        ("year", "1y"),
        ("annually", "1y"),
        ("2w", "2w"),
        ("3 days", "3d"),
        ("every 2 weeks", "2w"),
        ("6 Months", "6m"),
        ("weekday", "weekday"),
        ("weekdays", "weekday"),
        ("mon,thu", "mon,thu"),
        ("Thursday, mon", "mon,thu"),
        ("tues", "tue"),
        ("2w from done", "2w from done"),
        ("  1   week   from   done ", "1w from done"),
    ],
)
def test_specs_people_type_read_as_their_canonical_form(typed: str, spec: str) -> None:
    assert parse(typed).spec == spec
    assert parse(spec).spec == spec  # the canonical form reads back as itself


def test_from_done_as_a_flag() -> None:
    assert parse("2w", from_done=True) == Rule("w", 2, from_done=True)


@pytest.mark.parametrize("bad", ["", "fortnightly", "0d", "1000d", "mo,th", "2", "every", "d,w"])
def test_what_is_not_a_spec_is_refused_with_examples(bad: str) -> None:
    with pytest.raises(InvalidInputError, match=r"as a repeat; try: day, week, month"):
        parse(bad)


def test_month_is_not_monday() -> None:
    assert parse("month").unit == "m"
    assert parse("mon").days == (0,)


def test_month_end_keeps_the_day_the_series_began_on() -> None:
    """Jan 31 -> Feb 28 -> Mar 31 -> Apr 30: the anchor (31) is kept, and a
    month too short takes its last day."""
    monthly = parse("month")
    due = local(2026, 1, 31)
    seen = []
    for _ in range(4):
        due = next_due(due, monthly, anchor=31)
        seen.append(due)
    assert seen == [local(2026, 2, 28), local(2026, 3, 31), local(2026, 4, 30), local(2026, 5, 31)]


def test_leap_years() -> None:
    assert next_due(local(2028, 1, 31), parse("month"), anchor=31) == local(2028, 2, 29)
    yearly = parse("year")
    due = local(2028, 2, 29)
    seen = []
    for _ in range(4):
        due = next_due(due, yearly, anchor=29)
        seen.append(due)
    assert seen == [local(2029, 2, 28), local(2030, 2, 28), local(2031, 2, 28), local(2032, 2, 29)]


def test_the_wall_clock_time_survives_summer_time() -> None:
    # 09:00 in winter (08:00 UTC), a week later 09:00 in summer (07:00 UTC).
    nxt = next_due(local(2026, 3, 25), parse("week"), anchor=25)
    assert nxt == local(2026, 4, 1)
    assert (nxt.hour, nxt.astimezone().hour) == (7, 9)


def test_from_done_counts_from_the_day_it_was_done() -> None:
    rule = parse("2w from done")
    done_at = local(2026, 12, 10, 18)
    # Due on the 1st, done on the 10th: the next is two weeks after the
    # 10th, at the due's time of day.
    assert next_due(local(2026, 12, 1, 23, 59), rule, anchor=1, done_at=done_at) == local(
        2026, 12, 24, 23, 59
    )
    # Monthly from done: the day it was done is the new day of the month.
    monthly = parse("month from done")
    assert next_due(local(2026, 1, 31), monthly, anchor=31, done_at=local(2026, 2, 12)) == local(
        2026, 3, 12
    )


def test_weekdays_skip_the_weekend() -> None:
    weekday = parse("weekday")
    friday = date(2026, 12, 4)
    assert next_day(friday, weekday, anchor=4) == date(2026, 12, 7)  # Monday
    assert next_day(date(2026, 12, 5), weekday, anchor=5) == date(2026, 12, 7)  # from Saturday
    assert next_day(date(2026, 12, 7), weekday, anchor=7) == date(2026, 12, 8)


def test_named_days_take_the_next_of_them() -> None:
    rule = parse("mon,thu")
    monday = date(2026, 12, 7)
    assert next_day(monday, rule, anchor=7) == date(2026, 12, 10)
    assert next_day(date(2026, 12, 10), rule, anchor=10) == date(2026, 12, 14)
    assert next_day(monday, parse("mon"), anchor=7) == date(2026, 12, 14)


def test_counts() -> None:
    assert next_day(date(2026, 12, 30), parse("3 days"), anchor=30) == date(2027, 1, 2)
    assert next_day(date(2026, 11, 30), parse("3 months"), anchor=30) == date(2027, 2, 28)
    assert next_day(date(2026, 11, 30), parse("2 years"), anchor=30) == date(2028, 11, 30)


def test_descriptions() -> None:
    assert describe(parse("week")) == "every week (1w)"
    assert describe(parse("2w from done")) == "every 2 weeks, counted from done (2w from done)"
    assert describe(parse("weekday")) == "every weekday (weekday)"
    assert describe(parse("thu,mon")) == "every mon, thu (mon,thu)"


@pytest.mark.parametrize(
    ("typed", "seconds", "text"),
    [
        ("3 days before", 3 * 86400, "3d"),
        ("3d before", 3 * 86400, "3d"),
        ("1 week before", 7 * 86400, "1w"),
        ("12 hours  before", 12 * 3600, "12h"),
    ],
)
def test_leads(typed: str, seconds: int, text: str) -> None:
    assert parse_lead(typed) == seconds
    assert lead_text(seconds) == text


def test_a_date_is_not_a_lead() -> None:
    assert parse_lead("tomorrow") is None
    assert parse_lead("2026-12-01") is None
    with pytest.raises(InvalidInputError, match="as a time before the due"):
        parse_lead("soon before")


def test_a_time_the_clocks_skip_does_not_move_the_series() -> None:
    """Daily at 02:30 in Berlin: on the night summer time begins 02:30 does
    not exist (it is read as 03:30, as PostgreSQL reads it), and the next
    day the series is back at 02:30."""
    daily = parse("day")
    start = local(2025, 3, 29, 2, 30)
    skipped = next_due(start, daily, clock=9000)
    assert skipped.astimezone().strftime("%m-%d %H:%M %Z") == "03-30 03:30 CEST"
    after = next_due(skipped, daily, clock=9000)
    assert after.astimezone().strftime("%m-%d %H:%M %Z") == "03-31 02:30 CEST"
    # A time that comes twice (the night summer time ends) is the later one.
    twice = next_due(local(2025, 10, 25, 2, 30), daily, clock=9000)
    assert twice.astimezone().strftime("%m-%d %H:%M %Z") == "10-26 02:30 CET"
