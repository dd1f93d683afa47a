"""todo_cli.classes: frozen dataclasses and named tuples made without the
dataclasses and typing modules behave as the real ones do, for every
feature todo uses. Each case is run on both: the real one is the oracle."""

from __future__ import annotations

import dataclasses
import typing
from types import SimpleNamespace
from typing import Any

import pytest

from todo_cli import classes
from todo_cli.todo import Event, NewTodo, Todo

REAL = SimpleNamespace(
    dataclass=dataclasses.dataclass,
    field=dataclasses.field,
    fields=dataclasses.fields,
    replace=dataclasses.replace,
    asdict=dataclasses.asdict,
    NamedTuple=typing.NamedTuple,
)
OURS = SimpleNamespace(
    dataclass=classes.dataclass,
    field=classes.field,
    fields=classes.fields,
    replace=classes.replace,
    asdict=classes.asdict,
    NamedTuple=classes.NamedTuple,
)


def make(kit: SimpleNamespace) -> SimpleNamespace:
    @kit.dataclass(frozen=True)
    class Item:
        id: int
        title: str
        tags: tuple[str, ...] = ()
        rows: list[int] = kit.field(default_factory=list, repr=False, compare=False)
        seen: str | None = kit.field(default=None, compare=False)

        def label(self) -> str:
            return f"{self.id}: {self.title}"

    @kit.dataclass(frozen=True, kw_only=True)
    class Extended(Item):
        key: str
        alias: str | None = None

    @kit.dataclass
    class Mutable:
        count: int = 0

    base: Any = kit.NamedTuple

    class Pair(base):  # type: ignore[misc]
        left: int
        right: str | None = None

        def both(self) -> str:
            return f"{self.left}/{self.right}"

    return SimpleNamespace(Item=Item, Extended=Extended, Mutable=Mutable, Pair=Pair)


BOTH = [pytest.param(REAL, id="dataclasses"), pytest.param(OURS, id="classes")]


def outcome(call: Any) -> Any:
    """What a call gives: its value, or the kind of error it raises."""
    try:
        return call()
    except AttributeError:  # FrozenInstanceError is one
        return "AttributeError"
    except TypeError:
        return "TypeError"


def behaviour(kit: SimpleNamespace) -> dict[str, Any]:
    k = make(kit)
    a = k.Item(1, "milk", ("x",), [1], "now")
    b = k.Item(id=1, title="milk", tags=("x",))
    e = k.Extended(2, "bank", key="k1")
    p = k.Pair(3)
    m = k.Mutable()
    m.count = 5
    return {
        "repr": repr(a),
        "repr default": repr(k.Item(2, "b")),
        "eq ignores compare=False": a == b,
        "ne": a != k.Item(1, "bread"),
        "hash": hash(a) == hash(b),
        "fresh factory": k.Item(1, "a").rows is not k.Item(1, "a").rows,
        "method": a.label(),
        "frozen set": outcome(lambda: setattr(a, "title", "x")),
        "frozen del": outcome(lambda: delattr(a, "title")),
        "frozen is AttributeError": outcome(lambda: setattr(a, "id", 2)) == "AttributeError",
        "missing": outcome(lambda: k.Item(1)),
        "unknown": outcome(lambda: k.Item(1, "a", colour="red")),
        "too many": outcome(lambda: k.Item(1, "a", (), [], None, 9)),
        "twice": outcome(lambda: k.Item(1, "a", title="b")),
        "fields": [f.name for f in kit.fields(k.Item)],
        "fields of instance": [f.name for f in kit.fields(a)],
        "replace": repr(kit.replace(a, title="oat milk")),
        "replace keeps uncompared": kit.replace(a, title="x").seen,
        "class default": k.Item.tags,
        "extended repr": repr(e),
        "extended fields": [f.name for f in kit.fields(k.Extended)],
        "kw_only positional": outcome(lambda: k.Extended(2, "bank", (), [], None, "k1")),
        "kw_only required": outcome(lambda: k.Extended(2, "bank")),
        "extended eq": e == k.Extended(id=2, title="bank", key="k1"),
        "extended vs base": e == k.Item(2, "bank"),
        "mutable": (m.count, repr(m), m == k.Mutable(5)),
        "unhashable": outcome(lambda: hash(m)),
        "tuple": (p, p == (3, None), isinstance(p, tuple), p.both(), repr(p)),
        "tuple fields": (k.Pair._fields, k.Pair._field_defaults),
        "tuple replace": p._replace(right="r"),
        "tuple frozen": outcome(lambda: setattr(p, "left", 1)),
        "tuple qualname": k.Pair.__qualname__.rsplit(".", 1)[-1],
        "tuple annotations": list(k.Pair.__annotations__),
        "asdict": kit.asdict(a),
        "asdict nested": kit.asdict(k.Mutable(count=[k.Item(4, "n")])),
        "asdict of extended": kit.asdict(e),
    }


def test_the_records_behave_as_dataclasses_and_named_tuples() -> None:
    ours, real = behaviour(OURS), behaviour(REAL)
    assert ours == real
    # The oracle itself, written out where a slip would hide.
    assert real["repr"] == "make.<locals>.Item(id=1, title='milk', tags=('x',), seen='now')"
    assert real["eq ignores compare=False"] is True
    assert real["frozen is AttributeError"] is True
    assert real["kw_only positional"] == real["missing"] == "TypeError"
    assert real["extended fields"] == ["id", "title", "tags", "rows", "seen", "key", "alias"]
    assert real["asdict"] == {"id": 1, "title": "milk", "tags": ("x",), "rows": [1], "seen": "now"}
    assert real["asdict nested"] == {
        "count": [{"id": 4, "title": "n", "tags": (), "rows": [], "seen": None}]
    }


@pytest.mark.parametrize("kit", BOTH)
def test_frozen_records_refuse_assignment(kit: SimpleNamespace) -> None:
    item = make(kit).Item(1, "milk")
    with pytest.raises(dataclasses.FrozenInstanceError if kit is REAL else AttributeError):
        item.title = "bread"
    assert item.title == "milk"


def test_todo_records_keep_their_meaning() -> None:
    """The todo's own records, as the store and formats use them."""
    new = NewTodo("Call the bank", tags=("home",))
    assert new == NewTodo(title="Call the bank", tags=("home",))
    assert new.priority is None
    assert new.done is False
    assert classes.replace(new, done=True).done is True
    assert [f.name for f in classes.fields(NewTodo)][:3] == ["title", "priority", "due"]
    with pytest.raises(AttributeError):
        new.title = "x"  # type: ignore[misc]
    event = Event(1, None, "add", (3,), ("Milk",), None)  # type: ignore[arg-type]
    assert event == classes.replace(event, title_now="Oat milk", rows=[{"x": 1}])
    assert hash(event) == hash(Event(1, None, "add", (3,), ("Milk",), None))  # type: ignore[arg-type]
    assert event.summary == "3: Milk"
    assert "rows" not in repr(event)
    assert "title_now=None" in repr(event)
    assert Todo._fields[:3] == ("number", "title", "done")
    assert Todo._field_defaults["owner"] is None
