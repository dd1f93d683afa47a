"""The store reads the columns of todos, and their kinds, from the schema
at head (store/sqlite.sql); the modules that copy a row whole (add's batch,
the journal, undo, the next instance) take them from there."""

from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Integer, SmallInteger, String, Text
from sqlmodel import SQLModel

from todo_cli import models  # noqa: F401  (its tables, in SQLModel.metadata)
from todo_cli.store import recurring, todo_columns, todos

_KIND_OF = {
    SmallInteger: "smallint",
    Integer: "integer",
    Boolean: "boolean",
    Text: "text",
    String: "text",
    DateTime: "timestamptz",
}


def _kind(column_type: object) -> str:
    for sql_type, kind in _KIND_OF.items():
        if isinstance(column_type, sql_type):
            return kind
    impl = getattr(column_type, "impl", None)  # UTCDateTime decorates DateTime
    return _kind(impl) if impl is not None else "?"


def test_the_columns_are_the_models_but_the_keys_and_added_by() -> None:
    table = SQLModel.metadata.tables["todos"]
    expected = {
        c.name: _kind(c.type) for c in table.columns if c.name not in ("id", "user_id", "added_by")
    }
    assert todo_columns.kinds() == expected


def test_the_kinds_as_written_out() -> None:
    kinds = todo_columns.kinds()
    assert kinds["title"] == "text"
    assert kinds["done"] == "boolean"
    assert kinds["priority"] == "smallint"
    assert kinds["due"] == "timestamptz"
    assert kinds["wait_lead"] == "integer"
    assert "added_by" not in kinds
    assert todo_columns.later() == {
        "every",
        "anchor",
        "clock",
        "until",
        "wait",
        "wait_lead",
        "series",
        "continued",
    }


def test_a_next_instance_copies_what_it_does_not_have_of_its_own() -> None:
    assert recurring._copied() == [
        "title",
        "priority",
        "note",
        "every",
        "anchor",
        "clock",
        "until",
        "wait_lead",
        "series",
    ]


def test_the_batch_of_an_add_carries_each_value_under_its_column_name() -> None:
    from datetime import UTC, datetime

    from todo_cli.todo import NewTodo

    due = datetime(2026, 12, 3, 22, 59, 59, 999999, tzinfo=UTC)
    batch = todos.items_json(
        "postgresql",
        [NewTodo("Call the bank", priority="high", due=due, tags=("home",), wait_lead=86400)],
        ["r1"],
        [7],
    )
    assert batch == (
        '[{"request_id": "r1", "number": 7, "title": "Call the bank", "priority": 1, '
        '"due": "2026-12-03T22:59:59.999999+00:00", "tags": ["home"], '
        '"wait": "2026-12-02T22:59:59.999999+00:00", "wait_lead": 86400}]'
    )
