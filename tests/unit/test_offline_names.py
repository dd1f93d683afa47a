"""Which offline file a database's changes are queued in, and the age the
offline notice gives (todo_cli/offline/common.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from todo_cli.dburl import parse_database_url
from todo_cli.offline.common import path_for, status_line, where_key
from todo_cli.store.outbox import Box


def key(url: str, **environ: str) -> str:
    return where_key(parse_database_url(url, source=""), environ)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://alice@127.0.0.1/todo",
        "postgresql://alice@localhost:5432/todo",
        "postgresql://bob_role@[::1]/todo",
        "postgresql://alice@LOCALHOST/todo?sslmode=disable",
        "postgresql://alice@/todo?host=/var/run/postgresql",
    ],
)
def test_one_local_database_has_one_key_however_spelled(url: str) -> None:
    assert key(url) == "localhost:5432/todo"


def test_neons_pooled_endpoint_is_its_direct_one() -> None:
    pooled = "postgresql://a@ep-cool-1-pooler.eu-central-1.aws.neon.tech/neondb"
    direct = "postgresql://a@ep-cool-1.eu-central-1.aws.neon.tech/neondb"
    assert key(pooled) == key(direct) == "ep-cool-1.eu-central-1.aws.neon.tech:5432/neondb"
    assert key("postgresql://a@db-pooler.example.com/x") == "db-pooler.example.com:5432/x"


def test_another_port_database_or_host_is_another_key() -> None:
    keys = {
        key("postgresql://a@localhost/todo"),
        key("postgresql://a@localhost:6432/todo"),
        key("postgresql://a@localhost/other"),
        key("postgresql://a@db.example.com/todo"),
    }
    assert len(keys) == 4
    # With no database named, libpq opens the role's.
    assert key("postgresql://todo@localhost") == "localhost:5432/todo"


def test_the_query_and_libpqs_variables_name_the_database_as_libpq_does() -> None:
    assert key("postgresql://u@h/?dbname=work") == "h:5432/work"
    assert key("postgresql://u@h/home?dbname=work") == "h:5432/work"
    assert key("postgresql://u@/x?host=db.example.com&port=6432") == "db.example.com:6432/x"
    assert key("postgresql://u@h/", PGDATABASE="work", PGPORT="7000") == "h:7000/work"
    assert key("postgresql:///x", PGHOST="db.example.com") == "db.example.com:5432/x"
    assert key("postgresql://h/", PGUSER="ann") == "h:5432/ann"
    assert key("postgresql://u@h/x?service=a") != key("postgresql://u@h/x?service=b")
    assert key("postgresql://u@h/x", PGSERVICE="a") == "h:5432/x?service=a"


def test_no_two_profile_user_database_triples_share_a_file(tmp_path: Path) -> None:
    a = path_for(tmp_path, "home", "ann@work", "localhost:5432/todo")
    b = path_for(tmp_path, "home@ann", "work", "localhost:5432/todo")
    assert a != b
    assert a.name == "home@ann%40work@localhost%3A5432%2Ftodo.db"


@pytest.mark.parametrize(
    ("ago", "says"),
    [
        (timedelta(minutes=5), "(5 min ago)"),
        (timedelta(minutes=119), "(119 min ago)"),
        (timedelta(hours=2), "(2 h ago)"),
        (timedelta(hours=47, minutes=59), "(47 h ago)"),
        (timedelta(days=2), "(2 days ago)"),
        (timedelta(days=9, hours=23), "(9 days ago)"),
    ],
)
def test_the_notice_gives_the_copys_age_in_a_unit_that_reads(
    tmp_path: Path, ago: timedelta, says: str
) -> None:
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    with Box(tmp_path / "box.db") as box:
        box.put("copied_at", (now - ago).isoformat())
        assert says in status_line(box, now)


def test_a_long_database_key_is_hashed_and_keeps_the_profile_and_user(tmp_path: Path) -> None:
    from todo_cli.offline.common import names_path

    long = path_for(tmp_path, "home", "ann", "h:5432/" + "d" * 300)
    assert long.name.startswith("home@ann@")
    assert len(long.name) < 100
    assert names_path(long) == tmp_path / "offline" / "home@ann.names"
    other = path_for(tmp_path, "home", "ann", "h:5432/" + "e" * 300)
    assert other != long
    assert names_path(other) == names_path(long)
    whole = path_for(tmp_path, "p" * 64, "u" * 64 + "@" * 40, "h:5432/x" * 10)
    assert "@" not in whole.name
    assert names_path(whole) == whole.with_suffix(".names")
