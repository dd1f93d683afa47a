"""A repeating todo's next one exists exactly once, whatever several
processes, PgBouncer or a lost COMMIT reply do."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.support import IN_CI
from tests.support.databases import ScratchDatabases, via_pgbouncer
from tests.support.processes import TODO_BIN, Todo
from tests.support.tcp_proxy import TCPProxy, proxied_url
from todo_cli.dburl import parse_database_url

PROCESSES = 10
# Startup, then the one message that is the whole transaction.
COMMIT_BURST = 2


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return list(conn.execute(sql).fetchall())
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.close()


@pytest.mark.parametrize("endpoint", ["sqlite", "direct", "pooler"])
def test_ten_processes_completing_the_same_instance_make_one_next(
    endpoint: str,
    todo: Todo,
    tmp_path: Path,
    scratch_dbs: ScratchDatabases,
    request: pytest.FixtureRequest,
) -> None:
    if endpoint == "sqlite":
        url = check = f"sqlite:///{tmp_path / 'todo.db'}"
    else:
        url = check = scratch_dbs.create()
        if endpoint == "pooler":
            url = via_pgbouncer(check, request.getfixturevalue("pgbouncer"))
    env = {**todo.env, "DATABASE_URL": url, "TZ": "UTC"}
    todo.ok("add", "Water plants", "--every", "week", "--due", "2030-01-01", env=env)
    procs = [
        subprocess.Popen(
            [TODO_BIN, "done", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [r for r in results if r[0] != 0] == []
    outputs = sorted(out for _, out, _ in results)
    assert outputs == ["Already done 1: Water plants\n"] * (PROCESSES - 1) + [
        "Completed 1: Water plants\nNext 2: Water plants (due 2030-01-08 23:59 UTC)\n"
    ]
    assert _rows(check, "SELECT number, done FROM todos ORDER BY number") == [
        (1, True),
        (2, False),
    ]


def test_a_lost_commit_reply_then_the_retry_make_one_next(
    scratch_dbs: ScratchDatabases, todo: Todo
) -> None:
    url = scratch_dbs.create()
    target = parse_database_url(url, source="")
    env = {**todo.env, "TZ": "UTC"}
    todo.ok("add", "Water plants", "--every", "week", "--due", "2030-01-01",
            env={**env, "DATABASE_URL": url})  # fmt: skip
    with TCPProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        proxy.lose_reply_after_bursts, proxy.faulty_connections = COMMIT_BURST, 1
        result = todo(
            "--verbose", "done", "1", env={**env, "DATABASE_URL": proxied_url(url, proxy.port)}
        )
        assert proxy.connection_stats[0].cut
    assert result.returncode == 0, result.stderr
    assert "todo: retry: " in result.stderr  # the first attempt's reply was lost
    # The retry finds it done: the first attempt committed, next one included.
    assert result.stdout == "Already done 1: Water plants\n"
    assert _rows(url, "SELECT number, done FROM todos ORDER BY number") == [(1, True), (2, False)]
    assert _rows(url, "SELECT count(*) FROM events WHERE action = 'done'") == [(1,)]


# The last release before recurrence (migration 0009).
BEFORE_RECURRENCE = "fd3f23aeca4cd67a06a6c19aa0edf2f4b7d0e8f2"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def older_todo(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The argv of the release before recurrence, from this repository's history."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        reason = "needs git and this repository's history"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    where = tmp_path_factory.mktemp("older")
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", BEFORE_RECURRENCE, "todo_cli", "alembic"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    script = (
        f"import sys; sys.path.insert(0, {str(where)!r}); from todo_cli.entry import run; run()"
    )
    argv = [sys.executable, "-c", script]
    head = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(where)!r}); "
         "from todo_cli.store.schema import HEAD; print(HEAD)"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    # The older code (whose HEAD is in its store.schema) is what runs.
    assert head == "0008\n"
    return argv


def _running(argv: list[str], env: dict[str, str]) -> Callable[..., str]:
    """older(*args): the older todo's output of a command that must succeed."""

    def older(*args: str) -> str:
        result = subprocess.run([*argv, *args], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    return older


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_older_todo_works_on_the_new_schema_and_its_done_is_followed_once(
    backend: str, older_todo: list[str], todo: Todo, tmp_path: Path, scratch_dbs: ScratchDatabases
) -> None:
    url = f"sqlite:///{tmp_path / 'todo.db'}" if backend == "sqlite" else scratch_dbs.create()
    env = {**todo.env, "DATABASE_URL": url, "TZ": "UTC"}
    older = _running(older_todo, env)

    todo.ok("add", "Water plants", "--every", "week", "--due", "2030-01-01", env=env)
    # The older release adds, lists and completes on the new schema.
    assert older("add", "Older") == "2\n"
    assert older("done", "1") == "Completed 1: Water plants\n"
    assert older("list") == "2\topen\tOlder\n"  # it knows nothing of repeats
    # The next `todo` to list makes the next one; the ones after do not again.
    assert todo.ok("list", env=env) == "3\topen\tWater plants\n2\topen\tOlder\n"
    assert todo.ok("list", env=env) == "3\topen\tWater plants\n2\topen\tOlder\n"
    assert older("list") == "3\topen\tWater plants\n2\topen\tOlder\n"
    assert _rows(url, "SELECT number, done FROM todos ORDER BY number") == [
        (1, True),
        (2, False),
        (3, False),
    ]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_undo_of_an_older_todos_changes_keeps_the_repeat(
    backend: str, older_todo: list[str], todo: Todo, tmp_path: Path, scratch_dbs: ScratchDatabases
) -> None:
    """The older todo's journal knows nothing of repeats: undoing its edit
    leaves the repeat as it is; undoing its done (followed since by the
    repair) reopens it."""
    url = f"sqlite:///{tmp_path / 'todo.db'}" if backend == "sqlite" else scratch_dbs.create()
    env = {**todo.env, "DATABASE_URL": url, "TZ": "UTC"}
    older = _running(older_todo, env)

    todo.ok("add", "Water plants", "--every", "week", "--due", "2030-01-01", env=env)
    older("edit", "1", "--title", "Water the plants")
    assert todo.ok("undo", env=env) == "Undid edit 1: Water plants (as before)\n"
    shown = json.loads(todo.ok("show", "1", "--json", env=env))
    assert (shown["title"], shown["every"]) == ("Water plants", "1w")
    older("done", "1")
    assert todo.ok("list", env=env) == "2\topen\tWater plants\n"  # the repair
    assert todo.ok("undo", env=env) == "Undid done 1: Water plants (open again)\n"
    assert json.loads(todo.ok("show", "1", "--json", env=env))["every"] == "1w"
