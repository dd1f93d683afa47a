"""What each command imports: startup time is most of a command's cost.

Commands that never connect must not load the database stack at all, and
the everyday commands run on the DB-API drivers: no SQLAlchemy, SQLModel or
Alembic (only `todo db upgrade`, the SQLite file's self-upgrade and `todo
admin` need them), and no psycopg2 on SQLite. Nor do they load the CLI
framework: their command lines are parsed by the fast path (fastpath.py),
so no Typer or Click, and no Rich unless a terminal table is drawn.

The probe runs todo_cli.cli.main() in a fresh interpreter, exactly as the
console script does, and reports the top-level modules in sys.modules at
exit, plus which module first imported each watched package (so a failure
says who to blame). One test cross-checks the real `todo` executable with
PYTHONPROFILEIMPORTTIME.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import Todo
from todo_cli import __version__

DATABASE_STACK = ("sqlalchemy", "sqlmodel", "psycopg2", "alembic")
MODEL_STACK = ("alembic", "sqlmodel", "pydantic")
FRAMEWORK = ("typer", "click", "rich")
WATCHED = (*DATABASE_STACK, "pydantic", "sqlite3", *FRAMEWORK, "shutil")
PG_URL = "postgresql://alice:s3cret@db.example.invalid:5432/todo"

PROBE = """
import json, os, sys

WATCHED = set(json.loads(os.environ["TODO_PROBE_WATCH"]))
importers = {}


class Spy:
    # A meta-path finder that only watches: who first imports each package?
    @staticmethod
    def find_spec(name, path=None, target=None):
        top = name.partition(".")[0]
        if top in WATCHED and top not in importers:
            frame = sys._getframe(1)
            while frame is not None and (
                frame.f_code.co_filename.startswith("<frozen")
                or frame.f_globals.get("__name__", "").startswith("importlib")
            ):
                frame = frame.f_back
            where = frame and f"{frame.f_globals.get('__name__')}:{frame.f_lineno}"
            importers[top] = where or "?"
        return None


sys.meta_path.insert(0, Spy)
sys.argv[0] = "todo"
code = None
try:
    from todo_cli.cli import main

    if os.environ.get("TODO_PROBE_TTY"):  # stdout as a terminal: tables are drawn
        from todo_cli.environment import Environment

        environment = Environment.from_process()
        environment.stdout_isatty = True
        code = main(None, environment)
    else:
        code = main()
finally:
    with open(os.environ["TODO_PROBE_OUT"], "w") as fh:
        json.dump(
            {
                "code": code,
                "modules": sorted({m.partition(".")[0] for m in list(sys.modules)}),
                "importers": importers,
            },
            fh,
        )
sys.exit(code)
"""


@dataclass
class Probe:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    modules: set[str]
    importers: dict[str, str]

    def loaded(self, names: tuple[str, ...]) -> dict[str, str]:
        """The watched names that were imported, with their first importer."""
        return {n: self.importers.get(n, "?") for n in names if n in self.modules}


def probe(todo: Todo, *args: str, env: dict[str, str] | None = None) -> Probe:
    out = todo.cwd.parent / "probe.json"
    out.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input="",
        capture_output=True,
        text=True,
        env={
            **todo.env,
            **(env or {}),
            "TODO_PROBE_OUT": str(out),
            "TODO_PROBE_WATCH": json.dumps(WATCHED),
        },
        cwd=todo.cwd,
        timeout=60,
    )
    assert out.exists(), (args, result.returncode, result.stdout, result.stderr)
    data = json.loads(out.read_text())
    assert data["code"] == result.returncode, (data["code"], result.returncode, result.stderr)
    # Positive control: the probe really ran the CLI.
    assert "todo_cli" in data["modules"], data["modules"]
    return Probe(
        args,
        result.returncode,
        result.stdout,
        result.stderr,
        set(data["modules"]),
        data["importers"],
    )


# --- commands that never connect -----------------------------------------------

NEVER_CONNECT = {
    "help": (("--help",), {}),
    "version": (("--version",), {}),
    "no args": ((), {}),
    "profile list": (("profile", "list"), {}),
    "whoami": (("whoami",), {}),
    "whoami --json": (("whoami", "--json"), {}),
    "whoami pg": (("whoami",), {"DATABASE_URL": PG_URL}),
    "whoami pg --json": (("whoami", "--json"), {"DATABASE_URL": PG_URL}),
}


@pytest.mark.parametrize("case", list(NEVER_CONNECT))
def test_commands_that_never_connect_skip_the_database_stack(todo: Todo, case: str) -> None:
    args, env = NEVER_CONNECT[case]
    assert not any(todo.home.iterdir()), "HOME should start empty"
    p = probe(todo, *args, env=env)
    assert p.code == 0, (p.stdout, p.stderr)
    assert "typer" in p.modules  # help and the rarer commands: Typer parses them
    assert not p.loaded(DATABASE_STACK), (
        f"`todo {' '.join(args)}` imported {p.loaded(DATABASE_STACK)}"
    )
    assert not any(todo.home.rglob("*")), "a command that never connects wrote to HOME"
    if case.startswith("whoami pg"):
        assert "db.example.invalid" in p.stdout
        assert "s3cret" not in p.stdout + p.stderr


def test_profiles_with_postgres_urls_skip_the_database_stack(todo: Todo) -> None:
    added = probe(todo, "profile", "add", "work", "--user", "bob", "--database-url", PG_URL)
    assert added.code == 0, added.stderr
    used = probe(todo, "profile", "use", "work")
    assert used.code == 0, used.stderr
    listed = probe(todo, "profile", "list")
    assert listed.code == 0, listed.stderr
    assert listed.stdout == "* work\tbob\tpostgresql db.example.invalid:5432/todo\n"
    who = probe(todo, "whoami")
    assert who.code == 0, who.stderr
    assert "postgresql db.example.invalid:5432/todo  (profile work)" in who.stdout
    for p in (added, used, listed, who):
        assert not p.loaded(DATABASE_STACK), (
            f"`todo {' '.join(p.args)}` imported {p.loaded(DATABASE_STACK)}"
        )


def _imported_by_executable(todo: Todo, *args: str, env: dict[str, str]) -> set[str]:
    """Top-level packages the real console script imports (-X importtime on stderr)."""
    result = todo(*args, env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", result.stderr, re.M)
    assert "todo_cli.cli" in names, result.stderr[-2000:]  # the probe saw the CLI load
    return {n.partition(".")[0] for n in names}


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--help",), {}), (("profile", "list"), {}), (("whoami",), {"DATABASE_URL": PG_URL})],
    ids=["help", "profile list", "whoami pg"],
)
def test_real_executable_agrees(todo: Todo, args: tuple[str, ...], env: dict[str, str]) -> None:
    imported = _imported_by_executable(todo, *args, env=env)
    assert not imported & set(DATABASE_STACK), sorted(imported & set(DATABASE_STACK))


def test_version_prints_exactly_name_and_version(todo: Todo) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)
    result = todo("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"todo {__version__}\n", "")


# --- everyday commands: the drivers only -------------------------------------------

# In order, each on what the ones before left: every command a person or a
# script runs day to day.
EVERYDAY = (
    ("add", "buy milk", "-t", "shop"),
    ("add", "second", "--json"),
    ("list",),
    ("list", "--json"),
    ("show", "1"),
    ("edit", "1", "--title", "Buy oat milk"),
    ("done", "1"),
    ("reopen", "1"),
    ("log",),
    ("export", "--format", "todotxt"),
    ("import", "IMPORT_FILE"),
    ("undo",),
    ("rm", "2", "--yes"),
    ("whoami", "--check"),
    ("db", "status"),
)
SCHEMA_STACK = ("sqlalchemy", "sqlmodel", "alembic")


@pytest.fixture(params=["sqlite", "postgresql"])
def at_head(request: pytest.FixtureRequest, todo: Todo, tmp_path: Path) -> dict[str, str]:
    """A database at head: the SQLite file made by a first command, or a
    scratch PostgreSQL one."""
    if request.param == "sqlite":
        env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'todo.db'}", "TODO_USER": "alice"}
        first = probe(todo, "add", "first", env=env)
        assert first.code == 0, first.stderr
        # First use makes the file from store/sqlite.sql: no Alembic, no SQLAlchemy.
        assert not first.loaded(SCHEMA_STACK), first.importers
        return env
    url = request.getfixturevalue("scratch_dbs").create()
    return {"DATABASE_URL": url, "TODO_USER": "alice"}


def test_everyday_commands_import_no_schema_stack(
    todo: Todo, at_head: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("(A) imported +x\n")
    sqlite = at_head["DATABASE_URL"].startswith("sqlite")
    driver = "sqlite3" if sqlite else "psycopg2"
    offenders = {}
    for args in EVERYDAY:
        argv = [str(source) if a == "IMPORT_FILE" else a for a in args]
        p = probe(todo, *argv, env=at_head)
        assert p.code == 0, (argv, p.stdout, p.stderr)
        assert driver in p.modules, (argv, "did not reach the database?")
        # ssl: psycopg2 would import it for nothing (driver._load_psycopg2).
        unwanted = p.loaded(SCHEMA_STACK + (("psycopg2",) if sqlite else ("ssl",)))
        if unwanted:
            offenders[" ".join(argv)] = unwanted
    assert offenders == {}, offenders


def test_first_use_of_a_fresh_sqlite_file_imports_no_schema_stack(todo: Todo) -> None:
    """The storm's case (tests/system/test_storms.py): the real executable's
    first `todo add` on a fresh HOME makes the file from store/sqlite.sql,
    stamped at head, without Alembic, SQLAlchemy or SQLModel (about half a
    second of imports for each process that starts on the fresh file)."""
    imported = _imported_by_executable(todo, "add", "first", env={})
    assert imported & set(SCHEMA_STACK) == set()
    assert "sqlite3" in imported  # it did reach the database
    path = todo.home / ".local" / "share" / "todo" / "todo.db"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT title FROM todos").fetchall() == [("first",)]
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    conn.close()


@pytest.mark.parametrize("case", [("add", "x"), ("list",)])
def test_everyday_commands_skip_pydantic(todo: Todo, tmp_path: Path, case: tuple[str, ...]) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'todo.db'}"}
    assert probe(todo, "whoami", "--check", env=env).code == 0
    p = probe(todo, *case, env=env)
    assert p.code == 0, p.stderr
    # pyproject pins Typer below 0.29, which imports pydantic for every option.
    assert not p.loaded(MODEL_STACK), f"`todo {case}` imported {p.loaded(MODEL_STACK)}"


def test_db_upgrade_imports_alembic(todo: Todo, tmp_path: Path) -> None:
    """Upgrading a file that is behind runs the migrations (Alembic)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'behind.db'}"}
    assert probe(todo, "list", env=env).code == 0  # made at head
    conn = sqlite3.connect(tmp_path / "behind.db")
    with conn:  # back to 0010: without 0011's table
        conn.execute("DROP TABLE todo_roles")
        conn.execute("UPDATE alembic_version SET version_num = '0010'")
    conn.close()
    p = probe(todo, "db", "upgrade", env=env)
    assert p.code == 0, p.stderr
    assert p.stdout.startswith("Upgraded schema: 0010 -> ")
    assert "alembic" in p.modules, "the probe cannot see alembic, so the tests above prove nothing"
    again = probe(todo, "db", "upgrade", env=env)
    assert again.stdout.startswith("Schema already at head")


def test_tab_on_commands_and_options_imports_neither_typer_nor_a_driver(todo: Todo) -> None:
    """The shell's call for `todo <TAB>` goes from the entry point to the
    completion table: no Typer, no sqlite3, no psycopg2."""
    result = todo(
        "__complete", "bash", "2", "todo", "list", "--",
        env={"DATABASE_URL": PG_URL, "PYTHONPROFILEIMPORTTIME": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "--sort\n" in result.stdout
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", result.stderr, re.M)
    assert "todo_cli.completion" in names, result.stderr[-2000:]
    assert {n.partition(".")[0] for n in names} & {*WATCHED, "rich"} == set()


# --- everyday commands: no CLI framework ---------------------------------------------

# Every everyday command, in a pipe (no terminal table), each on what the
# ones before left.
PIPED = (
    ("add", "buy milk", "-t", "shop"),
    ("add", "second", "--json"),
    ("list",),
    ("ls", "--all", "--json"),
    ("show", "1"),
    ("edit", "1", "--title", "Buy oat milk", "--json"),
    ("done", "1"),
    ("reopen", "1", "--json"),
    ("log", "-n", "5"),
    ("undo",),
    ("rm", "2", "--yes"),
    ("stats",),
    ("stats", "--json"),
)
# The whole list of what they may import beyond the probe's own start: the
# standard library's modules by who brings them, todo_cli, and the driver.
# Not typing (about 11 million instructions, a tenth of a `todo add`): its
# names are imported under `if TYPE_CHECKING:` (TYPE_CHECKING = False at run
# time), and the aliases and Protocols the type checker alone reads live there.
# Nor pathlib, nor the urllib.parse and ipaddress it imports (about 18 million
# instructions): paths are strings (todo_cli/paths.py), and dburl parses a
# PostgreSQL URL alone with urllib.parse.
EVERYDAY_IMPORTS = {
    "todo_cli",
    "sqlite3",  # the driver (psycopg2 on PostgreSQL)
    "contextlib", "datetime", "errno", "unicodedata",  # everywhere
    "importlib", "warnings",  # commands/__init__.py: a command's module by its name
    "math",  # datetime's
    "signal",  # the session: Ctrl-C while a change commits (not on list)
    "fcntl",  # the first command: the SQLite file is made under a lock
}  # fmt: skip
BASELINE = """
import json, os, sys
print(json.dumps(sorted({m.partition(".")[0] for m in sys.modules})))
"""


# On PostgreSQL, beyond those: the driver and what it brings (decimal,
# numbers), select (its waits), urllib.parse and the ipaddress it imports
# (the URL; the offline file's name), and pathlib with fnmatch and ntpath
# (the offline file's path, todo_cli/offline/common.py). Not dataclasses
# (with inspect, ast, dis and tokenize), typing or hashlib, which the
# offline file's module brought to every command on PostgreSQL (about 20 ms
# of its 70).
PG_IMPORTS = {
    "psycopg2", "decimal", "numbers", "select", "urllib", "ipaddress",
    "pathlib", "fnmatch", "ntpath",
}  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_everyday_commands_import_no_cli_framework(
    todo: Todo, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'todo.db'}", "TODO_USER": "alice"}
        allowed, driver = EVERYDAY_IMPORTS, "sqlite3"
    else:
        env = {
            "DATABASE_URL": request.getfixturevalue("scratch_dbs").create(),
            "TODO_USER": "alice",
        }
        allowed, driver = EVERYDAY_IMPORTS | PG_IMPORTS, "psycopg2"
    start = subprocess.run(
        [sys.executable, "-c", BASELINE], capture_output=True, text=True, check=True
    )
    before = set(json.loads(start.stdout))
    extra: dict[str, list[str]] = {}
    for args in PIPED:
        p = probe(todo, *args, env=env)
        assert p.code == 0, (args, p.stdout, p.stderr)
        assert driver in p.modules, (args, "did not reach the database?")
        assert not p.loaded((*FRAMEWORK, "shutil")), (args, p.importers)
        public = {m for m in p.modules - before if not m.startswith("_")}
        if public - allowed:
            extra[" ".join(args)] = sorted(public - allowed)
    assert extra == {}


def test_a_terminal_table_imports_rich_and_a_usage_error_typer(todo: Todo, tmp_path: Path) -> None:
    """The positive controls: the probe sees Rich and Typer when they are used."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'todo.db'}", "TODO_USER": "alice"}
    assert probe(todo, "add", "x", env=env).code == 0
    table = probe(todo, "list", env={**env, "TODO_PROBE_TTY": "1"})
    assert table.code == 0, table.stderr
    assert "rich" in table.modules
    assert "typer" not in table.modules
    wrong = probe(todo, "list", "--limit", "-1", env=env)
    assert wrong.code == 2
    assert "typer" in wrong.modules
