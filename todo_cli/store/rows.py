"""A row of `todos` as the store selects it, and back into a todo.

The select list is made from the record's field names (todo.Todo,
todo.TodoText): each field is `todos.<its name>`, unless EXPRESSIONS says
how it is computed, and every column is selected AS the field it fills.
A row is decoded by those names: each field is read from the column of
its name, converted by the kind of value it holds (a timestamp, a flag,
the tags, a priority), so a field added to the record and the schema
needs no edit here.

columns() is the select list of every query of todos; to_todo() reads
it. A long JSON listing selects text_columns() instead, and to_todo_text()
keeps the timestamps as the ISO text the JSON shape writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from todo_cli.store.sql import MINE, Scope
from todo_cli.todo import PRIORITY_NAMES, Todo, TodoText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.store.sql import Backend

_TAG_LIST = {
    "postgresql": "string_agg(g.tag, ',' ORDER BY g.tag)",
    "sqlite": "group_concat(g.tag, ',')",
}
# The owner's name of a todo shared with me, whoever's it is (list --shared).
SHARER = (
    "(SELECT max(s.owner_name) FROM shares s WHERE s.owner_id = todos.user_id "
    "AND s.grantee_name = :me)"
)
# Fields of the record that are not a column of todos of the same name.
_SOURCE = "source"  # the request id, only where a reader asks (Todo.source)
# The fields columns() selects, in order: every field of Todo but source.
SELECTED: tuple[str, ...] = tuple(f for f in Todo._fields if f != _SOURCE)
# How many columns columns() selects: a query may add its own after them.
WIDTH = len(SELECTED)


def _kinds(record: type) -> dict[str, str]:
    """Each field's kind, from the record's annotations: 'time', 'flag',
    'tags', 'priority' or 'plain' (kept as the driver gives it).

    The annotations are read as the text todo.py writes them (it has `from
    __future__ import annotations`), not evaluated: typing.get_type_hints
    compiles each one, a few per cent of an everyday command (issue 23)."""
    kinds = {}
    for name, hint in record.__annotations__.items():
        text = hint if isinstance(hint, str) else getattr(hint, "__name__", str(hint))
        if name == "tags":
            kinds[name] = "tags"
        elif name == "priority":
            kinds[name] = "priority"
        elif "datetime" in text:
            kinds[name] = "time"
        elif text == "bool":
            kinds[name] = "flag"
        else:
            kinds[name] = "plain"
    return kinds


KINDS = _kinds(Todo)


def owner(scope: Scope | None) -> str:
    """The owner's name: mine, the scope's, or (None) each todo's sharer."""
    if scope is None:
        return SHARER
    return "CAST(:owner AS text)" if scope.owner_name else "CAST(:me AS text)"


def _expression(backend: Backend, scope: Scope | None, name: str) -> str:
    if name == "tags":
        return f"(SELECT {_TAG_LIST[backend]} FROM todo_tags g WHERE g.todo_id = todos.id)"
    if name == "owner":
        return owner(scope)
    if name == _SOURCE:
        return "todos.request_id"
    return f"todos.{name}"


def columns(backend: Backend, scope: Scope | None = MINE, *, source: bool = False) -> str:
    """The select list of every query of todos (the table unaliased: todos):
    SELECTED, with source (the request id) after them when asked."""
    names = (*SELECTED, _SOURCE) if source else SELECTED
    return ", ".join(f"{_expression(backend, scope, n)} AS {n}" for n in names)


# PostgreSQL formats a timestamp as the JSON shape has it (ISO 8601 in UTC
# with microseconds) itself; SQLite's stored text needs only a T and a Z,
# which Python adds quicker than SQLite's string functions do.
_PG_ISO = "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def text_columns(backend: Backend, scope: Scope | None = MINE) -> str:
    """columns(), with the timestamps ready to become ISO text, and only
    the fields of TodoText (what the JSON shape writes)."""
    parts = []
    for name in TodoText._fields:
        expression = _expression(backend, scope, name)
        if backend == "postgresql" and KINDS[name] == "time":
            expression = _PG_ISO.format(expression)
        parts.append(f"{expression} AS {name}")
    return ", ".join(parts)


def _tags(text: str | None) -> tuple[str, ...]:
    return tuple(sorted(text.split(","))) if text else ()


def _decoder(
    record: type[Todo] | type[TodoText],
    names: Sequence[str],
    time_code: str,
    env: dict[str, Any],
    args: str = "row",
) -> Any:
    """A function of a row of `names` to `record`, each field read from
    the column of its name and converted by its kind. Written out and
    compiled once, as namedtuple does: a listing decodes 100,000 rows, and
    a loop over converters takes twice as long."""
    position = {name: i for i, name in enumerate(names)}
    code = {
        "time": time_code,
        "flag": "bool({0})",
        "tags": "_tags({0})",
        "priority": "_priority({0})",
        "plain": "{0}",
    }
    fields = [
        code[KINDS[f]].format(f"row[{position[f]}]") if f in position else "None"
        for f in record._fields
    ]
    source = f"def decode({args}):\n    return _record({', '.join(fields)})\n"
    scope = {**env, "_record": record, "_tags": _tags, "_priority": PRIORITY_NAMES.get}
    exec(source, scope)  # the generated code only indexes and calls what is above
    return scope["decode"]


_TEXT_DECODERS: dict[str, Callable[[Sequence[Any]], TodoText]] = {}


def to_todo_text(backend: Backend) -> Callable[[Sequence[Any]], TodoText]:
    """A row of text_columns() as a TodoText; SQLite's stored timestamps
    get their T and Z here."""
    if backend not in _TEXT_DECODERS:
        # SQLite's '2026-11-25 09:12:00.123456' -> '2026-11-25T09:12:00.123456Z'
        # (a value written without microseconds gets them, as on PostgreSQL);
        # inlined: a function call per timestamp costs a third of the time.
        time_code = (
            '(None if {0} is None else {0}.replace(" ", "T") '
            '+ ("Z" if len({0}) == 26 else ".000000Z"))'
            if backend == "sqlite"
            else "{0}"
        )
        _TEXT_DECODERS[backend] = _decoder(TodoText, TodoText._fields, time_code, {})
    return _TEXT_DECODERS[backend]


# Decoders of a row of columns(), without and with source: decode(row, time)
# with the session's converter of a stored timestamp.
_DECODE: dict[bool, Any] = {
    with_source: _decoder(
        Todo, (*SELECTED, _SOURCE) if with_source else SELECTED, "_time({0})", {}, "row, _time"
    )
    for with_source in (False, True)
}


def to_todo(row: Sequence[Any], time: Callable[[Any], Any], *, source: bool = False) -> Todo:
    """A row of columns() (with source, when it was asked) as a Todo."""
    return _DECODE[source](row, time)  # type: ignore[no-any-return]
