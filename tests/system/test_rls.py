"""Row-level security on PostgreSQL: attacks with raw psycopg2 as each role.

Each attack must see zero rows, change zero rows, or get a permission error.
Roles are cluster-wide, so every role made here has a random suffix and is
dropped at the end.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg2
import pytest
from psycopg2 import errors, sql

from tests.support.databases import ScratchDatabases, groups
from tests.support.processes import Todo
from todo_cli.dburl import parse_database_url


@dataclass
class World:
    url: str  # as the owner (postgres)
    app: str  # shared-credential role, member of the database's app group
    alice: str  # per-user role of alice
    bob: str  # per-user role of bob

    def as_role(self, role: str) -> str:
        parsed = parse_database_url(self.url, source="")
        return f"postgresql://{role}@{parsed.host}:{parsed.port}/{parsed.database}?sslmode=disable"


def owner_exec(url: str, *statements: str | sql.Composable) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        for s in statements:
            cur.execute(s)
    conn.close()


def make_world(scratch_dbs: ScratchDatabases) -> World:
    """A database with alice and bob (per-user roles), carol and dave
    (shared-credential users), a shared app role, and their todos."""
    url = scratch_dbs.create()
    suffix = uuid.uuid4().hex[:8]
    w = World(url, f"rls_app_{suffix}", f"rls_alice_{suffix}", f"rls_bob_{suffix}")
    app, person = (sql.Identifier(g) for g in groups(url))
    owner_exec(
        url,
        sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(sql.Identifier(w.app), app),
        sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(sql.Identifier(w.alice), person),
        sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(sql.Identifier(w.bob), person),
        # alice and bob are per-user accounts; carol and dave are shared-mode users.
        "INSERT INTO users (name, created_at, last_number, db_role) VALUES "
        f"('alice', now(), 2, '{w.alice}'), ('bob', now(), 1, '{w.bob}'), "
        "('carol', now(), 1, NULL), ('dave', now(), 0, NULL)",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
        "SELECT id, n, name || ' secret ' || n, FALSE, now(), now() FROM users, "
        "generate_series(1, last_number) AS n",
        "INSERT INTO todo_tags (todo_id, tag) SELECT id, 'private' FROM todos",
        # The journal entries of alice's and carol's adds (bob has none).
        "INSERT INTO events (user_id, at, action, data) SELECT id, now(), 'add', "
        "json_build_object('first', 1, 'last', last_number, 'title', name)::text FROM users "
        "WHERE name IN ('alice', 'carol')",
    )
    return w


def destroy_world(world: World, scratch_dbs: ScratchDatabases) -> None:
    # This database first: roles with privileges in it cannot be dropped.
    scratch_dbs.drop(parse_database_url(world.url, source="").database or "")
    owner_exec(
        scratch_dbs.admin_url,
        *(
            sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(r))
            for r in (world.app, world.alice, world.bob)
        ),
    )


@pytest.fixture(scope="module")
def world(scratch_dbs: ScratchDatabases) -> Iterator[World]:
    """Shared by the tests of this module that only read and attack: none
    of them may change it (a test that writes takes its own_world)."""
    w = make_world(scratch_dbs)
    yield w
    destroy_world(w, scratch_dbs)


@pytest.fixture
def own_world(scratch_dbs: ScratchDatabases) -> Iterator[World]:
    """A world for one test that changes it."""
    w = make_world(scratch_dbs)
    yield w
    destroy_world(w, scratch_dbs)


def run(url: str, *statements: str, setting: str | None = None) -> list[tuple[object, ...]]:
    """Run statements in one transaction (rolled back); the last one's rows."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            if setting is not None:
                cur.execute("SELECT set_config('todo.user', %s, true)", (setting,))
            rows: list[tuple[object, ...]] = []
            for s in statements:
                cur.execute(s)
                rows = cur.fetchall() if cur.description else [(cur.rowcount,)]
            return rows
    finally:
        conn.rollback()
        conn.close()


def test_each_per_user_role_sees_only_its_own_rows(world: World) -> None:
    alice = world.as_role(world.alice)
    assert run(alice, "SELECT title FROM todos ORDER BY number") == [
        ("alice secret 1",),
        ("alice secret 2",),
    ]
    assert run(alice, "SELECT name FROM users") == [("alice",)]
    assert run(alice, "SELECT count(*) FROM todo_tags") == [(2,)]


@pytest.mark.parametrize("role", ["alice", "bob", "app"])
@pytest.mark.parametrize(
    "attack",
    [
        "SELECT count(*) FROM todos WHERE user_id = (SELECT min(id) FROM users) + 2",
        "UPDATE todos SET title = 'pwned' WHERE title LIKE 'carol%'",
        "DELETE FROM todos WHERE title LIKE 'carol%'",
        "UPDATE users SET last_number = 99 WHERE name = 'carol'",
        "DELETE FROM todo_tags WHERE todo_id IN (SELECT id FROM todos WHERE title LIKE 'carol%')",
        "SELECT count(*) FROM events WHERE data LIKE '%carol%'",
        "UPDATE events SET undone_at = now() WHERE data LIKE '%carol%'",
    ],
)
def test_foreign_rows_cannot_be_read_or_changed(world: World, role: str, attack: str) -> None:
    url = world.as_role(getattr(world, role))
    setting = "dave" if role == "app" else None  # the app role names a user with no carol rows
    assert run(url, attack, setting=setting) == [(0,)]


def test_inserting_for_another_user_is_refused(world: World) -> None:
    for role, setting in ((world.bob, None), (world.app, "dave")):
        with pytest.raises(errors.InsufficientPrivilege):
            run(
                world.as_role(role),
                "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
                "SELECT id, 99, 'planted', FALSE, now(), now() FROM users WHERE name = 'dave' "
                "UNION ALL SELECT (SELECT max(id) FROM users) - 3, 98, 'planted', FALSE, now(), now()",
                setting=setting,
            )


@pytest.mark.parametrize("target", ["alice", "carol"])
def test_a_per_user_role_cannot_impersonate_by_changing_the_setting(
    world: World, target: str
) -> None:
    bob = world.as_role(world.bob)
    assert run(bob, "SELECT count(*) FROM todos WHERE title NOT LIKE 'bob%'", setting=target) == [
        (0,)
    ]
    assert run(bob, "SELECT name FROM users", setting=target) == [("bob",)]


@pytest.mark.parametrize("setting", [None, "", "nobody"])
def test_no_or_empty_setting_shows_nothing(world: World, setting: str | None) -> None:
    app = world.as_role(world.app)
    assert run(app, "SELECT count(*) FROM todos", setting=setting) == [(0,)]
    assert run(app, "SELECT count(*) FROM users", setting=setting) == [(0,)]
    assert run(app, 'RESET todo."user"', "SELECT count(*) FROM todos", setting="dave") == [(0,)]
    assert run(app, "SET todo.\"user\" = ''", "SELECT count(*) FROM users") == [(0,)]


def test_copy_sees_only_visible_rows(world: World) -> None:
    conn = psycopg2.connect(world.as_role(world.alice))
    try:
        import io

        buf = io.StringIO()
        with conn.cursor() as cur:
            cur.copy_expert("COPY (SELECT title FROM todos) TO STDOUT", buf)
        assert sorted(buf.getvalue().splitlines()) == ["alice secret 1", "alice secret 2"]
        whole = io.StringIO()
        with conn.cursor() as cur:  # COPY of the table applies the SELECT policy too
            cur.copy_expert("COPY todos (title) TO STDOUT", whole)
        assert sorted(whole.getvalue().splitlines()) == ["alice secret 1", "alice secret 2"]
    finally:
        conn.close()


def test_the_cli_works_as_a_per_user_role_and_as_the_shared_role(
    own_world: World, todo: Todo
) -> None:
    world = own_world
    todo.env.update(DATABASE_URL=world.as_role(world.alice), TODO_USER="alice")
    assert todo.ok("list") == "1\topen\talice secret 1\n2\topen\talice secret 2\n"
    assert todo.ok("add", "alice new") == "3\n"
    # bob's credentials with alice's name: the database refuses, nothing leaks.
    result = todo("list", "--all", env={"DATABASE_URL": world.as_role(world.bob)})
    assert (result.returncode, result.stdout) == (3, "")
    assert "these credentials are for user bob, not alice" in result.stderr
    todo.env.update(DATABASE_URL=world.as_role(world.app), TODO_USER="dave")
    assert todo.ok("add", "dave first") == "1\n"
    assert todo.ok("list") == "1\topen\tdave first\n"
    assert todo.ok("list", env={"TODO_USER": "eve"}) == ""


def test_repeating_todos_as_a_per_user_role_and_as_the_shared_role(
    own_world: World, todo: Todo
) -> None:
    """The next one, its tags and the repair of one an older todo completed
    all pass row-level security (the tags once failed it: copied in the
    statement that made the todo, which the policy could not see yet)."""
    world = own_world
    for url, user in ((world.as_role(world.alice), "alice"), (world.as_role(world.app), "dave")):
        todo.env.update(DATABASE_URL=url, TODO_USER=user, TZ="UTC")
        n = int(todo.ok("add", "Water", "--every", "day", "--due", "2030-01-01", "-t", "home"))
        assert todo.ok("done", str(n)).endswith(f"Next {n + 1}: Water (due 2030-01-02 23:59 UTC)\n")
        assert todo.ok("rm", "--yes", str(n + 1)).endswith(
            f"Next {n + 2}: Water (due 2030-01-03 23:59 UTC)\n"
        )
        # As a todo before recurrence completes it: no next one, which the next list makes.
        owner_exec(
            world.url,
            f"UPDATE todos SET done = true FROM users WHERE users.id = todos.user_id "
            f"AND users.name = '{user}' AND number = {n + 2}",
        )
        listed = todo.ok("list", "--json")
        (nxt,) = [t for t in json.loads(listed) if t["title"] == "Water"]
        assert (nxt["number"], nxt["tags"], nxt["due"]) == (
            n + 3,
            ["home"],
            "2030-01-04T23:59:59.000000Z",
        )


def test_whoami_check_warns_when_the_role_bypasses_rls(world: World, todo: Todo) -> None:
    owner = todo("whoami", "--check", "--json", env={"DATABASE_URL": world.url})
    assert owner.returncode == 0
    assert json.loads(owner.stdout)["check"]["role_bypasses_rls"] is True
    assert owner.stderr.startswith("todo: warning: the database role postgres bypasses row-level")
    app = todo("whoami", "--check", env={"DATABASE_URL": world.as_role(world.app)})
    assert (app.returncode, app.stderr) == (0, ""), app.stderr
    assert f"role      {world.app}\n" in app.stdout


def test_wrong_credentials_for_the_user_are_refused_clearly(world: World, todo: Todo) -> None:
    todo.env.update(DATABASE_URL=world.as_role(world.bob), TODO_USER="alice")
    result = todo("add", "planted")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr.startswith(
        "todo: error: the database refused: these credentials are for user bob, not alice; "
    )
    assert result.stderr.endswith(
        "check that the user (todo whoami) matches the credentials in the database URL\n"
    )


def test_admin_user_add_and_rm(world: World, todo: Todo) -> None:
    name = f"erin_{uuid.uuid4().hex[:6]}"
    owner = {"DATABASE_URL": world.url}
    out = todo.ok("admin", "user", "add", name, env=owner)
    made = re.fullmatch(
        rf"Created role (todo_[0-9a-f]{{8}}_u[0-9a-f]{{10}}) for {name} and saved profile "
        rf"{name} \(mode 0600\)\. Hand it over, or: todo profile use {name}\n",
        out,
    )
    assert made, out
    role = made.group(1)  # the database's, and no user's name in it
    try:
        assert todo.ok("-P", name, "add", "erin's own") == "1\n"
        assert todo.ok("-P", name, "list") == "1\topen\terin's own\n"
        from todo_cli.config import read_config

        (cfg,) = read_config(todo.home / "config" / "config.toml").profiles.values()
        assert cfg.database_url is not None
        password = parse_database_url(cfg.database_url, source="").password
        assert password
        assert password not in todo.ok("profile", "list", "--json")
        # The new credentials, used raw, reach erin's rows and nothing else.
        assert run(cfg.database_url, "SELECT title FROM todos") == [("erin's own",)]
        assert run(cfg.database_url, "SELECT name FROM users") == [(name,)]
        # rm keeps the data; --purge needs --yes without a terminal.
        assert todo.ok("admin", "user", "rm", name, env=owner) == f"Dropped role {role}\n"
        result = todo("-P", name, "list")
        assert result.returncode == 3
        assert f'role "{role}" does not exist' in result.stderr
        assert run(
            world.url,
            f"SELECT count(*) FROM todos t JOIN users u ON u.id = t.user_id WHERE u.name = '{name}'",
        ) == [(1,)]
        result = todo("admin", "user", "rm", name, "--purge", env=owner)
        assert result.returncode == 2
        assert "pass --yes" in result.stderr
    finally:
        owner_exec(world.url, sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_admin_user_print_url_and_purge(world: World, todo: Todo) -> None:
    name = f"fred_{uuid.uuid4().hex[:6]}"
    owner = {"DATABASE_URL": world.url}
    result = todo("admin", "user", "add", name, "--print-url", env=owner)
    assert result.returncode == 0
    (url,) = result.stdout.splitlines()
    role = parse_database_url(url, source="").username or ""
    assert re.fullmatch(r"todo_[0-9a-f]{8}_u[0-9a-f]{10}", role)
    try:
        assert url.endswith(world.url.rpartition("@")[2])  # same host, database and options
        assert (
            result.stderr == f"Role {role} can reach only {name}'s todos. This URL is shown once.\n"
        )
        assert todo.ok("add", "fred's", env={"DATABASE_URL": url, "TODO_USER": name}) == "1\n"
        out = todo.ok("admin", "user", "rm", name, "--purge", "--yes", env=owner)
        assert out == f"Dropped role {role}; deleted {name} and their todos\n"
        assert run(world.url, f"SELECT count(*) FROM users WHERE name = '{name}'") == [(0,)]
    finally:
        owner_exec(world.url, sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_admin_needs_postgres(todo: Todo) -> None:
    result = todo("admin", "user", "add", "someone")
    assert (result.returncode, result.stderr) == (
        2,
        "todo: error: per-user credentials need PostgreSQL: set DATABASE_URL to the owner's URL\n",
    )


def test_every_command_as_bob_against_alices_numbers(world: World, todo: Todo) -> None:
    """bob (per-user credentials) owns todo 1; alice owns 1 and 2."""
    alices = (
        "SELECT t.number, t.title, t.done, t.priority FROM todos t JOIN users u "
        "ON u.id = t.user_id WHERE u.name = 'alice' ORDER BY t.number"
    )
    before = run(world.url, alices)
    todo.env.update(DATABASE_URL=world.as_role(world.bob), TODO_USER="bob")
    missing = "todo: error: no todo numbered 2; nothing was changed (see: todo list --all)\n"
    show = todo("show", "2")
    assert (show.returncode, show.stdout, show.stderr) == (
        1,
        "",
        "todo: error: no todo numbered 2 (see: todo list --all)\n",
    )
    for args in (
        ["edit", "2", "-p", "high"],
        ["done", "2"],
        ["reopen", "2"],
        ["rm", "2", "--yes"],
        ["done", "1-2"],
    ):
        result = todo(*args)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", missing), args
    assert "alice" not in todo.ok("list", "--all", "--json")
    assert "alice" not in todo.ok("export")
    assert "alice" not in todo.ok("log", "--json")
    assert todo.ok("log") == ""
    journal = "SELECT data, undone_at FROM events ORDER BY id"
    events_before = run(world.url, journal)
    # alice's add is the newest entry in the table; bob's undo must not see it.
    result = todo("undo")
    assert (result.returncode, result.stderr) == (
        1,
        "todo: error: nothing to undo (see: todo log)\n",
    )
    assert run(world.url, journal) == events_before
    assert run(world.url, alices) == before
