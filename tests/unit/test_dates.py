"""Due dates as people type them, in the process's local timezone: each
test runs in UTC, in New York (UTC-5 in these weeks, with a DST change
nearby) and in Kolkata (UTC+5:30), set through TZ. Expected moments are
written out as wall clocks with their zone's UTC offset, never computed
with the local-time conversion the code itself uses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as offset
from pathlib import Path

import pytest

from tests.support.inprocess import timezone
from todo_cli.dates import end_of_day, local_zone, parse_due, relative
from todo_cli.errors import InvalidInputError

EST = offset(timedelta(hours=-5))
EDT = offset(timedelta(hours=-4))
IST = offset(timedelta(hours=5, minutes=30))


@pytest.fixture(
    params=[
        pytest.param(("UTC", UTC), id="UTC"),
        pytest.param(("America/New_York", EST), id="New_York"),
        pytest.param(("Asia/Kolkata", IST), id="Kolkata"),
    ]
)
def zone(request: pytest.FixtureRequest) -> Iterator[tzinfo]:
    """The local timezone for the test; its UTC offset from 25 November to
    24 December 2026 (no DST change in those weeks)."""
    name, utc_offset = request.param
    with timezone(name):
        assert local_zone() == name
        yield utc_offset


def now(zone: tzinfo) -> datetime:
    """Wednesday 25 November 2026, 10:00 local."""
    return datetime(2026, 11, 25, 10, 0, tzinfo=zone)


@pytest.mark.parametrize(
    ("text", "wall"),
    [
        ("today", (2026, 11, 25, 23, 59, 59)),
        ("Tomorrow", (2026, 11, 26, 23, 59, 59)),
        ("yesterday", (2026, 11, 24, 23, 59, 59)),
        ("fri", (2026, 11, 27, 23, 59, 59)),
        ("friday", (2026, 11, 27, 23, 59, 59)),
        ("wed", (2026, 12, 2, 23, 59, 59)),  # strictly after today
        ("next week", (2026, 11, 30, 23, 59, 59)),  # Monday
        ("in 3 days", (2026, 11, 28, 23, 59, 59)),
        ("in 1 day", (2026, 11, 26, 23, 59, 59)),
        ("in 2w", (2026, 12, 9, 23, 59, 59)),
        ("in 2 weeks", (2026, 12, 9, 23, 59, 59)),
        ("2026-12-24", (2026, 12, 24, 23, 59, 59)),
        ("2026-12-24T17:00", (2026, 12, 24, 17, 0, 0)),
        ("tomorrow 9am", (2026, 11, 26, 9, 0, 0)),
        ("tomorrow 12pm", (2026, 11, 26, 12, 0, 0)),
        ("tomorrow 12am", (2026, 11, 26, 0, 0, 0)),
        ("fri 17:30", (2026, 11, 27, 17, 30, 0)),
        ("fri at 5pm", (2026, 11, 27, 17, 0, 0)),
        ("next week 9am", (2026, 11, 30, 9, 0, 0)),
        ("in 3 days 10:00", (2026, 11, 28, 10, 0, 0)),
        ("3pm", (2026, 11, 25, 15, 0, 0)),  # later today
        ("9am", (2026, 11, 26, 9, 0, 0)),  # already past: tomorrow
    ],
)
def test_accepted_forms_are_local_wall_clocks(
    zone: tzinfo, text: str, wall: tuple[int, int, int, int, int, int]
) -> None:
    parsed = parse_due(text, now=now(zone))
    assert parsed == datetime(*wall, tzinfo=zone)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24T17:00Z", datetime(2026, 12, 24, 17, tzinfo=UTC)),
        ("2026-12-24 17:00+01:00", datetime(2026, 12, 24, 16, tzinfo=UTC)),
        ("2026-12-24T17:00:00-05:00", datetime(2026, 12, 24, 22, tzinfo=UTC)),
    ],
)
def test_a_moment_with_its_offset_is_the_same_in_every_zone(
    zone: tzinfo, text: str, expected: datetime
) -> None:
    assert parse_due(text, now=now(zone)) == expected


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        # The same words, in UTC: 23:59:59 UTC.
        ("UTC", "today", datetime(2026, 11, 25, 23, 59, 59, tzinfo=UTC)),
        # New York: the end of its day is 04:59:59 UTC the next day.
        ("America/New_York", "today", datetime(2026, 11, 26, 4, 59, 59, tzinfo=UTC)),
        ("America/New_York", "2026-12-24", datetime(2026, 12, 25, 4, 59, 59, tzinfo=UTC)),
        ("America/New_York", "9am", datetime(2026, 11, 26, 14, 0, tzinfo=UTC)),
        # Kolkata: half an hour past, and before UTC.
        ("Asia/Kolkata", "today", datetime(2026, 11, 25, 18, 29, 59, tzinfo=UTC)),
        ("Asia/Kolkata", "2026-12-24T17:00", datetime(2026, 12, 24, 11, 30, tzinfo=UTC)),
        ("Asia/Kolkata", "3pm", datetime(2026, 11, 25, 9, 30, tzinfo=UTC)),
    ],
)
def test_local_days_in_utc(zone: str, text: str, expected: datetime) -> None:
    """The same, spelled in UTC: 10:00 local on 25 November is 10:00, 15:00
    and 04:30 UTC."""
    at = {
        "UTC": datetime(2026, 11, 25, 10, tzinfo=UTC),
        "America/New_York": datetime(2026, 11, 25, 15, tzinfo=UTC),
        "Asia/Kolkata": datetime(2026, 11, 25, 4, 30, tzinfo=UTC),
    }[zone]
    with timezone(zone):
        assert parse_due(text, now=at) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Friday 30 October 2026, 10:00 EDT; New York leaves DST at 02:00 on
        # Sunday 1 November (EDT, UTC-4, then EST, UTC-5).
        ("today", datetime(2026, 10, 30, 23, 59, 59, tzinfo=EDT)),
        ("tomorrow", datetime(2026, 10, 31, 23, 59, 59, tzinfo=EDT)),
        ("sun 9am", datetime(2026, 11, 1, 9, 0, tzinfo=EST)),
        ("in 3 days", datetime(2026, 11, 2, 23, 59, 59, tzinfo=EST)),
        ("next week", datetime(2026, 11, 2, 23, 59, 59, tzinfo=EST)),
        ("next week 9am", datetime(2026, 11, 2, 9, 0, tzinfo=EST)),
        ("2026-11-01T00:30", datetime(2026, 11, 1, 0, 30, tzinfo=EDT)),
        ("2026-11-01T03:00", datetime(2026, 11, 1, 3, 0, tzinfo=EST)),
    ],
)
def test_across_a_dst_change_each_day_keeps_its_own_offset(text: str, expected: datetime) -> None:
    with timezone("America/New_York"):
        friday = datetime(2026, 10, 30, 14, 0, tzinfo=UTC)  # 10:00 EDT
        assert parse_due(text, now=friday) == expected


CET = offset(timedelta(hours=1))
CEST = offset(timedelta(hours=2))
AEDT = offset(timedelta(hours=11))


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        # The clocks skip 02:00-03:00 (Berlin: 28 March 2027; New York: 14
        # March 2027; Sydney: 3 October 2027): a time in the gap is read with
        # the offset before the jump, an hour later by the clock.
        ("Europe/Berlin", "2027-03-28T02:30", datetime(2027, 3, 28, 3, 30, tzinfo=CEST)),
        ("Europe/Berlin", "sun 2:30am", datetime(2027, 3, 28, 3, 30, tzinfo=CEST)),
        ("America/New_York", "2027-03-14T02:30", datetime(2027, 3, 14, 3, 30, tzinfo=EDT)),
        ("Australia/Sydney", "2027-10-03T02:30", datetime(2027, 10, 3, 3, 30, tzinfo=AEDT)),
        # Around the gap, and a time the clocks pass twice (its first pass).
        ("Europe/Berlin", "2027-03-28T01:59", datetime(2027, 3, 28, 1, 59, tzinfo=CET)),
        ("Europe/Berlin", "2027-03-28T03:00", datetime(2027, 3, 28, 3, 0, tzinfo=CEST)),
        ("Europe/Berlin", "2027-10-31T02:30", datetime(2027, 10, 31, 2, 30, tzinfo=CEST)),
    ],
)
def test_a_time_the_clocks_skip_is_the_hour_after(zone: str, text: str, expected: datetime) -> None:
    with timezone(zone):
        friday = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)  # "sun": 28 March
        assert parse_due(text, now=friday) == expected


def test_end_of_day_is_the_local_days_end() -> None:
    at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    with timezone("America/New_York"):  # still 25 November there (22:00)
        assert end_of_day(at) == datetime(2026, 11, 26, 4, 59, 59, tzinfo=UTC)
    with timezone("Asia/Kolkata"):  # 08:30 on 26 November there
        assert end_of_day(at) == datetime(2026, 11, 26, 18, 29, 59, tzinfo=UTC)
    with timezone("UTC"):
        assert end_of_day(at) == datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "someday",
        "fri 25:00",
        "13pm",
        "3",
        "in 3 parsecs",
        "2026-13-01",
        "",
        "next",
        "tomorrow soon",
    ],
)
def test_rejected_forms_say_what_works(zone: tzinfo, text: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        parse_due(text, now=now(zone))
    assert exc.value.message == (
        f"cannot read {text!r} as a date; try: today, tomorrow, fri, next week, in 3 days, "
        "in 2w, 2026-12-24, 2026-12-24T17:00, tomorrow 9am, fri 17:30"
    )


@pytest.mark.parametrize(
    ("wall", "shown"),
    [
        ((2026, 11, 25, 23, 59, 59), "today"),
        ((2026, 11, 26, 23, 59, 59), "tomorrow"),
        ((2026, 11, 26, 9, 0, 0), "tomorrow 09:00"),
        ((2026, 11, 28, 23, 59, 59), "in 3d"),
        ((2026, 12, 8, 23, 59, 59), "in 13d"),
        ((2026, 12, 9, 23, 59, 59), "in 2w"),
        ((2026, 12, 24, 23, 59, 59), "in 4w"),
        ((2026, 11, 25, 8, 0, 0), "overdue"),
        ((2026, 11, 23, 23, 59, 59), "overdue 2d"),
        ((2026, 11, 12, 23, 59, 59), "overdue 13d"),
        ((2026, 11, 11, 23, 59, 59), "overdue 2w"),
        ((2026, 11, 5, 23, 59, 59), "overdue 2w"),
        ((2026, 11, 4, 23, 59, 59), "overdue 3w"),
    ],
)
def test_relative(zone: tzinfo, wall: tuple[int, int, int, int, int, int], shown: str) -> None:
    assert relative(datetime(*wall, tzinfo=zone), now=now(zone)) == shown


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("UTC", "tomorrow 03:00"),
        ("America/New_York", "today 22:00"),  # 22:00 on the 25th there
        ("Asia/Kolkata", "tomorrow 08:30"),
    ],
)
def test_relative_counts_local_days(zone: str, shown: str) -> None:
    due = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    at = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the 25th in all three
    with timezone(zone):
        assert relative(due, now=at) == shown


def test_dates_rely_on_the_standard_library_alone() -> None:
    """No date library is imported: the module's imports are the standard
    library's and todo's own (read from its source)."""
    import ast
    import sys

    import todo_cli.dates

    tree = ast.parse(Path(todo_cli.dates.__file__).read_text())
    imported = {
        alias.name.partition(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").partition(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported, "the scan found no imports: it proves nothing"
    assert imported - set(sys.stdlib_module_names) - {"todo_cli", "__future__"} == set()


def test_the_edit_form_writes_a_year_before_1000_in_four_digits() -> None:
    from todo_cli.editform import _when

    with timezone("UTC"):
        assert _when(datetime(999, 6, 1, 10, 0, tzinfo=UTC)) == "0999-06-01 10:00"
        assert _when(datetime(999, 6, 1, 23, 59, 59, tzinfo=UTC)) == "0999-06-01"
