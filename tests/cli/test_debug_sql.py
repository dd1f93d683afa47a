"""TODO_DEBUG_SQL: each message to the database on stderr, as it is sent."""

from __future__ import annotations

from tests.support.inprocess import InProcess


def test_each_message_is_shown_as_sent(todo_db: InProcess, backend: str) -> None:
    result = todo_db("add", "Buy milk", env={"TODO_DEBUG_SQL": "1"})
    assert (result.returncode, result.stdout) == (0, "1\n")
    shown = result.stderr
    assert shown.startswith("todo: sql: ")
    assert "Buy milk" in shown  # the values, bound
    if backend == "sqlite":  # one statement at a time
        assert shown.count("todo: sql: ") == 4
    else:  # one message: the settings, the statements, as PostgreSQL gets them
        assert shown.count("todo: sql: ") == 1
        assert "todo_claim(" in shown
        assert ":me" not in shown
    assert todo_db("list").stderr == ""  # only when asked


def test_no_password_is_shown(todo: InProcess, pg_url: str) -> None:
    """The URL's password goes to libpq, never into a message."""
    from todo_cli.dburl import parse_database_url

    url = parse_database_url(pg_url, source="")
    with_password = pg_url.replace(f"{url.username}@", f"{url.username}:S3CRETpw@", 1)
    result = todo("list", env={"DATABASE_URL": with_password, "TODO_DEBUG_SQL": "1"})
    assert result.returncode == 0, result.stderr
    assert "todo: sql: " in result.stderr
    assert "S3CRETpw" not in result.stderr
