"""Volume for the scale, load and baseline sections, written with SQL
straight into a schema `todo` created (all indexes in place), each user's
`users.last_number` set to their highest number. Nothing is analysed or
vacuumed afterwards (see bench/pg.py).

Every 7th todo has a priority and every 5th a due date (a tenth of those
overdue): the default list order has all its keys to sort on.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.pg import pg_run

SCALE_USERS = 10_000
SCALE_TODOS = 1_000_000
HEAVY_OPEN = 100_000
LIGHT_TODOS = 40  # the "handful" of the nearly empty database's user

MIX = (
    "CASE WHEN n % 7 = 0 THEN 1 + n % 3 END, "
    "CASE WHEN n % 5 = 0 THEN now() + (n % 100 - 10) * interval '1 day' END"
)


def seed_scale(url: str) -> dict[str, float]:
    """10,000 users and 1,000,000 todos with generate_series: `heavy` holds
    HEAVY_OPEN open todos (after a few done ones), everyone else the same
    small number, a third of them done."""
    others = SCALE_USERS - 1
    per_user = (SCALE_TODOS - HEAVY_OPEN) // others
    heavy_done = SCALE_TODOS - HEAVY_OPEN - per_user * others
    heavy_total = HEAVY_OPEN + heavy_done
    started = time.perf_counter()
    pg_run(
        url,
        "INSERT INTO users (name, created_at, last_number) "
        f"SELECT 'user' || u, now(), {per_user} FROM generate_series(1, {others}) AS u",
        f"INSERT INTO users (name, created_at, last_number) VALUES ('heavy', now(), {heavy_total})",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, completed_at, "
        f"priority, due) SELECT u.id, n, 'todo ' || n, n % 3 = 0, now() - interval '1 day', "
        f"now() - interval '1 day', CASE WHEN n % 3 = 0 THEN now() END, {MIX} "
        f"FROM users AS u, generate_series(1, {per_user}) AS n WHERE u.name <> 'heavy'",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, completed_at, "
        f"priority, due) SELECT u.id, n, 'heavy ' || n, n <= {heavy_done}, "
        f"now() - interval '1 day', now() - interval '1 day', "
        f"CASE WHEN n <= {heavy_done} THEN now() END, {MIX} "
        f"FROM users AS u, generate_series(1, {heavy_total}) AS n WHERE u.name = 'heavy'",
    )
    return {
        "insert": time.perf_counter() - started,
        "heavy_done": heavy_done,
        "per_user": per_user,
    }


def seed_light(url: str) -> None:
    """The nearly empty database: `light` with LIGHT_TODOS open todos, 10 users with 10."""
    pg_run(
        url,
        "INSERT INTO users (name, created_at, last_number) "
        "SELECT 'user' || u, now(), 10 FROM generate_series(1, 10) AS u",
        f"INSERT INTO users (name, created_at, last_number) VALUES ('light', now(), {LIGHT_TODOS})",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, priority, "
        f"due) SELECT u.id, n, 'todo ' || n, FALSE, now(), now(), {MIX} FROM users AS u, "
        f"generate_series(1, {LIGHT_TODOS}) AS n WHERE n <= u.last_number",
    )


def seed_load(url: str, users: int, per_user: int) -> None:
    """users user1..userN, each with per_user open todos numbered 1..per_user."""
    pg_run(
        url,
        "INSERT INTO users (name, created_at, last_number) "
        f"SELECT 'user' || u, now(), {per_user} FROM generate_series(1, {users}) AS u",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
        "SELECT u.id, n, 'todo ' || n, FALSE, now(), now() "
        f"FROM users AS u, generate_series(1, {per_user}) AS n",
    )


# --- SQLite ---------------------------------------------------------------------------

# Fixed, so two files seeded alike hold the same bytes (the baseline section
# compares outputs of two releases by md5).
SQLITE_EPOCH = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _stamp(value: datetime) -> str:
    """How todo's SQLite files store a timestamp: naive UTC with microseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed_sqlite(path: Path, user: str, count: int, *, done_every: int = 0) -> None:
    """`count` todos for `user` in a todo SQLite file whose schema exists:
    the priority and due mix above, every done_every-th done (0: none), a
    note on every 10th, tag `home` on every 4th and `work` on every 6th.
    Timestamps come from SQLITE_EPOCH, not the clock."""
    rows = []
    for n in range(1, count + 1):
        created = SQLITE_EPOCH + timedelta(seconds=n)
        done = bool(done_every) and n % done_every == 0
        due = SQLITE_EPOCH + timedelta(days=n % 100 - 10) if n % 5 == 0 else None
        rows.append(
            (
                n,
                f"todo {n}",
                done,
                _stamp(created),
                _stamp(created),
                _stamp(created + timedelta(hours=1)) if done else None,
                1 + n % 3 if n % 7 == 0 else None,
                _stamp(due) if due else None,
                f"Note for todo {n}" if n % 10 == 0 else None,
            )
        )
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO users (name, created_at, last_number) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET last_number = excluded.last_number",
                (user, _stamp(SQLITE_EPOCH), count),
            )
            (user_id,) = conn.execute("SELECT id FROM users WHERE name = ?", (user,)).fetchone()
            conn.executemany(
                "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, "
                f"completed_at, priority, due, note) VALUES ({user_id}, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            for tag, every in (("home", 4), ("work", 6)):
                conn.execute(
                    "INSERT INTO todo_tags (todo_id, tag) SELECT id, ? FROM todos "
                    "WHERE user_id = ? AND number % ? = 0",
                    (tag, user_id, every),
                )
    finally:
        conn.close()


def sqlite_file(home: Path) -> Path:
    """Where `todo` keeps its embedded database under this HOME (no XDG_DATA_HOME)."""
    return home / ".local" / "share" / "todo" / "todo.db"
