"""One SQL text for both drivers: :name parameters rewritten for psycopg2,
values adapted per backend, and the JSON writer that must match json.dumps
byte for byte. No database here."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from todo_cli.shapes import iso, json_array, todo_dict, todo_json
from todo_cli.store.rows import to_todo_text
from todo_cli.store.sql import adapt, read_time, sqlite_time, to_pyformat
from todo_cli.todo import Todo, TodoText


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT :me", "SELECT %(me)s"),
        ("WHERE a = :a AND b = :b_2", "WHERE a = %(a)s AND b = %(b_2)s"),
        # Casts, colons and percent signs inside literals and names stay.
        ("SELECT CAST(:x AS int), :y::text", "SELECT CAST(%(x)s AS int), %(y)s::text"),
        ("SELECT 'HH24:MI:SS', :t", "SELECT 'HH24:MI:SS', %(t)s"),
        ("SELECT 'it''s :not a param'", "SELECT 'it''s :not a param'"),
        ('SELECT "odd:name" FROM t', 'SELECT "odd:name" FROM t'),
        # Every % is doubled for psycopg2, in a literal too.
        ("WHERE title LIKE '%x%' AND n % 2 = :r", "WHERE title LIKE '%%x%%' AND n %% 2 = %(r)s"),
        ("SELECT ':a' || :b || ':c'", "SELECT ':a' || %(b)s || ':c'"),
    ],
)
def test_named_parameters_become_pyformat(sql: str, expected: str) -> None:
    assert to_pyformat(sql) == expected


def test_pyformat_text_becomes_the_sql_written() -> None:
    """psycopg2 fills %(name)s with Python's % and turns %% back into %."""
    sql = to_pyformat("SELECT 'a:b %', :v, '100%'")
    assert sql % {"v": "'x'"} == "SELECT 'a:b %', 'x', '100%'"


def test_dollar_quotes_are_refused() -> None:
    with pytest.raises(ValueError, match="dollar-quoted"):
        to_pyformat("DO $$ BEGIN END $$")


def test_sqlite_takes_the_same_text_with_literals_left_alone() -> None:
    conn = sqlite3.connect(":memory:")
    row = conn.execute("SELECT 'HH24:MI:SS', :x, '50%'", {"x": 7}).fetchone()
    assert row == ("HH24:MI:SS", 7, "50%")


def test_values_are_adapted_per_backend() -> None:
    moment = datetime(2026, 11, 25, 9, 12, 0, 5, tzinfo=timezone(timedelta(hours=1)))
    params = {"when": moment, "numbers": [3, 1], "title": "x", "none": None}
    assert adapt("sqlite", params) == {
        "when": "2026-11-25 08:12:00.000005",
        "numbers": "[3, 1]",
        "title": "x",
        "none": None,
    }
    pg = adapt("postgresql", params)
    assert pg["when"] == moment
    assert pg["when"].tzinfo is UTC
    assert pg["numbers"] == [3, 1]
    with pytest.raises(ValueError, match="timezone-aware"):
        adapt("sqlite", {"when": datetime(2026, 1, 1)})


def test_sqlite_times_read_back_as_written() -> None:
    moment = datetime(2026, 11, 25, 9, 12, 0, 123456, tzinfo=UTC)
    assert read_time("sqlite")(sqlite_time(moment)) == moment
    # Written by an older release without microseconds: still UTC.
    assert read_time("sqlite")("2026-01-02 03:04:05") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert read_time("sqlite")(None) is None


# --- the JSON shape, fast and exact --------------------------------------------------

moments = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
todos = st.builds(
    Todo,
    number=st.integers(1, 2**31 - 1),
    title=texts,
    done=st.booleans(),
    priority=st.sampled_from([None, "high", "medium", "low"]),
    due=st.none() | moments,
    # Tags as clean_tag lets them be: no commas, which the store joins them with.
    tags=st.lists(st.from_regex(r"[^\W_][\w.-]{0,8}", fullmatch=True), max_size=3, unique=True).map(
        lambda t: tuple(sorted(t))
    ),
    note=st.none() | texts,
    created_at=moments,
    updated_at=moments,
    completed_at=st.none() | moments,
    every=st.none() | texts,
    until=st.none() | moments,
    wait=st.none() | moments,
    wait_lead=st.none() | st.integers(1, 10**7).map(lambda n: n * 3600),
    owner=st.none() | texts,
)


@settings(max_examples=300, deadline=None)
@given(todos)
def test_todo_json_is_json_dumps_byte_for_byte(todo: Todo) -> None:
    expected = json.dumps(todo_dict(todo), ensure_ascii=False, indent=2)
    assert todo_json(todo) == expected
    # As text read from SQLite, formatted without Python's datetime.
    row = (
        todo.number,
        todo.title,
        int(todo.done),
        {"high": 1, "medium": 2, "low": 3}.get(todo.priority or ""),
        *(sqlite_time(t) if t else None for t in (todo.due,)),
        ",".join(todo.tags) or None,
        todo.note,
        sqlite_time(todo.created_at),
        sqlite_time(todo.updated_at),
        sqlite_time(todo.completed_at) if todo.completed_at else None,
        todo.every,
        sqlite_time(todo.until) if todo.until else None,
        sqlite_time(todo.wait) if todo.wait else None,
        todo.wait_lead,
        todo.owner,
    )
    text = to_todo_text("sqlite")(row)
    assert todo_json(text) == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(todos, max_size=5))
def test_json_array_is_json_dumps_of_the_list(items: list[Todo]) -> None:
    import io

    out = io.StringIO()
    assert json_array(items, out) == len(items)
    expected = json.dumps([todo_dict(t) for t in items], ensure_ascii=False, indent=2) + "\n"
    assert out.getvalue() == expected


def test_iso_is_utc_with_microseconds() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert iso(datetime(2026, 1, 1, 2, 0, tzinfo=plus_two)) == "2026-01-01T00:00:00.000000Z"
    assert iso(datetime(2026, 1, 1, 0, 0, 0, 7, tzinfo=UTC)) == "2026-01-01T00:00:00.000007Z"
    assert iso(None) is None
    text = TodoText(1, "t", False, None, None, (), None, "a", "b", None)
    assert todo_json(text).endswith(
        '"completed_at": null,\n  "every": null,\n  "until": null,\n  "wait": null,\n  "wait_before": null,\n  "owner": null\n}'
    )
