"""The per-user session: one transaction on one connection, for one user.

Every statement goes through Session.execute, which binds :me to the
current user and refuses SQL that does not name it: the one place where
per-user scoping is enforced in the application.

On PostgreSQL a call to execute() is one simple-query message: the
transaction-local settings (the user row-level security reads, and UTC for
timestamps) and the statements travel together, and the server runs them as
one implicit transaction, so a command costs connect + 1 round trip. Such a
session may send one message. An operation whose statements need an earlier
one's result calls begin() first: its first message then opens an explicit
transaction, and its last (execute(..., commit=True)) ends it. Nothing
outlives the transaction, so PgBouncer's transaction mode is safe.

On SQLite, which is local, statements run one by one inside BEGIN (reads)
or BEGIN IMMEDIATE (writes, so a writer waits for the lock before it reads
anything it will act on).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from todo_cli.errors import InvalidInputError, missing_numbers
from todo_cli.store.sql import LOCK_TIMEOUT_MS, adapt, read_time, to_pyformat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from todo_cli.store.sql import Backend

_MISSING = "todo: missing numbers: "
# The user row-level security reads, UTC, a bound on every lock wait (see
# LOCK_TIMEOUT_MS), and todo_claim (alembic/versions/0011): a per-user
# role that names another user is refused before anything runs.
_SET_LOCAL = (
    "SELECT set_config('todo.user', :me, true), set_config('TimeZone', 'UTC', true), "
    f"set_config('lock_timeout', '{LOCK_TIMEOUT_MS}ms', true), todo_claim(:me)"
)


class Rows:
    """The rows of a statement, as tuples in select-list order."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.columns = [d[0] for d in cursor.description or ()]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        # SQLite yields rows as the file is read; psycopg2 has them all already.
        return iter(self._cursor)

    def all(self) -> list[tuple[Any, ...]]:
        return list(self._cursor) if self._cursor.description else []

    def first(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone() if self._cursor.description else None
        return tuple(row) if row is not None else None

    def scalar(self) -> Any:
        row = self.first()
        return row[0] if row else None


class Session:
    """One transaction for one user; `now` is the clock the runner read once."""

    def __init__(
        self,
        connection: Any,
        backend: Backend,
        user: str,
        now: datetime,
        *,
        write: bool = True,
        trace: Callable[[str], None] | None = None,
    ) -> None:
        self.connection = connection
        self.backend: Backend = backend
        self.user = user
        self.now = now
        self.write = write
        # Each message as it goes to the server (TODO_DEBUG_SQL): its
        # statements with their values bound, as the server receives them.
        self.trace = trace
        self.time = read_time(backend)
        self.messages = 0  # sent to the server (PostgreSQL: round trips after connect)
        self.interrupted_after_save = False
        self.explicit = False
        self.held = False
        self._planner: dict[str, str] = {}
        self.committed = False
        # The message that commits was handed to the driver: a failure from
        # here on leaves the outcome unknown (runner.run decides).
        self.commit_sent = False
        # A listing that asked for them (listing.journal_columns): the user's newest
        # journal id, newest not undone, and when the server made the user
        # (offline mode's marks).
        self.journal: tuple[int, int, str] | None = None

    def begin(self, *, hold: bool = False) -> None:
        """Statements to come depend on each other's results: one explicit
        transaction over several messages (see the module's docstring).
        hold: several operations share the transaction, so none of them
        ends it (execute_and_commit only executes); finish() commits."""
        if not self.explicit:
            assert self.messages == 0, "begin() before the first statement"
            self.explicit = True
        self.held = self.held or hold

    def execute(
        self,
        *statements: str,
        params: Mapping[str, Any] | None = None,
        planner: Mapping[str, str] | None = None,
    ) -> Rows:
        """Run statements in order and return the last one's rows. planner:
        PostgreSQL planner settings for this transaction (its first message)."""
        if planner and self.backend == "postgresql":
            self._planner = dict(planner)
        return self._run(statements, params, commit=False)

    def execute_and_commit(self, *statements: str, params: Mapping[str, Any] | None = None) -> None:
        """Run the last statements of an explicit transaction with its COMMIT,
        in the same message. No rows come back: psycopg2 returns only the
        last statement's result, which is COMMIT's."""
        self._run(statements, params, commit=not self.held)

    def _run(
        self, statements: tuple[str, ...], params: Mapping[str, Any] | None, commit: bool
    ) -> Rows:
        for sql in statements:
            if ":me" not in sql:
                raise AssertionError(f"unscoped statement refused: {sql[:60]!r}")
        assert not self.committed, "the transaction is over"
        fixed: dict[str, Any] = {"me": self.user, "now": self.now}
        if any(":tz" in sql for sql in statements):
            from todo_cli.dates import local_zone

            fixed["tz"] = local_zone()
        bound = adapt(self.backend, {**fixed, **(params or {})})
        if self.backend == "postgresql":
            return self._message(list(statements), bound, commit)
        return self._sqlite(statements, bound, commit)

    def _message(self, statements: list[str], bound: dict[str, Any], commit: bool) -> Rows:
        if self.messages and not self.explicit:
            raise AssertionError("a second message needs session.begin() first")
        if self._planner:
            # Transaction-local like the rest: nothing outlives the transaction.
            settings = ", ".join(
                f"set_config('{name}', '{value}', true)" for name, value in self._planner.items()
            )
            statements = [f"SELECT {settings}", *statements]
            self._planner = {}
        if self.held:
            # Operations share the transaction: one that fails takes back
            # only its own statements, as its own transaction would.
            statements.insert(0, "SAVEPOINT todo_step")
        if self.messages == 0:
            statements = [_SET_LOCAL, *statements]
            if self.explicit:
                statements.insert(0, "BEGIN")
        if commit:
            statements.append("COMMIT")
        # Outside an explicit transaction every message commits on its own.
        ends = commit or not self.explicit
        self.commit_sent = self.commit_sent or ends
        cursor = self.connection.cursor()
        self.messages += 1
        message = to_pyformat(";\n".join(statements))
        if self.trace:
            self.trace(cursor.mogrify(message, bound).decode())
        try:
            with self._committing(ends):
                cursor.execute(message, bound)
        except Exception as exc:
            if self.held:
                self.connection.cursor().execute("ROLLBACK TO SAVEPOINT todo_step")
            missing = _missing_numbers(exc)
            if missing:
                raise missing_numbers(missing) from exc
            _refuse_a_second_instance(exc)
            raise
        self.committed = ends
        return Rows(cursor)

    def _sqlite(self, statements: tuple[str, ...], bound: dict[str, Any], commit: bool) -> Rows:
        if self.messages == 0:
            self.connection.execute("BEGIN IMMEDIATE" if self.write else "BEGIN")
        self.messages += 1
        cursor = None
        for sql in statements:
            if self.trace:
                used = {k: v for k, v in bound.items() if f":{k}" in sql}
                self.trace(f"{sql}\n-- {used!r}" if used else sql)
            try:
                cursor = self.connection.execute(sql, bound)
            except Exception as exc:
                _refuse_a_second_instance(exc)
                raise
        assert cursor is not None
        if commit:
            self.commit_sent = True
            with self._committing(True):
                self.connection.execute("COMMIT")
            self.committed = True
        return Rows(cursor)

    def finish(self) -> None:
        """Commit what is not committed yet (the runner calls this)."""
        if self.committed or self.messages == 0:
            self.committed = True
            return
        self.commit_sent = True
        with self._committing(True):
            if self.backend == "postgresql":
                self.connection.cursor().execute("COMMIT")
                self.messages += 1
            else:
                self.connection.execute("COMMIT")
        self.committed = True

    @contextlib.contextmanager
    def _committing(self, commits: bool) -> Iterator[None]:
        """Ctrl-C while a change is being committed cannot take it back: the
        server commits what it received. Hold the signal until the reply is
        in, so the command can say the change was saved (interrupted_after_save)."""
        if not (commits and self.write):
            yield
            return
        import signal  # here: only a change needs it (an enum's creation at import)

        try:
            previous = signal.signal(signal.SIGINT, self._note_interrupt)
        except ValueError:  # not the main thread, which alone receives signals
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _note_interrupt(self, _signum: int, _frame: object) -> None:
        from todo_cli.store import driver

        self.interrupted_after_save = True
        driver.interrupted[0] = True  # a bounded wait (offline replay) gives up

    def rollback(self) -> None:
        """Give up the transaction (the connection is closed after this anyway)."""
        if self.committed or self.messages == 0:
            return
        try:
            if self.backend == "sqlite":
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
            elif self.explicit:
                self.connection.cursor().execute("ROLLBACK")
        except Exception:  # closing the connection rolls back too
            pass


def _refuse_a_second_instance(exc: BaseException) -> None:
    """A change that would give a series two todos due at the same moment
    (edit --due onto another one's date): the user's to fix, exit 2."""
    constraint = getattr(getattr(exc, "diag", None), "constraint_name", None)
    if constraint == "uq_todos_user_series_due" or "todos.user_id, todos.series, todos.due" in str(
        exc
    ):
        raise InvalidInputError(
            "another todo of the same repeat is due at that moment; give this one another "
            "date or time (nothing was changed)"
        ) from exc


def _missing_numbers(exc: BaseException) -> list[int]:
    """The numbers todo_require_numbers (alembic/versions/0008) found
    missing, when it is what stopped the message."""
    message = str(getattr(getattr(exc, "diag", None), "message_primary", "") or "")
    if getattr(exc, "pgcode", None) != "P0002" or not message.startswith(_MISSING):
        return []
    return [int(n) for n in message[len(_MISSING) :].split(",")]
