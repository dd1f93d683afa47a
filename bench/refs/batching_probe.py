"""Reference: what sending a step's statements together saves. Runs one
data-layer operation the way `todo` does (`todo_cli.db.run`: connect, begin,
the operation, commit), with the statements of each step either batched
into one message (the product) or sent one at a time (a Session subclass).

    python batching_probe.py DATABASE_URL USER add|done batched|one-by-one [NUMBER]

Prints how many statements the operation sent.
"""

import sys
import tempfile
from typing import Any

from todo_cli import db, todos
from todo_cli.config import load_settings

url, user, op, mode = sys.argv[1:5]
sent = 0


class Counting(db.Session):
    def execute(self, *statements: str, **kwargs: Any) -> Any:
        global sent
        sent += len(statements)
        return super().execute(*statements, **kwargs)


class OneByOne(Counting):
    def execute(self, *statements: str, **kwargs: Any) -> Any:
        result = None
        for sql in statements:
            result = super().execute(sql, **kwargs)
        return result


def session(s: db.Session) -> db.Session:
    cls = Counting if mode == "batched" else OneByOne
    return cls(s.connection, s.user)


with tempfile.TemporaryDirectory() as config_dir:
    settings = load_settings(user=user, database_url=url, env={"TODO_CONFIG_DIR": config_dir})
    if op == "add":
        todo = db.run(settings, lambda s: todos.add(session(s), title="Call the bank"))
        print(todo.number, sent)
    else:
        number = int(sys.argv[5])
        db.run(settings, lambda s: todos.complete(session(s), numbers=[number]))
        print(number, sent)
