"""One SQL text per statement for both backends: parameters, values and the
few fragments that differ.

Statements are written with `:name` parameters, which the standard
library's sqlite3 takes as they are. psycopg2 wants `%(name)s`, and every
other `%` doubled: to_pyformat() rewrites a text once (cached), leaving
string literals, quoted names and `::` casts alone. Values are adapted per
backend by adapt(): a timestamp is naive UTC text on SQLite (the layout
SQLAlchemy wrote, so files from earlier releases read the same) and a
timestamptz on PostgreSQL; a list is a set of scalars (json_each on SQLite,
an array on PostgreSQL: see in_set).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from todo_cli.classes import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

    # The backend a URL names (dburl): one meaning, one definition.
    from todo_cli.dburl import Backend as Backend

# The current user's id: the one place a statement learns who it runs for.
# Session.execute refuses a statement that does not name :me.
ME: Final = "(SELECT id FROM users WHERE name = :me)"

# How long a statement waits for a lock before the command gives up (exit
# 4). Any role that may read a table may also lock it, and keep it locked
# for as long as it likes: no wait of ours may follow it there.
LOCK_TIMEOUT_MS: Final = 5000

_TOKENS = r"""
    (?P<literal>'(?:[^']|'')*')      # a string literal ('' escapes a quote)
  | (?P<ident>"(?:[^"]|"")*")        # a quoted identifier
  | (?P<cast>::)                     # PostgreSQL's cast operator
  | :(?P<param>[A-Za-z_]\w*)         # a named parameter
  | (?P<percent>%)
    """


@functools.lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """`:name` -> `%(name)s` and `%` -> `%%`, outside literals and quoted names."""
    if "$$" in sql:
        raise ValueError("dollar-quoted text is not supported in data-layer SQL")

    def replace(match: re.Match[str]) -> str:
        if match.group("param"):
            return f"%({match.group('param')})s"
        if match.group("percent"):
            return "%%"
        if match.group("literal"):
            return match.group("literal").replace("%", "%%")
        return match.group(0)

    return re.sub(_TOKENS, replace, sql, flags=re.VERBOSE)


def sqlite_time(value: datetime) -> str:
    """How SQLite files store a timestamp: naive UTC with microseconds,
    the year in four digits (strftime's %Y gives 999 for 0999, which
    fromisoformat refuses when it is read back)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def adapt(backend: Backend, params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter values as the backend's driver should get them."""
    out = dict(params)
    for key, value in params.items():
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"parameter {key}: timestamps must be timezone-aware")
            out[key] = sqlite_time(value) if backend == "sqlite" else value.astimezone(UTC)
        elif isinstance(value, list | tuple) and backend == "sqlite":
            out[key] = json.dumps(list(value))
    return out


def read_time(backend: Backend) -> Callable[[Any], Any]:
    """A converter from what the driver returns to an aware UTC datetime."""
    return _sqlite_read_time if backend == "sqlite" else _pg_read_time


def _sqlite_read_time(value: str | None) -> datetime | None:
    # Stored as naive UTC text; naming the offset while parsing is several
    # times quicker than replace(tzinfo=UTC) after it.
    return None if value is None else datetime.fromisoformat(value + "+00:00")


def _pg_read_time(value: datetime | None) -> datetime | None:
    # Each transaction sets TimeZone to UTC, so this is UTC already.
    return value if value is None or value.tzinfo is UTC else value.astimezone(UTC)


def in_set(backend: Backend, column: str, param: str, *, kind: str = "integer") -> str:
    """`column` is one of the values of the list bound to :param. One
    parameter however many values (no limit on SQLite's variables), and on
    PostgreSQL an array the planner turns into index lookups."""
    if backend == "postgresql":
        return f"{column} = ANY(CAST(:{param} AS {kind}[]))"
    return f"{column} IN (SELECT value FROM json_each(:{param}))"


def values_of(backend: Backend, param: str, *, integer: bool = False) -> str:
    """A subquery of the elements of the list bound to :param, in a column
    named value (for joins and INSERT ... SELECT)."""
    if backend == "postgresql":
        kind = "integer" if integer else "text"
        return f"(SELECT unnest(CAST(:{param} AS {kind}[])) AS value)"
    return f"(SELECT value FROM json_each(:{param}))"


class Scope(NamedTuple):
    """Whose todos an operation touches: mine, or another user's shared
    with me (alembic/versions/0010). owner is the SQL of the owner's id;
    shared a condition on {t} (the todos' alias) that the todo is shared
    with me, and to write when the scope is for changing; owner_name is
    bound as :owner. On PostgreSQL row-level security says the same."""

    owner: str = ME
    shared: str = ""
    owner_name: str | None = None

    def only(self, alias: str = "todos") -> str:
        """ " AND <shared with me>" for another's todos; "" for mine."""
        return f" AND {self.shared.format(t=alias)}" if self.shared else ""

    @property
    def params(self) -> dict[str, str]:
        return {"owner": self.owner_name} if self.owner_name else {}

    @property
    def label(self) -> str:
        """How a number of this scope is written: 3, or alice/3."""
        return f"{self.owner_name}/" if self.owner_name else ""


MINE: Final = Scope()


def shared_with_me(owner_name: str, *, write: bool) -> Scope:
    """The todos of owner_name shared with me (to write, with write)."""
    can = " AND can_write" if write else ""
    return Scope(
        f"(SELECT max(owner_id) FROM shares WHERE owner_name = :owner AND grantee_name = :me{can})",
        "{t}.id IN (SELECT todo_id FROM shared_todos WHERE grantee_name = :me" + can + ")",
        owner_name,
    )


def whose(owner: str | None, *, write: bool) -> Scope:
    """The scope of the store's API argument owner: None (or empty) for my
    own todos, a user's name for theirs shared with me (to write, with write)."""
    return shared_with_me(owner, write=write) if owner else MINE


# Row locks for reads that decide a write. SQLite has none: a write
# transaction there holds the whole file (BEGIN IMMEDIATE).
FOR_UPDATE: Final = {"postgresql": " FOR UPDATE", "sqlite": ""}
