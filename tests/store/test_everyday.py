"""Priorities, due dates, tags, notes, edit, reopen, filters and sorting, on both backends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.sessions import OpenSession
from todo_cli import todo as fields
from todo_cli.errors import InvalidInputError, NotFoundError
from todo_cli.store import changes, listing, todos

NOW = datetime.now(UTC).replace(microsecond=0)
YESTERDAY, TOMORROW, NEXT_WEEK = (
    NOW - timedelta(days=1),
    NOW + timedelta(days=1),
    NOW + timedelta(days=7),
)


def numbers(items: Iterable[fields.Todo]) -> list[int]:
    return [t.number for t in items]


@pytest.fixture
def seeded(open_session: OpenSession) -> OpenSession:
    """1 plain, 2 high+tomorrow+work, 3 low+overdue, 4 medium+next week+home,work, 5 done."""
    with open_session("alice") as s:
        todos.add_many(
            s,
            todos=[
                fields.NewTodo("Buy milk"),
                fields.NewTodo("Write report", priority="high", due=TOMORROW, tags=("work",)),
                fields.NewTodo("Pay 100% of the_bill", priority="low", due=YESTERDAY),
                fields.NewTodo(
                    "Fix ÄPFEL cart", "medium", NEXT_WEEK, ("home", "work"), "two\nlines"
                ),
                fields.NewTodo("Old thing"),
            ],
        )
        changes.complete(s, numbers=[5])
    return open_session


def test_new_fields_round_trip(seeded: OpenSession) -> None:
    with seeded("alice") as s:
        (t,) = todos.find(s, numbers=[4])
    assert (t.priority, t.due, t.tags, t.note) == (
        "medium",
        NEXT_WEEK,
        ("home", "work"),
        "two\nlines",
    )
    assert t.due is not None
    assert t.due.tzinfo is not None


def test_default_order_is_overdue_priority_due_number(seeded: OpenSession) -> None:
    with seeded("alice") as s:
        assert numbers(listing.iter_todos(s, filter=listing.Filter())) == [3, 2, 4, 1]
        all_ = listing.Filter(status="all")
        assert numbers(listing.iter_todos(s, filter=all_)) == [3, 2, 4, 1, 5]


@pytest.mark.parametrize("status", ["open", "all"])
def test_default_page_is_the_head_of_the_full_order(
    open_session: OpenSession, status: listing.Status
) -> None:
    """page() picks candidates from two index-ordered branches (listing._candidates);
    whatever the mix of overdue and not, its page is the head of the full order."""
    days: list[int | None] = [-3, -1, 1, 2, None]
    new = [
        fields.NewTodo(
            f"t{i}",
            priority=[None, "high", "medium", "low"][i % 4],
            due=None if (d := days[i % 5]) is None else NOW + timedelta(days=d, hours=i),
        )
        for i in range(40)
    ]
    with open_session("alice") as s:
        todos.add_many(s, todos=new)
        changes.complete(s, numbers=[2, 5, 11])
        flt = listing.Filter(status=status)
        everything = numbers(listing.iter_todos(s, filter=flt))
        for limit in (1, 3, 7, 16, 30, 45):
            items, total = listing.page(s, filter=flt, limit=limit)
            assert (numbers(items), total) == (everything[:limit], len(everything)), limit


@pytest.mark.parametrize(
    ("sort", "reverse", "expected"),
    [
        ("number", False, [1, 2, 3, 4]),
        ("number", True, [4, 3, 2, 1]),
        ("due", False, [3, 2, 4, 1]),
        ("priority", False, [2, 4, 3, 1]),
        ("created", False, [1, 2, 3, 4]),
    ],
)
def test_sort_orders(
    seeded: OpenSession, sort: listing.Sort, reverse: bool, expected: list[int]
) -> None:
    with seeded("alice") as s:
        items = listing.iter_todos(s, filter=listing.Filter(), sort=sort, reverse=reverse)
        assert numbers(items) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (listing.Filter(tags=("work",)), [2, 4]),
        (listing.Filter(tags=("work", "home")), [4]),
        (listing.Filter(tags=("nope",)), []),
        (listing.Filter(priority="high"), [2]),
        (listing.Filter(overdue=True), [3]),
        (listing.Filter(due_before=NOW + timedelta(days=2)), [3, 2]),
        (listing.Filter(search="MILK"), [1]),
        (listing.Filter(search="100%"), [3]),
        (listing.Filter(search="0% of"), [3]),
        (listing.Filter(search="%"), [3]),
        (listing.Filter(search="the_bill"), [3]),
        (listing.Filter(search="e_b"), [3]),
        (listing.Filter(search="_"), [3]),
        (listing.Filter(search="äpfel"), [4]),
        (listing.Filter(status="done", search="old"), [5]),
    ],
)
def test_filters(seeded: OpenSession, flt: listing.Filter, expected: list[int]) -> None:
    with seeded("alice") as s:
        assert numbers(listing.iter_todos(s, filter=flt)) == expected
        assert listing.page(s, filter=flt, limit=1)[1] == len(expected)


def test_filters_never_cross_users(seeded: OpenSession) -> None:
    with seeded("bob") as s:
        todos.add(s, title="bob's work", tags=("work",), priority="high")
        assert numbers(listing.iter_todos(s, filter=listing.Filter(tags=("work",)))) == [1]
        assert numbers(listing.iter_todos(s, filter=listing.Filter(overdue=True))) == []


def test_edit_changes_fields_and_tags(seeded: OpenSession) -> None:
    with seeded("alice") as s:
        (t,) = changes.edit(s, numbers=[4], title="Fix cart", priority=None, due=None, note=None,
                          add_tags=["urgent"], remove_tags=["home"])  # fmt: skip
    assert (t.title, t.priority, t.due, t.note, t.tags) == (
        "Fix cart",
        None,
        None,
        None,
        ("urgent", "work"),
    )
    assert t.updated_at > t.created_at


def test_edit_many_at_once_and_atomically(seeded: OpenSession) -> None:
    with seeded("alice") as s:
        edited = changes.edit(s, numbers=[1, 2, 3], priority="low", add_tags=["batch"])
        assert [(t.priority, "batch" in t.tags) for t in edited] == [("low", True)] * 3
    with pytest.raises(NotFoundError, match="no todo numbered 9"), seeded("alice") as s:
        changes.edit(s, numbers=[1, 9], priority="high")
    with seeded("alice") as s:
        assert todos.find(s, numbers=[1])[0].priority == "low"
    with (
        pytest.raises(InvalidInputError, match="--title changes one todo at a time"),
        seeded("alice") as s,
    ):
        changes.edit(s, numbers=[1, 2], title="same")


def test_reopen_undoes_done(seeded: OpenSession) -> None:
    with seeded("alice") as s:
        ((t, newly),) = changes.reopen(s, numbers=[5]).todos
        assert (t.done, t.completed_at, newly) == (False, None, True)
        ((_, newly),) = changes.reopen(s, numbers=[5]).todos
        assert newly is False


def test_remove_reports_tags_of_removed_todos(seeded: OpenSession) -> None:
    with seeded("alice") as s:
        (gone,) = changes.remove(s, numbers=[4]).items
        assert gone.tags == ("home", "work")


@pytest.mark.parametrize("raw", ["", "a b", "x,y", "-lead", "#", "a" * 65])
def test_bad_tags(raw: str) -> None:
    with pytest.raises(InvalidInputError):
        fields.clean_tag(raw)


@pytest.mark.parametrize(
    ("raw", "word"), [("h", "high"), ("M", "medium"), ("low", "low"), ("none", None)]
)
def test_priority_words(raw: str, word: str | None) -> None:
    assert fields.parse_priority(raw) == word
