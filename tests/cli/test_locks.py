"""A change and a concurrent one on PostgreSQL, interleaved on purpose: a
second connection holds the todo's row lock, the command is seen waiting
for it (pg_stat_activity, from a third), then the holder commits."""

from __future__ import annotations

import subprocess
import threading

import psycopg2
import pytest

from tests.support.inprocess import InProcess
from tests.support.locks import wait_for_lock_waiters


@pytest.mark.parametrize("backend", ["postgresql", "pgbouncer"])
def test_a_change_journals_the_todo_as_the_change_it_waited_for_left_it(
    todo_db: InProcess, pg_url: str
) -> None:
    """done waits for another's edit of the todo, then journals the edited
    todo: its undo reopens that, and keeps the edit (the lock is taken
    before the journal's snapshot, events.lock_rows)."""
    todo = todo_db
    assert todo.ok("add", "Pay rent") == "1\n"
    holder = psycopg2.connect(pg_url)
    try:
        with holder.cursor() as cur:
            # Another edit of the title, as `todo edit` makes it, not yet committed.
            cur.execute(
                "UPDATE todos SET title = 'Pay the rent', version = version + 1, "
                "updated_at = now() WHERE number = 1 "
                "AND user_id = (SELECT id FROM users WHERE name = 'tester')"
            )
        result: list[subprocess.CompletedProcess[str]] = []
        done = threading.Thread(target=lambda: result.append(todo("done", "1")))
        done.start()
        try:
            wait_for_lock_waiters(pg_url, 1)
        finally:
            holder.commit()
            done.join(60)
    finally:
        holder.close()
    assert not done.is_alive()
    (completed,) = result
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        0,
        "Completed 1: Pay the rent\n",
        "",
    )
    assert todo.ok("undo") == "Undid done 1: Pay the rent (open again)\n"
    assert todo.ok("list", "--all") == "1\topen\tPay the rent\n"
