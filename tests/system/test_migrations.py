"""Schema and migrations: Alembic from the repo and from the wheel, models vs
migrations, automatic SQLite setup, exit 5 on PostgreSQL without a schema."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from tests.support.databases import ScratchDatabases
from tests.support.inprocess import InProcess
from tests.support.processes import Todo, clean_env
from todo_cli import models  # noqa: F401  (its tables, in SQLModel.metadata)
from todo_cli.config import load_settings
from todo_cli.dburl import parse_database_url
from todo_cli.store import driver, migrations, revision, schema
from todo_cli.store.runner import connection

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(home: Path, tmp_path: Path) -> InProcess:
    """todo's main(argv) in this process, for what needs no process to show:
    exit codes and messages (tests/support/inprocess.py)."""
    cwd = tmp_path / "cli"
    cwd.mkdir()
    return InProcess(home, clean_env(home), cwd)


def test_head_constant_matches_the_scripts() -> None:
    assert migrations.head_revision() == schema.HEAD


def _engine(url: str) -> Engine:
    return create_engine(parse_database_url(url, source="").sqlalchemy_url, poolclass=NullPool)


# SQLAlchemy cannot reflect SQLite's expression index (ix_todos_user_open_order),
# so Alembic skips it here and says so twice; on PostgreSQL, reflecting an
# index's INCLUDE gives a key ("dialect_options") it then fails to validate.
# The schema files' catalog compares below and the plan tests
# (tests/store/test_query_plans.py) hold those indexes.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:Can't validate argument 'dialect_options'")
def test_migrations_build_exactly_the_models(db_url: str) -> None:
    url = parse_database_url(db_url, source="")
    engine = _engine(db_url)
    try:
        if url.backend == "sqlite":  # the first connection creates it
            connection(load_settings(user="x", database_url=db_url, env={})).close()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_postgres_is_never_auto_migrated(scratch_dbs: ScratchDatabases, cli: InProcess) -> None:
    url = scratch_dbs.create(upgraded=False)
    cli.env["DATABASE_URL"] = url
    for args in (["add", "x"], ["list"], ["done", "1"]):
        result = cli(*args)
        assert (result.returncode, result.stdout) == (5, ""), args
        assert (
            result.stderr == "todo: error: the database has no todo schema; run: todo db upgrade\n"
        )
    check = cli("whoami", "--check")
    assert check.returncode == 5
    assert f"schema    none (head {schema.HEAD}, missing)\n" in check.stdout
    # (the test connects as a superuser, so a row-level security warning comes
    # first, naming the group of 0011, not 0005's todo_app)
    assert "Connect as a role in this database's group todo_<tag>_app, which todo db" in (
        check.stderr
    )
    assert check.stderr.endswith(
        "todo: error: the database schema is not at head; run: todo db upgrade\n"
    )
    assert json.loads(cli.ok("db", "status", "--json"))["current"] is None
    assert cli.ok("db", "upgrade") == f"Upgraded schema: none -> {schema.HEAD}\n"
    assert cli.ok("db", "upgrade") == f"Schema already at head ({schema.HEAD})\n"
    up_to_date = f"schema    {schema.HEAD} (head {schema.HEAD}, up to date)\n"
    assert up_to_date in cli.ok("whoami", "--check")
    assert cli.ok("add", "x") == "1\n"


def test_alembic_upgrade_head_from_the_repo_reads_database_url(
    scratch_dbs: ScratchDatabases, todo: Todo
) -> None:
    url = scratch_dbs.create(upgraded=False)
    alembic = str(Path(sys.executable).with_name("alembic"))
    env = {**todo.env, "DATABASE_URL": url}
    subprocess.run([alembic, "upgrade", "head"], cwd=REPO, env=env, check=True, capture_output=True)
    todo.env["DATABASE_URL"] = url
    status = json.loads(todo.ok("db", "status", "--json"))
    assert status["current"] == status["head"] == schema.HEAD
    assert status["up_to_date"] is True


def test_sqlite_is_created_on_first_use_privately(todo: Todo, home: Path) -> None:
    assert todo.ok("list") == ""
    path = home / ".local" / "share" / "todo" / "todo.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    up_to_date = f"schema    {schema.HEAD} (head {schema.HEAD}, up to date)\n"
    assert up_to_date in todo.ok("whoami", "--check")


def test_concurrent_first_use_of_sqlite(todo: Todo) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "todo_cli", "add", f"t{i}"],
            env=todo.env,
            cwd=todo.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    results = [(*p.communicate(timeout=60), p.returncode) for p in procs]
    assert [r[2] for r in results] == [0] * 4, results
    assert sorted(int(r[0]) for r in results) == [1, 2, 3, 4]


def test_the_wheel_ships_the_migrations(scratch_dbs: ScratchDatabases, tmp_path: Path) -> None:
    """An installed wheel (not this checkout) can run `todo db upgrade`."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("todo_cli-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("env.py", "script.py.mako", "versions/0001_initial.py"):
        assert f"todo_cli/migrations/{name}" in names
    assert "todo_cli/store/sqlite.sql" in names  # a fresh SQLite file is made from it
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    url = scratch_dbs.create(upgraded=False)
    env = {**os.environ, "PYTHONPATH": str(target), "DATABASE_URL": url, "TODO_USER": "w"}
    run = [
        sys.executable,
        "-c",
        "import sys, todo_cli.cli as c; print(c.__file__, file=sys.stderr); sys.exit(c.main())",
    ]
    upgraded = subprocess.run(
        [*run, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stderr.startswith(str(target))  # the wheel's copy ran, not the checkout
    assert upgraded.stdout == f"Upgraded schema: none -> {schema.HEAD}\n"
    # The installed copy reads its head from the scripts it ships.
    head = subprocess.run(
        [sys.executable, "-c", "from todo_cli.store import schema as s; print(s.__file__, s.HEAD)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert head.stdout == f"{target / 'todo_cli/store/schema.py'} 0011\n"


def _upgrade_to(url: str, revision: str) -> None:
    from alembic import command

    engine = _engine(url)
    try:
        with engine.begin() as conn:
            config = migrations.config(conn)
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _sql(url: str, *statements: str) -> object:
    """Run statements in one committed transaction; the last one's first value."""
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            result = [conn.exec_driver_sql(statement) for statement in statements][-1]
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_keeps_rows_from_the_first_revision(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, cli: InProcess
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        driver.prepare_sqlite_file(tmp_path / "old.db")
    else:
        url = request.getfixturevalue("scratch_dbs").create(upgraded=False)
    _upgrade_to(url, "0001")
    _sql(
        url,
        "INSERT INTO users (id, name, created_at, last_number) "
        "VALUES (1, 'alice', '2026-01-02 03:04:05', 2)",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) VALUES "
        "(1, 1, 'old one', FALSE, '2026-01-02 03:04:05', '2026-01-02 03:04:05'), "
        "(1, 2, 'old two', TRUE, '2026-01-02 03:04:05', '2026-01-02 03:04:05')",
    )
    cli.env.update(DATABASE_URL=url, TODO_USER="alice")
    if backend == "postgresql":  # never auto-migrated: a clear exit 5 first
        result = cli("add", "new")
        assert result.returncode == 5
        assert result.stderr == (
            f"todo: error: the database schema is at revision 0001, this todo needs "
            f"{schema.HEAD}; run: todo db upgrade\n"
        )
        assert cli.ok("db", "upgrade") == f"Upgraded schema: 0001 -> {schema.HEAD}\n"
    assert cli.ok("add", "new") == "3\n"  # SQLite upgrades itself on first use
    listed = json.loads(cli.ok("list", "--all", "--json"))
    assert [(t["number"], t["title"], t["done"]) for t in listed] == [
        (1, "old one", False),
        (2, "old two", True),
        (3, "new", False),
    ]
    assert listed[0]["created_at"] == "2026-01-02T03:04:05.000000Z"


def _revision(url: str, set_to: str | None = None) -> str:
    if set_to is not None:
        _sql(url, f"UPDATE alembic_version SET version_num = '{set_to}'")
    return str(_sql(url, "SELECT version_num FROM alembic_version"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_schema_newer_than_this_todo_is_named_and_left_alone(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, cli: InProcess
) -> None:
    """A teammate's newer todo upgraded the database: this one says so."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'newer.db'}"
    else:
        url = request.getfixturevalue("scratch_dbs").create()
    cli.env["DATABASE_URL"] = url
    assert cli.ok("add", "x") == "1\n"
    _revision(url, set_to="0999")
    newer = (
        "todo: error: the database schema is at revision 0999, newer than this todo knows "
        f"(up to {schema.HEAD}): a newer todo upgraded it; upgrade todo\n"
    )
    check = cli("whoami", "--check")
    assert check.returncode == 5
    assert f"schema    0999 (head {schema.HEAD}, newer)\n" in check.stdout
    assert check.stderr.endswith(newer)
    upgrade = cli("db", "upgrade")
    assert (upgrade.returncode, upgrade.stdout, upgrade.stderr) == (5, "", newer)
    status = json.loads(cli.ok("db", "status", "--json"))
    assert (status["current"], status["state"], status["up_to_date"]) == ("0999", "newer", False)
    assert cli.ok("db", "status").startswith("current  0999 (newer)\n")
    # Everyday commands go on working, and nothing rewrote the revision.
    assert cli.ok("add", "y") == "2\n"
    assert cli.ok("list") == "1\topen\tx\n2\topen\ty\n"
    assert _revision(url) == "0999"
    # Until the newer migration is one this todo cannot work with: then the
    # failing statement says to upgrade todo, not "unexpected error".
    _sql(url, "ALTER TABLE todos RENAME COLUMN note TO body")
    for args in (["add", "z"], ["list"]):
        result = cli(*args)
        assert (result.returncode, result.stdout, result.stderr) == (5, "", newer), args


def test_known_revisions_are_the_scripts() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(revision.script_location()))
    assert {s.revision for s in scripts.walk_revisions()} == revision.KNOWN
    assert [schema.state(r) for r in (None, "0001", schema.HEAD, "0999")] == [
        "missing",
        "behind",
        "up to date",
        "newer",
    ]


def test_a_sqlite_file_without_its_revision_is_named_not_remigrated(
    tmp_path: Path, todo: Todo
) -> None:
    path = tmp_path / "lost.db"
    todo.env["DATABASE_URL"] = f"sqlite:///{path}"
    assert todo.ok("add", "x") == "1\n"
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE alembic_version")
    result = todo("list")
    assert (result.returncode, result.stdout, result.stderr) == (
        5,
        "",
        f"todo: error: {path} has todo tables but no schema revision (its alembic_version "
        "table is gone or empty): restore it from a backup, or move it away to start afresh\n",
    )
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT title FROM todos").fetchall() == [("x",)]


def test_the_sqlite_schema_file_is_what_the_migrations_build(tmp_path: Path) -> None:
    """store/sqlite.sql, which makes a fresh file without Alembic, holds what
    the migrations build (regenerate it: python -m todo_cli.store.migrations),
    and a file made from it has their catalog, statement for statement."""
    shipped = (Path(migrations.__file__).parent / "sqlite.sql").read_text(encoding="utf-8")
    assert migrations.dump_sqlite() == shipped
    migrated = tmp_path / "migrated.db"
    driver.prepare_sqlite_file(migrated)
    migrations.upgrade_sqlite(parse_database_url(f"sqlite:///{migrated}", source=""))
    made = tmp_path / "made.db"
    connection(load_settings(user="x", database_url=f"sqlite:///{made}", env={})).close()

    def catalog(path: Path) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(path)
        try:
            return (
                conn.execute(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
                ).fetchall()
                + conn.execute("SELECT * FROM alembic_version").fetchall()
            )
        finally:
            conn.close()

    assert catalog(made) == catalog(migrated)


def test_the_postgresql_schema_file_is_what_the_migrations_build(
    scratch_dbs: ScratchDatabases,
) -> None:
    """store/postgresql.sql, the database's rules in one place, is what the
    migrations build: a migration that changes a policy, a function or a
    grant without it fails here (regenerate: tests/support/pgschema.py)."""
    from tests.support import pgschema

    shipped = (Path(migrations.__file__).parent / "postgresql.sql").read_text(encoding="utf-8")
    assert pgschema.dump(scratch_dbs.create()) == shipped
