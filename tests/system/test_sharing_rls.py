"""Sharing on PostgreSQL, attacked in raw psycopg2 as alice, bob and carol,
each both ways the README describes: per-user login roles, and the one
shared role naming the user in the setting.

alice shares +groceries with bob to read and with carol to write; her +home
todo is not shared. Each attack must see nothing, change nothing, or be
refused; the positive controls show the share does work. Set
TODO_SHARING_UNPROTECTED=1 to run the suite against a database without the
protections 0010 adds (what its note counts).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import psycopg2
import pytest
from psycopg2 import sql

from tests.support.databases import RESET, ScratchDatabases, groups
from tests.support.processes import TODO_BIN, Todo
from todo_cli.dburl import parse_database_url

MODES = ["per_user", "shared_role"]


@dataclass
class World:
    url: str  # the owner
    roles: dict[str, str]  # user -> the role to connect as
    per_user: bool
    ids: dict[str, int]
    person_group: str

    def connect(self, user: str) -> psycopg2.extensions.connection:
        parsed = parse_database_url(self.url, source="")
        conn = psycopg2.connect(
            f"postgresql://{self.roles[user]}@{parsed.host}:{parsed.port}/{parsed.database}"
            "?sslmode=disable"
        )
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('todo.user', %s, false)", (user,))
        conn.commit()
        return conn


def _owner(url: str, *statements: str | sql.Composable) -> list[tuple[object, ...]]:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    rows: list[tuple[object, ...]] = []
    with conn.cursor() as cur:
        for s in statements:
            cur.execute(s)
            rows = cur.fetchall() if cur.description else []
    conn.close()
    return rows


UNPROTECTED = [
    # What 0010 adds to keep a share to itself, taken away.
    "DROP POLICY todo_tags_read ON todo_tags",
    "DROP POLICY todo_tags_own_add ON todo_tags",
    "DROP POLICY todo_tags_own_remove ON todo_tags",
    "CREATE POLICY todo_tags_isolation ON todo_tags USING (todo_id IN (SELECT id FROM todos))",
    "CREATE POLICY todo_tags_shared_remove ON todo_tags FOR DELETE USING (true)",
    "DROP POLICY shares_owner ON shares",
    "CREATE POLICY shares_anyone ON shares USING (true) WITH CHECK (true)",
    "DROP POLICY shared_todos_read ON shared_todos",
    "CREATE POLICY shared_todos_any ON shared_todos USING (true)",
    "GRANT INSERT, DELETE ON shared_todos TO {groups}",
    "GRANT UPDATE ON todos TO {groups}",
    "DROP POLICY todos_shared_write ON todos",
    "CREATE POLICY todos_shared_write ON todos FOR UPDATE USING (id IN (SELECT todo_id "
    "FROM shared_todos)) WITH CHECK (true)",
    "DROP TRIGGER todos_in_share ON todos",
]


def _seed(url: str, roles: dict[str, str], per_user: bool) -> dict[str, int]:
    """The world's rows, from nothing: ids and numbers the same each time."""
    users = list(roles)
    _owner(
        url,
        RESET,
        "INSERT INTO users (name, created_at, last_number, db_role) VALUES "
        + ", ".join(f"('{u}', now(), 3, {repr(roles[u]) if per_user else 'NULL'})" for u in users),
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
        "SELECT id, n, name || ' ' || (ARRAY['milk', 'diary', 'eggs'])[n], false, now(), now() "
        "FROM users, generate_series(1, 3) AS n",
        "INSERT INTO todo_tags (todo_id, tag) SELECT id, CASE WHEN number = 2 THEN 'home' "
        "ELSE 'groceries' END FROM todos",
        "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, created_at) "
        "SELECT id, name, 'groceries', 'bob', false, now() FROM users WHERE name = 'alice' "
        "UNION ALL SELECT id, name, 'groceries', 'carol', true, now() FROM users "
        "WHERE name = 'alice'",
    )
    return {str(name): int(str(id_)) for name, id_ in _owner(url, "SELECT name, id FROM users")}


@pytest.fixture(scope="module", params=MODES)
def world_base(request: pytest.FixtureRequest, scratch_dbs: ScratchDatabases) -> Iterator[World]:
    """The database and roles of one mode, made once per module (a scratch
    database costs a run of the migrations); `world` seeds its rows anew for
    each test."""
    per_user = request.param == "per_user"
    url = scratch_dbs.create()
    suffix = uuid.uuid4().hex[:8]
    users = ("alice", "bob", "carol", "dave")
    app = f"share_app_{suffix}"
    roles = {u: f"share_{u}_{suffix}" if per_user else app for u in users}
    made = sorted(set(roles.values()))
    app_group, person_group = groups(url)
    _owner(
        url,
        *(
            sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(r), sql.Identifier(person_group if per_user else app_group)
            )
            for r in made
        ),
        *(
            s.format(groups=f"{app_group}, {person_group}")
            for s in (UNPROTECTED if os.environ.get("TODO_SHARING_UNPROTECTED") else [])
        ),
    )
    yield World(url, roles, per_user, {}, person_group)
    scratch_dbs.drop(parse_database_url(url, source="").database or "")
    _owner(
        scratch_dbs.admin_url,
        *(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(r)) for r in made),
    )


@pytest.fixture
def world(world_base: World) -> World:
    """Alice, bob, carol and dave with three todos each (2 tagged +home, the
    others +groceries); alice shares +groceries with bob to read and with
    carol to write. Seeded for each test: a test may change anything."""
    ids = _seed(world_base.url, world_base.roles, world_base.per_user)
    return replace(world_base, ids=ids)


def attempt(world: World, user: str, *statements: str) -> list[tuple[object, ...]] | str:
    """Statements as user in one transaction, committed: the last one's rows
    (or row count), or the error's SQLSTATE class when refused."""
    conn = world.connect(user)
    try:
        rows: list[tuple[object, ...]] = []
        with conn.cursor() as cur:
            for s in statements:
                cur.execute(s)
                rows = cur.fetchall() if cur.description else [(cur.rowcount,)]
        conn.commit()
        return rows
    except psycopg2.Error as exc:
        conn.rollback()
        return f"refused {exc.pgcode}"
    finally:
        conn.close()


def titles(world: World, user: str) -> list[str]:
    rows = attempt(world, user, "SELECT title FROM todos ORDER BY title")
    assert isinstance(rows, list)
    return [str(r[0]) for r in rows]


def alices(world: World) -> list[tuple[object, ...]]:
    return _owner(
        world.url,
        "SELECT number, title, user_id FROM todos WHERE user_id = "
        f"{world.ids['alice']} ORDER BY number",
    )


# --- what a share shows, and what it hides ---------------------------------------------


def test_a_grantee_reads_exactly_the_shared_todos_and_their_tags(world: World) -> None:
    assert titles(world, "bob") == ["alice eggs", "alice milk", "bob diary", "bob eggs", "bob milk"]
    assert attempt(
        world, "bob", f"SELECT count(*) FROM todo_tags WHERE user_id = {world.ids['alice']}"
    ) == [(2,)]
    assert titles(world, "dave") == ["dave diary", "dave eggs", "dave milk"]


def test_reads_beyond_the_share_see_nothing(world: World) -> None:
    alice = world.ids["alice"]
    for user in ("bob", "carol", "dave"):
        assert attempt(
            world, user, f"SELECT count(*) FROM todos WHERE user_id = {alice} AND number = 2"
        ) == [(0,)]
        assert attempt(world, user, "SELECT count(*) FROM todo_tags WHERE tag = 'home' "
                       f"AND user_id = {alice}") == [(0,)]  # fmt: skip
        assert attempt(world, user, "SELECT name FROM users") == [(user,)]
        assert attempt(world, user, f"SELECT count(*) FROM events WHERE user_id = {alice}") == [
            (0,)
        ]


def test_a_grantee_sees_nothing_of_other_grantees(world: World) -> None:
    assert attempt(world, "bob", "SELECT grantee_name FROM shares") == [("bob",)]
    assert attempt(world, "bob", "SELECT DISTINCT grantee_name FROM shared_todos") == [("bob",)]
    assert attempt(world, "carol", "SELECT grantee_name FROM shares") == [("carol",)]


# --- what a share allows, and what it refuses --------------------------------------------


def test_a_read_share_allows_no_change(world: World) -> None:
    assert attempt(world, "bob", "UPDATE todos SET title = 'pwned' WHERE title LIKE 'alice%'") == [
        (0,)
    ]
    assert attempt(world, "bob", "DELETE FROM todos WHERE title LIKE 'alice%'") == [(0,)]
    assert attempt(
        world, "bob", "INSERT INTO todo_tags (todo_id, tag) SELECT id, 'x' FROM todos "
        "WHERE title LIKE 'alice%'"
    ).__str__().startswith("refused")  # fmt: skip
    assert alices(world) == [(n, t, world.ids["alice"]) for n, t in
                             ((1, "alice milk"), (2, "alice diary"), (3, "alice eggs"))]  # fmt: skip


def test_a_write_share_allows_changing_the_shared_todos(world: World) -> None:
    """The positive control: carol may change alice's groceries, no more."""
    assert attempt(world, "carol", "UPDATE todos SET priority = 1 WHERE title LIKE 'alice%'") == [
        (2,)
    ]
    _owner(world.url, "UPDATE todos SET priority = NULL")


def test_moving_a_shared_todo_to_another_owner_is_refused(world: World) -> None:
    for target in ("carol", "bob"):
        result = attempt(
            world, "carol", f"UPDATE todos SET user_id = {world.ids[target]} "
            "WHERE title LIKE 'alice%'"
        )  # fmt: skip
        assert result == "refused 42501", result
    result = attempt(world, "carol", "UPDATE todos SET number = 50 WHERE title LIKE 'alice%'")
    assert result == "refused 42501", result


def test_stripping_the_shared_tag_is_refused(world: World) -> None:
    assert attempt(
        world, "carol", "DELETE FROM todo_tags WHERE tag = 'groceries' AND user_id = "
        f"{world.ids['alice']}"
    ) == [(0,)]  # fmt: skip
    assert (
        attempt(
            world,
            "carol",
            f"UPDATE todo_tags SET tag = 'mine' WHERE user_id = {world.ids['alice']}",
        )
        == "refused 42501"
    )
    assert _owner(world.url, "SELECT count(*) FROM shared_todos WHERE grantee_name = 'carol'") == [
        (2,)
    ]


def test_inserting_into_alices_list_without_a_write_share_is_refused(world: World) -> None:
    alice = world.ids["alice"]
    planted = (
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
        f"VALUES ({alice}, 90, 'planted', false, now(), now())"
    )
    assert attempt(world, "bob", planted) == "refused 42501"
    assert attempt(world, "dave", planted) == "refused 42501"
    # With a write share, still not without the shared tag (checked at commit).
    assert attempt(world, "carol", planted) == "refused 42501"
    marked = planted.replace("updated_at)", "updated_at, added_by)").replace(
        "now())", "now(), 'bob')"
    )
    assert attempt(world, "bob", marked) == "refused 42501"
    assert [r[1] for r in alices(world)] == ["alice milk", "alice diary", "alice eggs"]


def test_adding_into_the_share_takes_the_owners_next_number(world: World) -> None:
    """The positive control: carol adds into alice's groceries."""
    alice = world.ids["alice"]
    # Whatever number the adder names, the database gives the owner's next.
    result = attempt(
        world,
        "carol",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, added_by) "
        f"VALUES ({alice}, 99, 'bread', false, now(), now(), 'carol')",
        f"INSERT INTO todo_tags (todo_id, tag) SELECT id, 'groceries' FROM todos "
        f"WHERE user_id = {alice} AND title = 'bread'",
    )
    assert result == [(1,)]
    assert alices(world)[-1] == (4, "bread", alice)
    assert _owner(world.url, f"SELECT last_number FROM users WHERE id = {alice}") == [(4,)]
    assert "bread" in titles(world, "bob")
    _owner(world.url, "DELETE FROM todos WHERE title = 'bread'",
           f"UPDATE users SET last_number = 3 WHERE id = {alice}")  # fmt: skip


def test_deleting_alices_todos_is_refused_to_everyone_else(world: World) -> None:
    for user in ("bob", "carol", "dave"):
        assert attempt(world, user, "DELETE FROM todos WHERE title LIKE 'alice%'") == [(0,)]
    assert len(alices(world)) == 3


def test_resharing_and_forging_are_refused(world: World) -> None:
    alice = world.ids["alice"]
    reshare = (
        "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, created_at) "
        f"VALUES ({alice}, 'alice', 'groceries', 'dave', true, now())"
    )
    for user in ("bob", "carol"):
        assert attempt(world, user, reshare) == "refused 42501"
        assert (
            attempt(world, user, "UPDATE shares SET can_write = true, grantee_name = 'dave'")
            == "refused 42501"
        )
        assert attempt(world, user, "UPDATE shares SET can_write = true") == [(0,)]
        # A grantee may decline a share (0011), never remove another's.
        others = "DELETE FROM shares WHERE grantee_name NOT IN (SELECT name FROM users)"
        assert attempt(world, user, others) == [(0,)]
        forged = (
            "INSERT INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write) "
            f"SELECT id, {alice}, 'dave', 'home', true FROM todos WHERE user_id = {alice}"
        )
        assert attempt(world, user, forged) == "refused 42501"
    # bob shares his own groceries with dave: his, not alice's, come along.
    assert attempt(world, "bob", "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, "
                   f"created_at) VALUES ({world.ids['bob']}, 'bob', 'groceries', 'dave', now())"
                   ) == [(1,)]  # fmt: skip
    assert titles(world, "dave") == [
        "bob eggs", "bob milk", "dave diary", "dave eggs", "dave milk",
    ]  # fmt: skip
    _owner(world.url, "DELETE FROM shares WHERE grantee_name = 'dave'")


def test_a_revoked_share_shows_nothing_from_the_next_statement(world: World) -> None:
    conn = world.connect("bob")
    try:
        with conn.cursor() as cur:
            conn.autocommit = True
            cur.execute("SELECT count(*) FROM todos WHERE title LIKE 'alice%'")
            assert cur.fetchone() == (2,)
            attempt(world, "alice", "DELETE FROM shares WHERE grantee_name = 'bob'")
            cur.execute("SELECT count(*) FROM todos WHERE title LIKE 'alice%'")
            assert cur.fetchone() == (0,)
    finally:
        conn.close()
        _owner(
            world.url,
            "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, created_at) "
            f"VALUES ({world.ids['alice']}, 'alice', 'groceries', 'bob', false, now())",
        )


# --- the CLI, as each role, through PgBouncer ---------------------------------------------


@pytest.fixture
def cli(world: World, todo: Todo, request: pytest.FixtureRequest) -> Callable[..., str]:
    """todo as a user of the world, through PgBouncer in transaction mode."""
    bouncer = request.getfixturevalue("pgbouncer")
    database = parse_database_url(world.url, source="").database or ""
    bouncer.allow(database, *sorted(set(world.roles.values())))

    def run_as(user: str, *args: str, code: int = 0) -> str:
        env = {
            "DATABASE_URL": bouncer.url(database, world.roles[user]),
            "TODO_USER": user,
            "TZ": "UTC",
        }
        result = todo(*args, env=env)
        assert result.returncode == code, (user, args, result.stdout, result.stderr)
        return result.stdout if code == 0 else result.stderr

    return run_as


def test_the_cli_shares_under_row_level_security(world: World, cli: Callable[..., str]) -> None:
    assert (
        cli("bob", "list", "--shared") == "alice/1\topen\talice milk\nalice/3\topen\talice eggs\n"
    )
    assert cli("bob", "done", "alice/1", code=1).startswith(
        "todo: error: no todo alice/1 shared with you to change"
    )
    assert cli("carol", "done", "alice/1") == "Completed alice/1: alice milk\n"
    assert cli("carol", "add", "bread", "--owner", "alice") == "alice/4\n"
    assert cli("bob", "list", "--shared", "--all", "--sort", "number") == (
        "alice/1\tdone\talice milk\nalice/3\topen\talice eggs\nalice/4\topen\tbread\n"
    )
    assert cli("carol", "edit", "alice/3", "-t", "-groceries", code=2) == (
        "todo: error: the tags of alice's todos are theirs to change\n"
    )
    # A repeating shared todo completed by carol: alice's next one, in the share.
    assert cli("alice", "add", "water", "-t", "groceries", "--every", "week", "-d",
               "2030-01-01") == "5\n"  # fmt: skip
    assert cli("carol", "done", "alice/5") == (
        "Completed alice/5: water\nNext alice/6: water (due 2030-01-08 23:59 UTC)\n"
    )
    assert "alice/6\topen\twater" in cli("bob", "list", "--shared")
    assert cli("alice", "log").splitlines()[0].split("\t")[2:] == ["done", "5: water (by carol)"]
    assert cli("carol", "undo") == "Undid done alice/5: water (open again)\n"
    assert cli("carol", "undo") == "Undid add alice/4: bread (removed)\n"
    assert [r[1] for r in alices(world)] == ["alice milk", "alice diary", "alice eggs", "water"]


def test_two_users_at_once_through_pgbouncer(
    world: World, cli: Callable[..., str], todo: Todo, request: pytest.FixtureRequest
) -> None:
    """carol completes alice's groceries while alice adds more, at once;
    then alice reopens one, and carol's undo of that done is refused."""
    bouncer = request.getfixturevalue("pgbouncer")
    database = parse_database_url(world.url, source="").database or ""
    _owner(world.url, "INSERT INTO todo_tags (todo_id, tag) SELECT id, 'groceries' FROM todos "
           f"WHERE user_id = {world.ids['alice']} AND number = 2")  # fmt: skip

    def env(user: str) -> dict[str, str]:
        return {**todo.env, "DATABASE_URL": bouncer.url(database, world.roles[user]),
                "TODO_USER": user, "TZ": "UTC"}  # fmt: skip

    def loop(user: str, command: str) -> subprocess.Popen[str]:
        """Three commands in a row, $n being 1 to 3, in a process of its own."""
        script = f'for n in 1 2 3; do "$0" {command} || exit 1; done'
        return subprocess.Popen(
            ["sh", "-c", script, TODO_BIN], env=env(user), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    carol = loop("carol", "done alice/$n")
    alice = loop("alice", 'add "more $n" -t groceries')
    carol_out, carol_err = carol.communicate(timeout=120)
    alice_out, alice_err = alice.communicate(timeout=120)
    assert (carol.returncode, alice.returncode) == (0, 0), (carol_err, alice_err)
    assert carol_out == (
        "Completed alice/1: alice milk\nCompleted alice/2: alice diary\n"
        "Completed alice/3: alice eggs\n"
    )
    assert alice_out == "4\n5\n6\n"
    assert cli("alice", "reopen", "2") == "Reopened 2: alice diary\n"
    assert cli("carol", "undo") == "Undid done alice/3: alice eggs (open again)\n"
    assert cli("carol", "undo", code=1).startswith(
        "todo: error: cannot undo the done of todo alice/2 "
    )
    log = [line.split("\t")[2:4] for line in cli("alice", "log").splitlines()]
    assert log[0] == ["reopen", "2: alice diary"]
    # carol's three dones, interleaved with alice's adds as they happened.
    dones = [entry for entry in log if entry[0] == "done"]
    assert dones == [
        ["done", "3: alice eggs (by carol)"],
        ["done", "2: alice diary (by carol)"],
        ["done", "1: alice milk (by carol)"],
    ]
    assert cli("bob", "list", "--shared", "--sort", "number") == (
        "alice/2\topen\talice diary\nalice/3\topen\talice eggs\nalice/4\topen\tmore 1\n"
        "alice/5\topen\tmore 2\nalice/6\topen\tmore 3\n"
    )


# --- found by review: names, roles, search paths, journals ---------------------------


def test_a_user_cannot_rename_themselves_into_anothers_shares(world: World) -> None:
    """alice shares with erin, who has not used todo yet: nobody becomes erin."""
    _owner(world.url, "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, "
           f"created_at) VALUES ({world.ids['alice']}, 'alice', 'home', 'erin', true, now())")  # fmt: skip
    assert attempt(world, "bob", "UPDATE users SET name = 'erin'") == "refused 42501"
    assert attempt(world, "bob", "UPDATE users SET db_role = NULL") == "refused 42501"
    assert "alice diary" not in titles(world, "bob")


@pytest.mark.parametrize("world_base", ["per_user"], indirect=True)  # the shared role names anyone
def test_set_role_todo_person_does_not_make_a_per_user_role_anyone_else(world: World) -> None:
    _owner(world.url, "UPDATE users SET db_role = NULL WHERE name = 'dave'")
    for attack in (
        "SELECT count(*) FROM todos WHERE title LIKE 'dave%'",
        "UPDATE todos SET title = 'pwned' WHERE title LIKE 'dave%'",
        "INSERT INTO users (name, created_at, last_number) VALUES ('erin', now(), 0)",
    ):
        result = attempt(
            world, "bob", f"SET ROLE {world.person_group}", "SELECT set_config('todo.user', 'dave', false)",
            attack,
        )  # fmt: skip
        assert result in ([(0,)], "refused 42501"), (attack, result)
    # Still bob, by his login role.
    assert attempt(world, "bob", f"SET ROLE {world.person_group}", "SELECT name FROM users") == [
        ("bob",)
    ]


def test_temporary_tables_cannot_stand_in_for_ours(world: World) -> None:
    alice = world.ids["alice"]
    carol = world.ids["carol"]
    # Tagging alice's todo as if it were carol's, then sharing that tag.
    attempt(
        world, "carol", "CREATE TEMP TABLE todos (id int, user_id int)",
        f"INSERT INTO pg_temp.todos SELECT id, {carol} FROM public.todos WHERE user_id = {alice}",
        f"INSERT INTO todo_tags (todo_id, tag) SELECT id, 'leak' FROM public.todos "
        f"WHERE user_id = {alice} AND number = 1",
        "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, created_at) "
        f"VALUES ({carol}, 'carol', 'leak', 'dave', true, now())",
    )  # fmt: skip
    assert not any(t.startswith("alice") for t in titles(world, "dave"))
    # Skipping the COMMIT check with a users of one's own.
    result = attempt(
        world, "carol", "CREATE TEMP TABLE users (id int, name text)",
        f"INSERT INTO pg_temp.users VALUES ({alice}, 'alice')",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, added_by) "
        f"VALUES ({alice}, 0, 'untagged', false, now(), now(), 'carol')",
    )  # fmt: skip
    assert result == "refused 42501"


def test_a_shares_owner_and_a_journals_content_are_not_the_users_to_change(
    world: World,
) -> None:
    assert attempt(world, "alice", "UPDATE shares SET owner_name = 'bob'") == "refused 42501"
    assert attempt(world, "alice", "UPDATE shares SET grantee_name = 'dave'") == "refused 42501"
    assert attempt(world, "alice", "UPDATE shares SET can_write = true") == [(2,)]
    # carol's entry about alice's todos, naming no change of hers: refused
    # (0011; 0010 only made it say carol, not bob).
    forged = attempt(
        world, "carol", "INSERT INTO events (user_id, owner_id, at, action, data) VALUES "
        f"((SELECT id FROM users), {world.ids['alice']}, now(), 'done', "
        "'{\"todos\": [], \"by\": \"bob\"}')",
    )  # fmt: skip
    assert forged == "refused 42501"
    assert attempt(world, "alice", "SELECT CAST(data AS json) ->> 'by' FROM events") == []
    assert attempt(world, "carol", "UPDATE events SET data = '{}'") == "refused 42501"
    assert attempt(world, "carol", "UPDATE events SET owner_id = NULL") == "refused 42501"


def test_what_a_grantee_added_is_theirs_only_while_it_is_shared(world: World) -> None:
    alice = world.ids["alice"]
    attempt(
        world, "carol",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, added_by) "
        f"VALUES ({alice}, 0, 'bread', false, now(), now(), 'carol')",
        f"INSERT INTO todo_tags (todo_id, tag) SELECT id, 'groceries' FROM todos "
        f"WHERE user_id = {alice} AND title = 'bread'",
    )  # fmt: skip
    # alice makes it private: carol no longer sees it, tags it or removes it.
    _owner(world.url, "UPDATE todo_tags SET tag = 'home' WHERE todo_id = "
           "(SELECT id FROM todos WHERE title = 'bread')")  # fmt: skip
    assert "bread" not in titles(world, "carol")
    assert attempt(world, "carol", "INSERT INTO todo_tags (todo_id, tag) SELECT id, 'groceries' "
                   "FROM todos WHERE title = 'bread'") in ([(0,)], "refused 42501")  # fmt: skip
    assert attempt(world, "carol", "DELETE FROM todos WHERE added_by = 'carol'") == [(0,)]
    assert [r[1] for r in alices(world)][-1] == "bread"
