"""Reference: what one message per transaction saves.

Runs one data-layer operation the way `todo` does (`todo_cli.store.runner.run`:
connect, the operation, close), with the connection either as the product
uses it (autocommit: the transaction's settings and statements travel as one
message, which the server runs as one implicit transaction) or as psycopg2
does by default: BEGIN before the first statement, each statement sent
alone, COMMIT at the end. The same statements either way.

    python batching_probe.py DATABASE_URL USER add|done one-message|default [NUMBER]

Prints the todo's number and how many statements the operation sent.
"""

import sys
import tempfile
from typing import Any

from todo_cli.config import load_settings
from todo_cli.store import changes, driver, todos
from todo_cli.store.runner import run

url, user, op, mode = sys.argv[1:5]
sent = 0
real_connect = driver.connect


class Cursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Any = None) -> Any:
        global sent
        # The session joins a message's statements with ";\n".
        parts = [p for p in sql.split(";\n") if p.strip().upper() not in ("BEGIN", "COMMIT")]
        sent += len(parts)
        if mode == "one-message":
            return self._cursor.execute(sql, params)
        for part in parts:  # psycopg2 sends BEGIN before the first, the COMMIT is close()'s
            self._cursor.execute(part, params)
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Any:
        return iter(self._cursor)


class Connection:
    def __init__(self, conn: Any) -> None:
        self._conn = conn
        conn.autocommit = mode == "one-message"

    def cursor(self) -> Cursor:
        return Cursor(self._conn.cursor())

    def close(self) -> None:
        if not self._conn.closed and not self._conn.autocommit:
            self._conn.commit()
        self._conn.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


driver.connect = lambda *a, **kw: Connection(real_connect(*a, **kw))

with tempfile.TemporaryDirectory() as config_dir:
    settings = load_settings(user=user, database_url=url, env={"TODO_CONFIG_DIR": config_dir})
    if op == "add":
        todo = run(settings, lambda s: todos.add(s, title="Call the bank"), mode="idempotent")
        print(todo.number, sent)
    else:
        number = int(sys.argv[5])
        run(settings, lambda s: changes.complete(s, numbers=[number]).todos, mode="idempotent")
        print(number, sent)
