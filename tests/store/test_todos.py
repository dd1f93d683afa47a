"""The data layer on both backends (in-process; PostgreSQL rolls back per test)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.sessions import OpenSession
from todo_cli.errors import InvalidInputError, NotFoundError
from todo_cli.store import changes, listing, todos


def test_add_numbers_per_user_and_never_reused(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        assert [todos.add(s, title=t).number for t in ("a", "b", "c")] == [1, 2, 3]
    with open_session("bob") as s:
        assert todos.add(s, title="bob's").number == 1
    with open_session("alice") as s:
        changes.remove(s, numbers=[3])
        assert todos.add(s, title="d").number == 4


def test_add_returns_utc_aware_timestamps(open_session: OpenSession) -> None:
    before = datetime.now(UTC)
    with open_session("alice") as s:
        t = todos.add(s, title="  Call the bank  ")
    assert t.title == "Call the bank"
    assert t.done is False
    assert t.completed_at is None
    assert t.created_at.tzinfo is not None
    assert t.created_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= t.created_at <= datetime.now(UTC)
    with open_session("alice") as s:
        (listed,) = listing.list_todos(s)
    assert listed == t


@pytest.mark.parametrize(
    "title",
    [
        "x" * 500,
        "émoji 🎉 ok",
        "quote ' \" back\\slash % _",
        "'; DROP TABLE todos; --",
        "-leading dash",
    ],
)
def test_titles_round_trip_exactly(open_session: OpenSession, title: str) -> None:
    with open_session("alice") as s:
        todos.add(s, title=title)
    with open_session("alice") as s:
        assert [t.title for t in listing.list_todos(s)] == [title]


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "the title is empty"),
        ("   ", "the title is empty"),
        ("x" * 501, "the title is 501 characters; the limit is 500"),
        ("a\nb", "control character (U+000A)"),
        ("a\x00b", "control character (U+0000)"),
    ],
)
def test_bad_titles_are_rejected_and_nothing_is_written(
    open_session: OpenSession, title: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)), open_session("alice") as s:
        todos.add(s, title=title)
    with open_session("alice") as s:
        assert listing.list_todos(s, status="all") == []


def test_list_filters_and_orders_by_number(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        for title in ("one", "two", "three"):
            todos.add(s, title=title)
        changes.complete(s, numbers=[2])
    with open_session("alice") as s:
        assert [t.number for t in listing.list_todos(s)] == [1, 3]
        assert [t.number for t in listing.list_todos(s, status="done")] == [2]
        assert [t.number for t in listing.list_todos(s, status="all")] == [1, 2, 3]


def test_complete_is_atomic_and_names_missing_numbers(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add(s, title="one")
        todos.add(s, title="two")
    missing = "no todos numbered 7, 9; nothing was changed"
    with pytest.raises(NotFoundError, match=missing), open_session("alice") as s:
        changes.complete(s, numbers=[1, 7, 2, 9])
    with open_session("alice") as s:
        assert [t.done for t in listing.list_todos(s, status="all")] == [False, False]


def test_complete_twice_keeps_first_completion_time(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add(s, title="one")
        ((first, newly),) = changes.complete(s, numbers=[1]).todos
    assert newly is True
    assert first.completed_at is not None
    with open_session("alice") as s:
        ((again, newly),) = changes.complete(s, numbers=[1, 1]).todos
    assert newly is False
    assert again.completed_at == first.completed_at


def test_remove_is_atomic(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add(s, title="one")
        todos.add(s, title="two")
    with pytest.raises(NotFoundError, match="no todo numbered 3"), open_session("alice") as s:
        changes.remove(s, numbers=[1, 3])
    with open_session("alice") as s:
        removed = changes.remove(s, numbers=[2, 1]).items
        assert [t.number for t in removed] == [2, 1]
        assert listing.list_todos(s, status="all") == []


def test_users_are_isolated(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add(s, title="alice secret")
        todos.add(s, title="alice two")
    with open_session("bob") as s:
        todos.add(s, title="bob's")
        assert [t.title for t in listing.list_todos(s, status="all")] == ["bob's"]
        with pytest.raises(NotFoundError):
            changes.complete(s, numbers=[2])
        with pytest.raises(NotFoundError):
            changes.remove(s, numbers=[2])
    with open_session("mallory") as s:
        assert listing.list_todos(s, status="all") == []
        with pytest.raises(NotFoundError):
            todos.find(s, numbers=[1])
    with open_session("alice") as s:
        assert [(t.title, t.done) for t in listing.list_todos(s, status="all")] == [
            ("alice secret", False),
            ("alice two", False),
        ]


def test_unscoped_sql_is_refused(open_session: OpenSession) -> None:
    with open_session("alice") as s, pytest.raises(AssertionError, match="unscoped statement"):
        s.execute("SELECT * FROM todos")


def test_add_many_numbers_consecutively_and_is_idempotent(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add(s, title="first")
        added = todos.add_many(s, titles=["a", " b ", "c"], request_id="r" * 32)
    assert [(t.number, t.title) for t in added] == [(2, "a"), (3, "b"), (4, "c")]
    with open_session("alice") as s:  # the same request again: a retry after a lost COMMIT
        again = todos.add_many(s, titles=["a", " b ", "c"], request_id="r" * 32)
        assert again == added
        assert todos.add(s, title="next").number == 5


def test_add_many_is_all_or_nothing(open_session: OpenSession) -> None:
    with pytest.raises(InvalidInputError), open_session("alice") as s:
        todos.add_many(s, titles=["fine", "x" * 501])
    with open_session("alice") as s:
        assert listing.list_todos(s, status="all") == []


def test_iter_todos_filters_and_limits(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add_many(s, titles=[f"t{i}" for i in range(1, 8)])
        changes.complete(s, numbers=[2, 5])
        f = listing.Filter
        assert [t.number for t in listing.iter_todos(s, filter=f(), sort="number")] == [
            1,
            3,
            4,
            6,
            7,
        ]
        everything = listing.iter_todos(s, filter=f(status="all"), sort="number")
        assert [t.number for t in everything] == list(range(1, 8))
        limited = listing.iter_todos(s, filter=f(), sort="number", limit=3)
        assert [t.number for t in limited] == [1, 3, 4]
        done = listing.iter_todos(s, filter=f(status="done"), sort="number", reverse=True)
        assert [t.number for t in done] == [5, 2]


def test_page_counts_everything_but_returns_a_screenful(open_session: OpenSession) -> None:
    with open_session("alice") as s:
        todos.add_many(s, titles=[f"t{i}" for i in range(1, 11)])
        changes.complete(s, numbers=[1])
        items, total = listing.page(s, filter=listing.Filter(), limit=3)
        assert ([t.number for t in items], total) == ([2, 3, 4], 9)
        assert listing.page(s, filter=listing.Filter(status="done"), limit=3)[1] == 1
    with open_session("bob") as s:
        assert listing.page(s, filter=listing.Filter(), limit=3) == ([], 0)
