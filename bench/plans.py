"""The statement the default `todo list` sends, captured from the data layer,
its EXPLAIN, and what the indexes on open todos buy it."""

from __future__ import annotations

import re
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2

from bench.harness import BenchError
from tests.support.recording import Recording

SCREENFUL = 47  # the default list in a pipe: 50 lines (no $LINES) less 3
ORDER_INDEX = "ix_todos_user_open_order"
OPEN_INDEX = "ix_todos_user_open"


def capture_page(url: str, user: str, config_dir: Path, sort: str = "default") -> tuple[str, str]:
    """(setup, query): the one message the list's page sends for `user` (its
    transaction-local settings, then the page's query), parameters inlined,
    as the data layer in this tree writes it (`listing.page` through a
    recording connection, nothing changed)."""
    from todo_cli.config import load_settings
    from todo_cli.store import listing
    from todo_cli.store.runner import connection
    from todo_cli.store.session import Session

    settings = load_settings(user=user, database_url=url, env={"TODO_CONFIG_DIR": str(config_dir)})
    raw = connection(settings)
    try:
        recording = Recording(raw)
        session = Session(recording, "postgresql", user, datetime.now(UTC), write=False)
        listing.page(session, filter=listing.Filter(), sort=sort, limit=SCREENFUL)  # type: ignore[arg-type]
        if len(recording.sent) != 1:
            raise BenchError(f"the list's page sent {len(recording.sent)} messages, not 1")
        sent = recording.sent[0]
        with raw.cursor() as cur:
            message = cur.mogrify(sent.sql, sent.params).decode()
    finally:
        raw.close()
    setup, _, query = message.rpartition(";\n")
    return setup, query


def plan_summary(lines: list[str]) -> list[str]:
    """The plan's scans, sorts and timing, without the planner's cost estimates."""
    keep = ("Scan", "Sort", "Execution Time", "Heap Fetches", "Rows Removed", "Limit")
    return [
        re.sub(r"\s*\(cost=[^)]*\)", "", line).rstrip()
        for line in lines
        if any(k in line for k in keep)
    ]


def plan_nodes(lines: list[str]) -> str:
    """The scans of todos in a plan, in order, on one line."""
    scans = [
        re.sub(r"\s*\(.*", "", line).strip().removeprefix("->").strip()
        for line in lines
        if "Scan" in line and " on todos" in line
    ]
    return "; ".join(dict.fromkeys(scans))


def index_comparison(
    url: str, page: tuple[str, str], drop: tuple[str, ...], repeats: int = 7
) -> dict[str, Any]:
    """The page query's time with the indexes `drop` and without them,
    alternating (without = dropped inside a savepoint that is rolled back
    each round, all in a transaction that is rolled back: nothing changes),
    and its EXPLAIN (ANALYZE, TIMING OFF) both ways."""
    setup, query = page
    conn = psycopg2.connect(url, connect_timeout=10)
    times: dict[str, list[float]] = {"with": [], "without": []}
    plans: dict[str, list[str]] = {}
    try:
        with conn.cursor() as cur:
            if setup:
                cur.execute(setup)  # the transaction's settings, as the command sends them
            cur.execute(query)  # warm the cache
            for _ in range(repeats):
                for label in ("with", "without"):
                    if label == "without":
                        cur.execute(f"SAVEPOINT no_index; DROP INDEX {', '.join(drop)}")
                    start = time.perf_counter()
                    cur.execute(query)
                    cur.fetchall()
                    times[label].append(time.perf_counter() - start)
                    if label not in plans:
                        cur.execute("EXPLAIN (ANALYZE, TIMING OFF) " + query)
                        plans[label] = [str(r[0]) for r in cur.fetchall()]
                    if label == "without":
                        cur.execute("ROLLBACK TO SAVEPOINT no_index")
        conn.rollback()
    finally:
        conn.close()
    return {
        label: {"median": statistics.median(times[label]), "plan": plans[label]} for label in times
    }


def explain(url: str, page: tuple[str, str]) -> list[str]:
    """EXPLAIN (ANALYZE, TIMING OFF) of the page query, its settings applied."""
    setup, query = page
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            if setup:
                cur.execute(setup)
            cur.execute("EXPLAIN (ANALYZE, TIMING OFF) " + query)
            lines = [str(r[0]) for r in cur.fetchall()]
        conn.rollback()
    finally:
        conn.close()
    return lines


def heap_fetches(lines: list[str]) -> int:
    """The heap fetches of a plan's index-only scans, all together."""
    return sum(int(m) for m in re.findall(r"Heap Fetches: (\d+)", "\n".join(lines)))
