"""todo_cli.formats: our formats in and out, checked against the real peers
(todo.txt-cli and taskwarrior) where there is one.

The peers are the Debian packages todotxt-cli (Debian installs todo.sh as
/usr/bin/todo-txt; upstream's name todo.sh is found too) and taskwarrior 2.6. Without them those tests skip with a reason;
under CI=true they fail instead.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as timezone_offset
from pathlib import Path

import pytest

from tests.support.inprocess import timezone
from tests.support.peers import Task, TodoTxt
from todo_cli.dates import END_OF_DAY
from todo_cli.errors import InvalidInputError
from todo_cli.formats import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    Parsed,
    Record,
    Skipped,
    detect,
    parse,
    write,
)
from todo_cli.formats.records import key_uuid, uuid_key
from todo_cli.todo import Todo

# Every test here runs in Kolkata (see zone()): UTC+5:30 all year, so a
# day's boundaries differ from UTC's by a half hour too, and a conversion
# that forgot the local zone shows.
ZONE = "Asia/Kolkata"
IST = timezone_offset(timedelta(hours=5, minutes=30))


@pytest.fixture(autouse=True)
def zone() -> Iterator[None]:
    """TZ for the code under test and the peers it runs (a test may nest another)."""
    with timezone(ZONE):
        yield


def local(y: int, m: int, d: int, clock: time = time(12)) -> datetime:
    """A Kolkata wall clock, in UTC: written with its fixed offset, never with
    the process's local-time conversion that the code itself uses."""
    return datetime.combine(date(y, m, d), clock, tzinfo=IST).astimezone(UTC)


def todo(number: int, title: str, **fields: object) -> Todo:
    values: dict[str, object] = {
        "done": False,
        "priority": None,
        "due": None,
        "tags": (),
        "note": None,
        "created_at": local(2026, 11, 1),
        "updated_at": local(2026, 11, 2),
        "completed_at": None,
    }
    values.update(fields)
    return Todo(number=number, title=title, **values)  # type: ignore[arg-type]


TODOS = [
    todo(
        1,
        "Buy milk ünd Brot 🥛",
        priority="high",
        due=datetime(2026, 12, 1, 17, 30, 5, 123456, tzinfo=UTC),
        tags=("home.garden", "shop"),
        note='first line\n\tindented "quoted", comma\nlast',
    ),
    todo(
        2,
        "Pay rent",
        done=True,
        priority="low",
        tags=("home",),
        completed_at=local(2026, 11, 20, time(9, 15)),
        updated_at=local(2026, 11, 20, time(9, 15)),
    ),
    todo(3, "Read a book"),
]


def written(todos: list[Todo], format: str) -> str:
    out = io.StringIO()
    assert write(todos, format, out) == len(todos)
    return out.getvalue()


# --- json -------------------------------------------------------------------------


def test_json_export_is_todo_list_json() -> None:
    """The documented shape, written out: every key in order, times in UTC
    with six digits and a Z, text as is (not ASCII-escaped)."""
    todos = [
        todo(
            1,
            "Buy milk ünd Brot 🥛",
            priority="high",
            due=datetime(2026, 12, 1, 17, 30, 5, 123456, tzinfo=UTC),
            tags=("home.garden", "shop"),
            note='first line\n\tindented "quoted", comma\nlast',
            created_at=datetime(2026, 11, 1, 11, 0, tzinfo=UTC),
            updated_at=datetime(2026, 11, 2, 11, 0, 0, 5, tzinfo=UTC),
        ),
        todo(
            2,
            "Pay rent",
            done=True,
            priority="low",
            tags=("home",),
            created_at=datetime(2026, 11, 1, 11, 0, tzinfo=UTC),
            updated_at=datetime(2026, 11, 20, 8, 15, tzinfo=UTC),
            completed_at=datetime(2026, 11, 20, 8, 15, tzinfo=UTC),
            every="1w",
            until=datetime(2027, 6, 30, 21, 59, 59, tzinfo=UTC),
            wait=datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
            wait_lead=2 * 86400,
            owner="alice",
        ),
    ]
    assert written(todos, "json") == (
        "[\n"
        "  {\n"
        '    "number": 1,\n'
        '    "title": "Buy milk ünd Brot 🥛",\n'
        '    "done": false,\n'
        '    "priority": "high",\n'
        '    "due": "2026-12-01T17:30:05.123456Z",\n'
        '    "tags": [\n'
        '      "home.garden",\n'
        '      "shop"\n'
        "    ],\n"
        '    "note": "first line\\n\\tindented \\"quoted\\", comma\\nlast",\n'
        '    "created_at": "2026-11-01T11:00:00.000000Z",\n'
        '    "updated_at": "2026-11-02T11:00:00.000005Z",\n'
        '    "completed_at": null,\n'
        '    "every": null,\n'
        '    "until": null,\n'
        '    "wait": null,\n'
        '    "wait_before": null,\n'
        '    "owner": null\n'
        "  },\n"
        "  {\n"
        '    "number": 2,\n'
        '    "title": "Pay rent",\n'
        '    "done": true,\n'
        '    "priority": "low",\n'
        '    "due": null,\n'
        '    "tags": [\n'
        '      "home"\n'
        "    ],\n"
        '    "note": null,\n'
        '    "created_at": "2026-11-01T11:00:00.000000Z",\n'
        '    "updated_at": "2026-11-20T08:15:00.000000Z",\n'
        '    "completed_at": "2026-11-20T08:15:00.000000Z",\n'
        '    "every": "1w",\n'
        '    "until": "2027-06-30T21:59:59.000000Z",\n'
        '    "wait": "2026-11-27T08:00:00.000000Z",\n'
        '    "wait_before": "2d",\n'
        '    "owner": "alice"\n'
        "  }\n"
        "]\n"
    )
    assert written([], "json") == "[]\n"


def test_json_round_trip_keeps_every_field() -> None:
    parsed = parse(written(TODOS, "json"))
    assert parsed.format == "json"
    assert parsed.skipped == []
    fields = ("title", "done", "priority", "due", "tags", "note")
    times = ("created_at", "updated_at", "completed_at")
    for record, original in zip(parsed.records, TODOS, strict=True):
        for name in (*fields, *times):
            assert getattr(record, name) == getattr(original, name), name
    keys = [r.key for r in parsed.records]
    assert len(set(keys)) == 3
    assert all(len(k) == 32 and k.isalnum() and k == k.lower() for k in keys)
    assert [r.key for r in parse(written(TODOS, "json")).records] == keys


def test_json_keys_are_the_taskwarrior_uuids() -> None:
    tasks = json.loads(written(TODOS, "taskwarrior"))
    assert [uuid.UUID(t["uuid"]).hex for t in tasks] == [
        r.key for r in parse(written(TODOS, "json")).records
    ]


def test_json_repeated_items_share_a_key() -> None:
    """The same item twice in one file is one todo (the store skips the
    second as a repeat): it has one key."""
    text = written([TODOS[2], TODOS[2]], "json")
    first, second = parse(text).records
    assert first.key == second.key


def test_write_streams_as_todos_arrive() -> None:
    """Memory stays flat however many todos: what was read is written out
    before a few hundred more are asked for."""
    out = io.StringIO()
    many = [TODOS[i % 3]._replace(number=i + 1, title=f"todo {i + 1}") for i in range(1000)]

    def todos() -> Iterator[Todo]:
        for i, t in enumerate(many):
            if i >= 300:
                assert f"todo {i - 299}" in out.getvalue(), (format, i)
            yield t

    for format in EXPORT_FORMATS:
        out.seek(0)
        out.truncate()
        assert write(todos(), format, out) == 1000


def test_json_items_with_problems_are_skipped_with_reasons() -> None:
    good = {
        "number": 3,
        "title": "Read a book",
        "done": False,
        "priority": None,
        "due": None,
        "tags": [],
        "note": None,
        "created_at": "2026-11-01T11:00:00.000000Z",
        "updated_at": "2026-11-02T11:00:00.000000Z",
        "completed_at": None,
    }
    items = [
        good,
        {**good, "title": "  "},
        {**good, "title": "x" * 501},
        {**good, "title": "tab\there"},
        {**good, "priority": "urgent"},
        {**good, "due": "next tuesday"},
        {**good, "tags": "home"},
        {**good, "note": "bell \x07"},
        {**good, "done": "yes"},
        "a string",
        {"title": "minimal"},
        {**good, "tags": ["ok", "two words", "---"], "priority": "h", "due": "2026-12-24"},
    ]
    parsed = parse(json.dumps(items), "json")
    assert parsed.skipped == [
        Skipped(2, "empty title"),
        Skipped(3, "the title is 501 characters; the limit is 500"),
        Skipped(
            4, "the title contains a control character (U+0009); titles are a single line of text"
        ),
        Skipped(5, "invalid priority 'urgent' (high, medium or low)"),
        Skipped(6, "invalid due 'next tuesday'"),
        Skipped(7, "invalid tags (a list of strings)"),
        Skipped(8, "the note contains a control character (U+0007)"),
        Skipped(9, "invalid done 'yes' (true or false)"),
        Skipped(10, "a JSON str, not an object"),
    ]
    minimal, sanitised = parsed.records[1:]
    assert minimal.title == "minimal"
    assert (minimal.done, minimal.created_at, minimal.tags) == (False, None, ())
    # Invalid tags are sanitised, or dropped when nothing is left.
    assert sanitised.tags == ("ok", "two-words")
    assert sanitised.priority == "high"
    assert sanitised.due == local(2026, 12, 24, END_OF_DAY)


# --- todo.txt ---------------------------------------------------------------------


def test_todotxt_export() -> None:
    assert written(TODOS, "todotxt") == (
        # Due 17:30 UTC: 23:00 in Kolkata, still 1 December.
        "(A) 2026-11-01 Buy milk ünd Brot 🥛 +home.garden +shop due:2026-12-01 id:1\n"
        "x 2026-11-20 2026-11-01 Pay rent +home pri:C id:2\n"
        "2026-11-01 Read a book id:3\n"
    )


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", "x 2026-11-20 2026-11-01 Pay rent due:2026-12-01 id:1\n"),
        # UTC+9: the due and the completion fall a day later there.
        ("Asia/Tokyo", "x 2026-11-21 2026-11-01 Pay rent due:2026-12-02 id:1\n"),
        # UTC-4 then: created at 23:00 on 31 October there.
        ("America/New_York", "x 2026-11-20 2026-10-31 Pay rent due:2026-12-01 id:1\n"),
    ],
)
def test_todotxt_export_writes_local_days(zone: str, expected: str) -> None:
    """todo.txt has days, not moments: each is the day in the local
    timezone (03:00, 20:00 and 16:00 UTC cross a day boundary somewhere)."""
    paid = todo(
        1,
        "Pay rent",
        done=True,
        due=datetime(2026, 12, 1, 20, 0, tzinfo=UTC),
        created_at=datetime(2026, 11, 1, 3, 0, tzinfo=UTC),
        updated_at=datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
        completed_at=datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
    )
    with timezone(zone):
        assert written([paid], "todotxt") == expected


def test_todotxt_round_trip_keeps_what_todotxt_carries() -> None:
    todos = [
        todo(
            1,
            "Buy milk",
            priority="medium",
            due=local(2026, 12, 1, END_OF_DAY),
            tags=("a.b", "shop"),
            created_at=local(2026, 11, 1, time()),
        ),
        todo(
            2,
            "Pay rent ✓",
            done=True,
            priority="high",
            created_at=local(2026, 11, 1, time()),
            completed_at=local(2026, 11, 20, time()),
        ),
    ]
    parsed = parse(written(todos, "todotxt"))
    assert parsed.format == "todotxt"
    assert parsed.skipped == []
    for record, original in zip(parsed.records, todos, strict=True):
        for name in ("title", "done", "priority", "due", "tags", "created_at", "completed_at"):
            assert getattr(record, name) == getattr(original, name), name
        # id:N brings the number back, with a creation day to recognise it by.
        assert (record.number, record.day_only) == (original.number, True)
        assert record.note is None  # todo.txt has no notes
        assert record.updated_at is None


def test_todotxt_import_rules() -> None:
    text = "\n".join(
        [
            "(A) 2026-11-01 Call +mom about @phone dinner due:2026-12-01 t:2026-11-30",
            "",
            "x 2026-11-25 2026-11-20 (B) Old todo.sh kept the priority",
            "x 2026-11-25 2026-11-20 Newer keeps it as a key pri:A",
            "x Done without dates",
            "(D) Low enough",
            "(a) lowercase is not a priority",
            "X is not done either",
            "[urgent] brackets are text +work/home",
            "Same line",
            "Same line",
            "+only +tags",
            "Email bob about +project and due:tomorrow",
            "Bad pri pri:urgent",
            "2026-13-45 not a date\r",
            "2026-11-03 Mine id:41",
            "Two ids id:1 id:42 and id:x",
            "Water plants due:2026-12-01 rec:+1w",
            "Run rec:2d t:2026-12-01",
            "Standup rec:+1b",
            "Bad repeat rec:fortnightly t:soon",
            "",
        ]
    )
    parsed = parse(text)
    assert parsed.format == "todotxt"
    r = {rec.title: rec for rec in parsed.records}
    assert list(r) == [
        "Call about dinner",
        "Old todo.sh kept the priority",
        "Newer keeps it as a key",
        "Done without dates",
        "Low enough",
        "(a) lowercase is not a priority",
        "X is not done either",
        "[urgent] brackets are text",
        "Same line",
        # Syntax in name only stays words of the title: nothing is lost.
        "Email bob about and due:tomorrow",
        "Bad pri pri:urgent",
        "2026-13-45 not a date",
        "Mine",
        "Two ids id:1 and id:x",
        "Water plants",
        "Run",
        "Standup",
        "Bad repeat rec:fortnightly t:soon",
    ]
    # rec:+1w from the due date, rec:2d from done, +1b business days;
    # t: (threshold) the day it stops waiting.
    assert [(r[t].every, r[t].wait) for t in ("Water plants", "Run", "Standup")] == [
        ("1w", None),
        ("2d from done", local(2026, 12, 1, time())),
        ("weekday", None),
    ]
    assert r["Bad repeat rec:fortnightly t:soon"].every is None
    first = r["Call about dinner"]
    assert first.wait == local(2026, 11, 30, time())
    assert (first.priority, first.tags, first.done) == ("high", ("mom", "phone"), False)
    assert first.due == local(2026, 12, 1, END_OF_DAY)
    assert first.created_at == local(2026, 11, 1, time())
    old = r["Old todo.sh kept the priority"]
    assert (old.done, old.priority) == (True, "medium")
    assert old.completed_at == local(2026, 11, 25, time())
    assert old.created_at == local(2026, 11, 20, time())
    assert r["Newer keeps it as a key"].priority == "high"
    bare = r["Done without dates"]
    assert (bare.done, bare.completed_at, bare.created_at) == (True, None, None)
    assert r["Low enough"].priority == "low"
    assert r["(a) lowercase is not a priority"].priority is None
    assert not r["X is not done either"].done
    assert r["[urgent] brackets are text"].tags == ("work-home",)
    assert r["Email bob about and due:tomorrow"].tags == ("project",)
    assert r["Email bob about and due:tomorrow"].due is None
    assert r["Bad pri pri:urgent"].priority is None
    mine = r["Mine"]
    assert (mine.number, mine.day_only, mine.created_at) == (41, True, local(2026, 11, 3, time()))
    assert (r["Two ids id:1 and id:x"].number, r["Two ids id:1 and id:x"].day_only) == (42, False)
    assert [(rec.number, rec.day_only) for rec in parsed.records][:2] == [(None, False)] * 2
    assert parsed.skipped == [Skipped(12, "empty title")]
    # The same line twice is one item: one key (the store skips the second).
    same = [rec.key for rec in parsed.records if rec.title == "Same line"]
    assert len(same) == 2
    assert same[0] == same[1]
    assert [rec.key for rec in parse(text).records] == [rec.key for rec in parsed.records]
    # The key is of the line's content, not its position.
    assert parse("\n\n" + text).records[0].key == first.key


# --- csv ----------------------------------------------------------------------------


def test_csv_export_exact() -> None:
    todos = [
        todo(
            7,
            'Say "hi", then leave',
            priority="high",
            due=datetime(2026, 12, 1, 22, 59, 59, tzinfo=UTC),
            tags=("a", "b.c"),
            note="two\nlines",
            created_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
            updated_at=datetime(2026, 11, 2, 9, 0, 0, 5, tzinfo=UTC),
        ),
        todo(
            8,
            "Done",
            done=True,
            created_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
            updated_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
            completed_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
        ),
    ]
    assert written(todos, "csv") == (
        "number,title,done,priority,due,tags,note,created_at,updated_at,completed_at,every,until,wait,wait_before\r\n"
        '7,"Say ""hi"", then leave",false,high,2026-12-01T22:59:59.000000Z,a b.c,"two\nlines",'
        "2026-11-01T09:00:00.000000Z,2026-11-02T09:00:00.000005Z,,,,,\r\n"
        "8,Done,true,,,,,2026-11-01T09:00:00.000000Z,2026-11-03T09:00:00.000000Z,"
        "2026-11-03T09:00:00.000000Z,,,,\r\n"
    )
    assert written([], "csv") == (
        "number,title,done,priority,due,tags,note,created_at,updated_at,completed_at,every,until,wait,wait_before\r\n"
    )


# --- taskwarrior (without the binary) ---------------------------------------------


def test_taskwarrior_one_object_per_line_and_statuses() -> None:
    lines = [
        {
            "uuid": "E0FAEE6F-9625-4455-BF11-479AFC8D7482",
            "description": "Waiting",
            "status": "waiting",
        },
        {"description": "No uuid", "status": "pending", "entry": "20261125T114041Z"},
        {"description": "Odd", "status": "someday", "uuid": str(uuid.uuid4())},
        {"description": "Custom pri", "status": "pending", "priority": "U"},
        {"description": "x", "status": "pending", "project": "My Project", "tags": ["@home"]},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n"
    parsed = parse(text)
    assert parsed.format == "taskwarrior"
    waiting, no_uuid, projected = parsed.records
    # A task's uuid, with its version digit as a letter (records.uuid_key),
    # and as plain hex, the key earlier releases gave it.
    assert waiting == Record(
        title="Waiting", key="e0faee6f9625k455bf11479afc8d7482",
        alias="e0faee6f96254455bf11479afc8d7482",
    )  # fmt: skip
    assert key_uuid(waiting.key) == uuid.UUID("E0FAEE6F-9625-4455-BF11-479AFC8D7482")
    assert key_uuid(waiting.alias or "") is None
    assert no_uuid.created_at == datetime(2026, 11, 25, 11, 40, 41, tzinfo=UTC)
    assert len(no_uuid.key) == 32
    assert no_uuid.key == parse(text).records[1].key
    assert projected.tags == ("My-Project", "home")
    assert parsed.skipped == [
        Skipped(3, "unknown taskwarrior status 'someday'"),
        Skipped(4, "invalid priority 'U' (taskwarrior's are H, M and L)"),
    ]


# --- detection and refusals ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "format"),
    [
        ('[{"title": "a"}]', "json"),
        ('\ufeff[\n  {"number": 1, "title": "a"}\n]\n', "json"),
        ('{"title": "a"}', "json"),
        ('[{"description": "a", "status": "pending"}]', "taskwarrior"),
        ('{"uuid": "x", "status": "pending"}\n{"entry": "y"}\n', "taskwarrior"),
        ("(A) Call mom", "todotxt"),
        ("[urgent] fix the roof", "todotxt"),
        ("{braces} are fine in todo.txt", "todotxt"),
        ("42", "todotxt"),
        # Empty exports import as nothing: `todo export` of a user with no todos.
        ("", "todotxt"),
        (" \n\n", "todotxt"),
        ("[]", "json"),
        ("[\n]\n", "json"),
    ],
)
def test_detect(text: str, format: str) -> None:
    assert detect(text) == format


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[{"title": "a"}, {"description": "b"}]',
            "cannot tell the format of this JSON: it holds todos with a title (our json) and "
            "taskwarrior tasks (see item 2); pass --format json, todotxt or taskwarrior",
        ),
        (
            '[{"title": "a", "uuid": "b"}]',
            "cannot tell the format of this JSON: it holds objects with both a title and "
            "taskwarrior fields (see item 1); pass --format json, todotxt or taskwarrior",
        ),
        (
            '[{"name": "a"}, 3]',
            "not a todo file: a JSON array of values, not of todos",
        ),
        (
            '[{"name": "a"}, {"title": "b"}]',
            "cannot tell the format of this JSON: it holds todos with a title (our json) and "
            "objects with neither a title nor a description (see item 1); "
            "pass --format json, todotxt or taskwarrior",
        ),
        (
            '[\n  {"title": "a"}\n  {"title": "b"}\n]',
            "the input is not valid JSON: Expecting ',' delimiter at line 3 column 3; "
            "fix the file, or pass --format todotxt if it is a todo.txt file",
        ),
        (
            '["a"',
            "the input is not valid JSON: Expecting ',' delimiter at line 1 column 5; "
            "fix the file, or pass --format todotxt if it is a todo.txt file",
        ),
    ],
)
def test_detect_refuses_with_advice(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        detect(text)
    assert caught.value.message == message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "format", "message"),
    [
        (
            '[{"description": "a", "status": "pending"}]',
            "json",
            "the input is a taskwarrior export, not json; pass --format taskwarrior",
        ),
        (
            '[{"title": "a"}]',
            "taskwarrior",
            "the input is our json export, not taskwarrior; pass --format json",
        ),
        (
            '[{"title": "a"}]',
            "todotxt",
            "the input is JSON (json), not todo.txt lines; pass --format json",
        ),
        (
            "(A) Call mom",
            "json",
            "the input is not JSON, so it is not a json export; pass --format todotxt if it is a todo.txt file",
        ),
        (
            "a,b",
            "csv",
            "cannot import format 'csv' (csv is for export only); use json, todotxt or taskwarrior",
        ),
        ("x", "xml", "cannot import format 'xml'; use json, todotxt or taskwarrior"),
        (
            '"just a string"',
            "json",
            "the input is not JSON, so it is not a json export; pass --format todotxt if it is a todo.txt file",
        ),
        (
            '{"a": 1} 7',
            "json",
            "the input is not valid JSON: Extra data at line 1 column 10; fix the file, or pass --format todotxt if it is a todo.txt file",
        ),
    ],
)
def test_parse_refuses_a_format_that_does_not_fit(text: str, format: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse(text, format)
    assert caught.value.message == message


def test_parse_with_format_and_empty_input() -> None:
    assert parse("", "todotxt") == Parsed("todotxt", [], [])
    assert parse("[]", "json") == Parsed("json", [], [])
    assert set(IMPORT_FORMATS) < set(EXPORT_FORMATS)


def test_write_refuses_unknown_format() -> None:
    out = io.StringIO()
    with pytest.raises(InvalidInputError, match="cannot export format 'xml'; use json, todotxt"):
        write(TODOS, "xml", out)
    assert out.getvalue() == ""


# --- the real peers -----------------------------------------------------------------


@pytest.fixture
def todotxt(tmp_path: Path) -> TodoTxt:
    return TodoTxt(tmp_path, keep_done=True)


PEER_TODOS = [
    todo(
        1,
        "Buy milk",
        priority="high",
        tags=("home", "shop"),
        due=local(2026, 12, 1, END_OF_DAY),
    ),
    todo(2, "Write report", priority="medium", tags=("work",), created_at=local(2026, 11, 2)),
    todo(3, "Call mom", priority="low", created_at=local(2026, 11, 3)),
    todo(
        4,
        "Pay rent",
        done=True,
        priority="high",
        tags=("home",),
        completed_at=local(2026, 11, 20),
        updated_at=local(2026, 11, 20),
    ),
    todo(5, "Read a book", created_at=local(2026, 11, 4)),
]


def test_todo_sh_reads_our_export(todotxt: TodoTxt) -> None:
    (todotxt.dir / "todo.txt").write_text(written(PEER_TODOS, "todotxt"))
    assert todotxt("ls") == (
        "1 (A) 2026-11-01 Buy milk +home +shop due:2026-12-01 id:1\n"
        "2 (B) 2026-11-02 Write report +work id:2\n"
        "3 (C) 2026-11-03 Call mom id:3\n"
        "5 2026-11-04 Read a book id:5\n"
        "4 x 2026-11-20 2026-11-01 Pay rent +home pri:A id:4\n"
        "--\n"
        "TODO: 5 of 5 tasks shown\n"
    )
    # The done todo is no longer (A) to todo.sh: its priority rides in pri:A.
    assert todotxt("listpri", "A") == (
        "1 (A) 2026-11-01 Buy milk +home +shop due:2026-12-01 id:1\n--\nTODO: 1 of 5 tasks shown\n"
    )
    assert todotxt("listproj") == "+home\n+shop\n+work\n"
    assert todotxt("ls", "+home") == (
        "1 (A) 2026-11-01 Buy milk +home +shop due:2026-12-01 id:1\n"
        "4 x 2026-11-20 2026-11-01 Pay rent +home pri:A id:4\n"
        "--\n"
        "TODO: 2 of 5 tasks shown\n"
    )


def test_we_read_what_todo_sh_writes(todotxt: TodoTxt) -> None:
    todotxt("-t", "add", "Water plants +garden @home due:2026-12-05")
    todotxt("-t", "add", "File taxes +admin")
    todotxt("pri", "1", "B")
    todotxt("pri", "2", "A")
    todotxt("do", "2")
    lines = (todotxt.dir / "todo.txt").read_text()
    # todo.sh dates the lines with `date`, in local time: the day it wrote.
    day = date.fromisoformat(lines.split()[1])
    assert lines.startswith(f"(B) {day} Water plants +garden @home due:2026-12-05\nx {day} {day}")
    created = datetime.combine(day, time(), tzinfo=IST).astimezone(UTC)  # its local midnight
    water, taxes = parse(lines).records
    assert water.title == "Water plants"
    assert (water.priority, water.tags, water.done) == ("medium", ("garden", "home"), False)
    assert water.due == local(2026, 12, 5, END_OF_DAY)
    assert water.created_at == created
    assert taxes.title == "File taxes"
    assert (taxes.done, taxes.priority, taxes.tags) == (True, None, ("admin",))
    assert taxes.completed_at == created
    assert taxes.created_at == created


@pytest.fixture
def task(tmp_path: Path) -> Task:
    """taskwarrior in the tests' zone, as on the machine of one person."""
    return Task(tmp_path, tz=ZONE)


def tw_time(raw: str) -> datetime:
    return datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def test_we_read_task_export(task: Task) -> None:
    task("add", "Buy milk", "due:2030-12-01", "priority:H", "+shop", "+home", "project:home.garden")
    task("add", "Write report", "priority:M", "due:2030-12-01T17:00:00Z")
    task("add", "Finished one", "+work")
    task("add", "Deleted one")
    task("add", "Weekly review", "due:2030-12-02", "recur:weekly")
    task("1", "annotate", "call the shop first")
    task("3", "done")
    task("4", "delete")
    text = task("export")
    raw = {
        t["description"] + ("*" if t["status"] == "recurring" else ""): t for t in json.loads(text)
    }
    assert {t["status"] for t in raw.values()} == {"pending", "completed", "deleted", "recurring"}

    parsed = parse(text)
    assert parsed.format == "taskwarrior"

    def expect(name: str, **fields: object) -> Record:
        t = raw[name]
        return Record(
            title=name,
            key=uuid_key(uuid.UUID(t["uuid"])),
            alias=uuid.UUID(t["uuid"]).hex,
            created_at=tw_time(t["entry"]),
            updated_at=tw_time(t["modified"]),
            **fields,  # type: ignore[arg-type]
        )

    # The day, in Kolkata, of the moment task wrote the annotation (now).
    note_day = f"{tw_time(raw['Buy milk']['annotations'][0]['entry']).astimezone(IST):%Y-%m-%d}"
    assert sorted(parsed.records, key=lambda r: r.title) == [
        expect(
            "Buy milk",
            priority="high",
            due=local(2030, 12, 1, END_OF_DAY),  # set as a day in task: its end, as ours
            tags=("home", "home.garden", "shop"),
            note=f"{note_day}: call the shop first",
        ),
        expect(
            "Finished one",
            done=True,
            tags=("work",),
            completed_at=tw_time(raw["Finished one"]["end"]),
        ),
        # One series: the pending instance, under its template's identity.
        Record(
            title="Weekly review",
            key=uuid_key(uuid.UUID(raw["Weekly review*"]["uuid"])),
            alias=uuid.UUID(raw["Weekly review*"]["uuid"]).hex,
            created_at=tw_time(raw["Weekly review"]["entry"]),
            updated_at=tw_time(raw["Weekly review"]["modified"]),
            due=local(2030, 12, 2, END_OF_DAY),
            every="1w",
        ),
        expect("Write report", priority="medium", due=datetime(2030, 12, 1, 17, tzinfo=UTC)),
    ]
    now = datetime.now(UTC)
    assert all(now - timedelta(minutes=5) < r.created_at <= now for r in parsed.records)  # type: ignore[operator]
    position = {name: i for i, name in enumerate(raw, 1)}
    # The template is folded into its instance: neither imported nor skipped.
    assert parsed.skipped == [Skipped(position["Deleted one"], "deleted in taskwarrior")]


def _stored(export: str) -> list[dict[str, object]]:
    """The tasks of an export without their urgency, which taskwarrior works
    out from the clock as it exports: an overdue task's moves every second,
    so two exports a second apart differ though nothing changed."""
    return [{k: v for k, v in t.items() if k != "urgency"} for t in json.loads(export)]


def test_task_import_takes_our_export_once(task: Task, tmp_path: Path) -> None:
    todos = [
        todo(
            1,
            "Buy milk ünd Brot",
            priority="high",
            due=datetime(2026, 12, 1, 17, 30, tzinfo=UTC),
            tags=("home.garden", "shop-1"),
            note="first line\n\nsecond line",
        ),
        todo(
            2,
            "Pay rent",
            done=True,
            priority="low",
            tags=("home",),
            completed_at=local(2026, 11, 20),
            updated_at=local(2026, 11, 20),
        ),
        todo(3, "Read a book"),
    ]
    path = tmp_path / "export.json"
    path.write_text(written(todos, "taskwarrior"))
    task("import", str(path))
    first = task("export")
    again = task("import", str(path))
    assert again.count(" skip ") == 3
    assert _stored(task("export")) == _stored(first)

    parsed = parse(first)
    assert parsed.skipped == []
    got = sorted(parsed.records, key=lambda r: r.title)
    assert [(r.title, r.priority, r.done, r.tags, r.due) for r in got] == [
        ("Buy milk ünd Brot", "high", False, ("home.garden", "shop-1"), todos[0].due),
        ("Pay rent", "low", True, ("home",), None),
        ("Read a book", None, False, (), None),
    ]
    assert got[1].completed_at == todos[1].completed_at.replace(microsecond=0)  # type: ignore[union-attr]
    # Updated at noon on 2 November in Kolkata: the notes' day.
    assert got[0].note == "2026-11-02: first line\n2026-11-02: second line"
    # A todo that went to taskwarrior and back has, as its alias, the key
    # our json gives it.
    ours = {r.title: r.key for r in parse(written(todos, "json")).records}
    assert {r.title: r.alias for r in got} == ours
