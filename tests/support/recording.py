"""A DB-API connection that remembers every statement it runs, for tests
that look at the SQL the store sends (plans, the schema check)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Sent:
    sql: str  # as the driver got it (PostgreSQL: %(name)s; SQLite: :name)
    params: Any


@dataclass
class Recording:
    """Wraps a sqlite3 or psycopg2 connection; `sent` lists what went through."""

    conn: Any
    sent: list[Sent] = field(default_factory=list)

    def execute(self, sql: str, params: Any = ()) -> Any:  # sqlite3's shortcut
        self.sent.append(Sent(sql, params))
        return self.conn.execute(sql, params)

    def cursor(self) -> Any:
        return _Cursor(self, self.conn.cursor())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)

    def statements(self) -> list[Sent]:
        """One entry per statement: a PostgreSQL message split at ";\\n"
        (how the session joins the statements of one message)."""
        out = []
        for s in self.sent:
            for part in s.sql.split(";\n"):
                out.append(Sent(part, s.params))
        return out


class _Cursor:
    def __init__(self, owner: Recording, cursor: Any) -> None:
        self._owner, self._cursor = owner, cursor

    def execute(self, sql: str, params: Any = None) -> Any:
        self._owner.sent.append(Sent(sql, params))
        return self._cursor.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        return iter(self._cursor)
