"""The insider: a hostile holder of per-user credentials (or of the shared
credential) with raw SQL, against alembic/versions/0011 and the client.

One test (or parameter) per row of the isolation review: each failed on
the release before 0011. Per-user roles are made by the real `todo admin
user add` path (store.admin); the shared-credential role is granted the
database's app group. Every role made here is dropped with its database.
Most tests get a copy of one world a module (`insiders`); a test that
makes or drops a role gets a world of its own (`own_insiders`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg2
import pytest
from psycopg2 import sql

from tests.support.databases import (
    ScratchDatabases,
    copy_database,
    drop_database,
    drop_roles,
    groups,
    with_database,
)
from tests.support.inprocess import InProcess
from todo_cli.config import load_settings
from todo_cli.dburl import parse_database_url
from todo_cli.errors import DatabaseUnreachableError, InvalidInputError
from todo_cli.store import admin
from todo_cli.store.revision import MIGRATION_LOCK_ID
from todo_cli.store.sql import LOCK_TIMEOUT_MS


@dataclass
class Insiders:
    owner: str  # the owner's URL
    urls: dict[str, str]  # user -> their per-user URL; "app" -> the shared credential
    roles: dict[str, str]

    def run(self, who: str, *statements: str, user: str | None = None) -> list[tuple[Any, ...]]:
        """Statements as `who`, committed; the last one's rows (or row count)."""
        conn = psycopg2.connect(self.urls[who])
        try:
            rows: list[tuple[Any, ...]] = []
            with conn.cursor() as cur:
                if user is not None:
                    cur.execute("SELECT set_config('todo.user', %s, false)", (user,))
                for s in statements:
                    cur.execute(s)
                    rows = cur.fetchall() if cur.description else [(cur.rowcount,)]
            conn.commit()
            return rows
        finally:
            conn.close()

    def owner_rows(self, statement: str) -> list[tuple[Any, ...]]:
        conn = psycopg2.connect(self.owner)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(statement)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()


def _url(owner: str, role: str, password: str = "") -> str:
    p = parse_database_url(owner, source="")
    secret = f":{password}" if password else ""
    return f"postgresql://{role}{secret}@{p.host}:{p.port}/{p.database}?sslmode=disable"


def make_insiders(scratch_dbs: ScratchDatabases) -> Insiders:
    owner = scratch_dbs.create()
    settings = load_settings(database_url=owner, user="admin", env={})
    urls, roles = {}, {}
    for name in ("alice", "bob", "carol", "mallory"):
        added = admin.add_person(settings, name)
        urls[name], roles[name] = _url(owner, added.role, added.password), added.role
    app_group, _ = groups(owner)
    app = app_group.removesuffix("_app") + "_runtime"
    conn = psycopg2.connect(owner)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(app), sql.Identifier(app_group)
            )
        )
    conn.close()
    urls["app"], roles["app"] = _url(owner, app), app
    w = Insiders(owner, urls, roles)
    # alice's todos: 1 Milk +groceries, 2 Present +secret; shared +groceries
    # with bob to write and with carol to read.
    w.run(
        "alice",
        "SELECT set_config('todo.user', 'alice', false)",
        "UPDATE users SET last_number = 2",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at) "
        "SELECT id, n, (ARRAY['Milk', 'Present'])[n], false, now(), now() FROM users, "
        "generate_series(1, 2) AS n",
        "INSERT INTO todo_tags (todo_id, tag) SELECT id, CASE number WHEN 1 THEN 'groceries' "
        "ELSE 'secret' END FROM todos",
        "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, created_at) "
        "SELECT id, name, 'groceries', 'bob', true, now() FROM users UNION ALL "
        "SELECT id, name, 'groceries', 'carol', false, now() FROM users",
    )
    return w


@pytest.fixture(scope="module")
def insiders_world(scratch_dbs: ScratchDatabases) -> Iterator[tuple[Insiders, str, str]]:
    """The module's world, which each test gets a copy of (`insiders`): a
    world is a database upgraded to head and five roles, 0.4 s of CPU; a
    copy (CREATE DATABASE ... TEMPLATE) a fifth of that. Nobody connects to
    it after it is made, as a template requires."""
    w = make_insiders(scratch_dbs)
    yield (w, *groups(w.owner))
    _drop_world(scratch_dbs, w)


@pytest.fixture
def insiders(
    insiders_world: tuple[Insiders, str, str], scratch_dbs: ScratchDatabases
) -> Iterator[Insiders]:
    """A copy of the module's world, with the world's roles (roles are
    server-wide). A test that makes or drops a role takes `own_insiders`."""
    w, app, person = insiders_world
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    copy_database(scratch_dbs.admin_url, _database(w.owner), app, person, name)
    urls = {who: with_database(url, name) for who, url in w.urls.items()}
    yield Insiders(with_database(w.owner, name), urls, dict(w.roles))
    drop_database(scratch_dbs.admin_url, name)


@pytest.fixture
def own_insiders(scratch_dbs: ScratchDatabases) -> Iterator[Insiders]:
    """A world of the test's own, for a test that makes or drops roles."""
    w = make_insiders(scratch_dbs)
    yield w
    _drop_world(scratch_dbs, w)


def _database(url: str) -> str:
    return parse_database_url(url, source="").database or ""


def _drop_world(scratch_dbs: ScratchDatabases, w: Insiders) -> None:
    scratch_dbs.drop(_database(w.owner))
    drop_roles(scratch_dbs.admin_url, [w.roles["app"]])


def _refused(w: Insiders, who: str, *statements: str, user: str | None = None) -> str:
    with pytest.raises(psycopg2.Error) as caught:
        w.run(who, *statements, user=user)
    return str(caught.value.pgcode)


# --- row 1: users rows, shares to users who do not exist ---------------------------


def test_a_per_user_role_cannot_delete_or_make_users_rows(insiders: Insiders) -> None:
    w = insiders
    assert _refused(w, "mallory", "DELETE FROM users WHERE db_role = session_user") == "42501"
    for name in ("dave", "alice", "nobody_at_all"):
        # The same refusal whether the name exists or not: no oracle.
        assert (
            _refused(
                w,
                "mallory",
                "INSERT INTO users (name, created_at, last_number, db_role) "
                f"VALUES ('{name}', now(), 0, session_user)",
            )
            == "42501"
        )
    assert w.owner_rows("SELECT name FROM users ORDER BY name") == [
        ("alice",), ("bob",), ("carol",), ("mallory",)
    ]  # fmt: skip


def test_a_share_waits_for_its_user_and_goes_with_them(own_insiders: Insiders) -> None:
    """A share may name a user who has not used todo yet (telling nobody which
    names exist); nobody but the admin can become them, and a removed user's
    shares go with them."""
    w = own_insiders
    w.run(
        "alice",
        "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, created_at) "
        "SELECT id, name, 'groceries', 'dave', false, now() FROM users",
    )
    planted = (
        "INSERT INTO users (name, created_at, last_number, db_role) "
        "VALUES ('dave', now(), 0, session_user)"
    )
    assert _refused(w, "mallory", planted) == "42501"
    assert w.run("mallory", "SELECT count(*) FROM todos") == [(0,)]
    settings = load_settings(database_url=w.owner, user="admin", env={})
    admin.remove_person(settings, "bob", purge=True)
    assert w.owner_rows("SELECT grantee_name FROM shares ORDER BY 1") == [("carol",), ("dave",)]
    assert w.owner_rows("SELECT DISTINCT grantee_name FROM shared_todos ORDER BY 1") == [
        ("carol",),
        ("dave",),
    ]
    # The admin makes dave: the share is his, as alice meant.
    dave = admin.add_person(settings, "dave")
    conn = psycopg2.connect(_url(w.owner, dave.role, dave.password))
    with conn.cursor() as cur:
        cur.execute("SELECT title FROM todos")
        assert cur.fetchall() == [("Milk",)]
    conn.close()


@pytest.mark.parametrize("name", ["E'alice\\x1b[8m'", "'bad/name'", "E'\\u009b2J'"])
def test_user_names_refuse_control_characters(insiders: Insiders, name: str) -> None:
    assert (
        _refused(
            insiders,
            "app",
            f"SELECT set_config('todo.user', {name}, false)",
            f"INSERT INTO users (name, created_at, last_number) VALUES ({name}, now(), 0)",
        )
        == "23514"
    )


# --- row 2: two todo databases on one server ---------------------------------------


def test_roles_of_one_todo_database_cannot_enter_another(
    insiders: Insiders, scratch_dbs: ScratchDatabases
) -> None:
    other = scratch_dbs.create()
    name = parse_database_url(other, source="").database or ""
    for who in ("mallory", "app"):
        url = with_database(insiders.urls[who], name)
        with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
            psycopg2.connect(url).close()
    scratch_dbs.drop(name)


# --- row 3: todo admin user add changes no role it did not make ---------------------


def test_admin_add_never_touches_another_databases_role_or_the_owner(
    own_insiders: Insiders, scratch_dbs: ScratchDatabases
) -> None:
    w = own_insiders
    other = scratch_dbs.create()
    # Other tests make and drop roles meanwhile: these are the ones to watch.
    watched = ", ".join(f"'{r}'" for r in [*w.roles.values(), "postgres"])
    keys = f"SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN ({watched}) ORDER BY 1"
    before = w.owner_rows(keys)
    added = admin.add_person(load_settings(database_url=other, user="admin", env={}), "alice")
    assert added.role != w.roles["alice"]
    assert "alice" not in added.role
    assert w.owner_rows(keys) == before
    assert w.run("alice", "SELECT count(*) FROM todos") == [(2,)]  # her credentials still work
    # A users row planted to name the owner's role: refused, nothing changed.
    owner_role = w.owner_rows("SELECT current_user")[0][0]
    w.owner_rows(
        "INSERT INTO users (name, created_at, last_number, db_role) "
        f"VALUES ('boss', now(), 0, '{owner_role}')"
    )
    settings = load_settings(database_url=w.owner, user="admin", env={})
    with pytest.raises(InvalidInputError, match="owns the tables or is a superuser"):
        admin.add_person(settings, "boss")
    with pytest.raises(InvalidInputError, match="owns the tables or is a superuser"):
        admin.remove_person(settings, "boss", purge=False)
    assert w.owner_rows(keys) == before
    scratch_dbs.drop(parse_database_url(other, source="").database or "")


def test_admin_add_again_replaces_and_drops_the_old_role(own_insiders: Insiders) -> None:
    w = own_insiders
    settings = load_settings(database_url=w.owner, user="admin", env={})
    again = admin.add_person(settings, "alice")
    assert again.replaced == w.roles["alice"]
    assert w.owner_rows(f"SELECT count(*) FROM pg_roles WHERE rolname = '{w.roles['alice']}'") == [
        (0,)
    ]
    url = _url(w.owner, again.role, again.password)
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM todos")
        assert cur.fetchone() == (2,)
    conn.close()
    w.roles["alice"] = again.role


# --- row 4: every wait on a lock is bounded ----------------------------------------


def test_a_lock_held_by_a_hostile_role_bounds_others_commands(
    insiders: Insiders, todo: InProcess
) -> None:
    w = insiders
    hold = psycopg2.connect(w.urls["carol"])  # a read-only grantee
    with hold.cursor() as cur:
        cur.execute("LOCK TABLE todos IN ACCESS EXCLUSIVE MODE")
    try:
        todo.env.update(DATABASE_URL=w.urls["alice"], TODO_USER="alice")
        started = time.monotonic()
        result = todo("list")
        waited = time.monotonic() - started
    finally:
        hold.close()
    assert (result.returncode, result.stdout) == (4, "")
    assert result.stderr.startswith(
        f"todo: error: waited {LOCK_TIMEOUT_MS / 1000:g}s for a lock another session holds on "
    )
    assert result.stderr.count("\n") == 1
    assert waited < LOCK_TIMEOUT_MS / 1000 + 3


def test_the_migration_lock_held_by_a_hostile_role_bounds_the_upgrade(
    insiders: Insiders, todo: InProcess
) -> None:
    hold = psycopg2.connect(insiders.urls["bob"])
    with hold.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_ID,))
    try:
        todo.env.update(DATABASE_URL=insiders.owner)
        result = todo("db", "upgrade")
    finally:
        hold.close()
    assert result.returncode == 4
    assert result.stderr.startswith("todo: error: the upgrade of ")
    assert "waited 5s for a lock another session holds" in result.stderr


# --- row 5: ids cannot be used up --------------------------------------------------


def test_ids_are_bigint_and_sequences_cannot_be_set(insiders: Insiders) -> None:
    w = insiders
    assert w.owner_rows(
        "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema = "
        "'public' AND (column_name = 'id' OR column_name IN ('user_id', 'todo_id', 'owner_id'))"
    ) == [("bigint",)]
    assert w.owner_rows("SELECT DISTINCT data_type::text FROM pg_sequences") == [("bigint",)]
    assert _refused(w, "bob", "SELECT setval('events_id_seq', 2147483000)") == "42501"


# --- row 6: what the catalog and our functions tell --------------------------------


def test_role_names_carry_no_user_names_and_functions_are_not_public(
    insiders: Insiders,
) -> None:
    w = insiders
    _, person = groups(w.owner)
    members = w.run(
        "bob",
        "SELECT string_agg(member::regrole::text, ' ') FROM pg_auth_members "
        f"WHERE roleid = '{person}'::regrole",
    )[0][0]
    assert w.roles["alice"] in members
    assert not any(name in members for name in ("alice", "bob", "carol", "mallory"))
    assert _refused(w, "bob", "SELECT todo_caller_name()") == "42501"


# Its own world: counts are a database's, and a copy starts with none. Its
# connections end when closed: a backend kept open reports its counts only
# after 10 s idle.
@pytest.mark.fresh_connections
def test_residual_table_statistics_are_readable_by_every_role(own_insiders: Insiders) -> None:
    """Documented in the README's threat model: counts, not contents. A
    backend reports its counts when it ends or at most once a second
    (PostgreSQL 15), so they are polled for, with a deadline."""
    import time

    query = "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'todos'"
    deadline = time.monotonic() + 10
    rows = own_insiders.run("bob", query)
    while not (rows and rows[0][0] >= 2) and time.monotonic() < deadline:
        time.sleep(0.1)  # between polls
        rows = own_insiders.run("bob", query)
    assert rows
    assert rows[0][0] >= 2


# --- row 7: control characters -----------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE todos SET title = E'Milk \\x1b]0;HACKED\\x07\\x1b[2J' WHERE number = 1",
        "UPDATE todos SET title = E'line1\\n\\x1b[1Afake' WHERE number = 1",
        "UPDATE todos SET title = E'csi \\u009b2J' WHERE number = 1",
        "INSERT INTO todo_tags (todo_id, tag) SELECT id, E'x\\x1b[2J' FROM todos WHERE number = 1",
    ],
)
def test_titles_and_tags_refuse_control_characters(insiders: Insiders, statement: str) -> None:
    assert _refused(insiders, "alice", statement) == "23514"


# --- row 8: the journal ------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        '{"first": "abc", "last": 1, "title": "x"}',
        '{"todos": "nope"}',
        '{"todos": [{"number": "1e99", "title": "Milk"}]}',
        '{"todos": [{"number": 1, "title": "Milk"}]}',  # well formed, but nothing changed
        '{"numbers": [], "title": "x", "created": ["boom"]}',  # names nothing
        '{"first": 5, "last": 1, "title": "x"}',
    ],
)
def test_a_grantee_cannot_forge_the_owners_journal(insiders: Insiders, data: str) -> None:
    w = insiders
    action = "add" if "first" in data else "done"
    statement = (
        "INSERT INTO events (user_id, owner_id, at, action, data) SELECT "
        "(SELECT id FROM users WHERE db_role = session_user), "
        f"(SELECT max(owner_id) FROM shares WHERE owner_name = 'alice'), now(), '{action}', "
        f"{psycopg2.extensions.QuotedString(data).getquoted().decode()}"
    )
    # not json: 0010's trigger already fails to read it (invalid_text_representation)
    assert _refused(w, "bob", statement) in ("42501", "22P02")
    assert w.owner_rows("SELECT count(*) FROM events WHERE owner_id IS NOT NULL") == [(0,)]


def test_nobody_deletes_journal_entries(insiders: Insiders) -> None:
    for who in ("alice", "bob"):
        assert _refused(insiders, who, "DELETE FROM events") == "42501"


# --- row 9: a write grantee and the owner's tags and series -------------------------


def test_a_write_grantee_changes_no_tags_of_the_owners_todos(insiders: Insiders) -> None:
    w = insiders
    add_work = (
        "INSERT INTO todo_tags (todo_id, tag) SELECT todo_id, 'work' FROM shared_todos "
        "WHERE grantee_name = 'bob'"
    )
    assert _refused(w, "bob", add_work) == "42501"
    assert w.run("bob", "DELETE FROM todo_tags") == [(0,)]
    assert w.owner_rows("SELECT count(*) FROM todo_tags") == [(2,)]


def test_a_write_grantee_in_the_cli(insiders: Insiders, todo: InProcess) -> None:
    todo.env.update(DATABASE_URL=insiders.urls["bob"], TODO_USER="bob")
    result = todo("edit", "alice/1", "--tag", "+work")
    assert (result.returncode, result.stderr) == (
        2,
        "todo: error: the tags of alice's todos are theirs to change\n",
    )
    result = todo("add", "Bread", "--owner", "alice", "-t", "groceries", "-t", "work")
    assert (result.returncode, result.stderr) == (
        2,
        "todo: error: a todo added to alice's list carries only tags they share with you to "
        "write: +groceries\n",
    )
    assert todo.ok("add", "Bread", "--owner", "alice") == "alice/3\n"


def test_a_grantee_cannot_end_the_owners_series(insiders: Insiders, todo: InProcess) -> None:
    w = insiders
    todo.env.update(DATABASE_URL=w.urls["alice"], TODO_USER="alice", TZ="UTC")
    todo.ok("add", "Water", "--every", "week", "--due", "2030-01-01", "-t", "groceries")
    todo.env.update(DATABASE_URL=w.urls["bob"], TODO_USER="bob")
    assert "Next alice/4" in todo.ok("done", "alice/3")
    delete_next = "DELETE FROM todos WHERE number = 4"
    assert _refused(w, "bob", delete_next) == "42501"
    assert todo.ok("undo").startswith("Undid done alice/3")  # reopens 3, removes 4
    assert w.owner_rows("SELECT number, done FROM todos WHERE number >= 3") == [(3, False)]


# --- row 10: sizes and counts -------------------------------------------------------


def test_notes_are_capped_and_shares_bounded(insiders: Insiders) -> None:
    w = insiders
    assert _refused(w, "alice", "UPDATE todos SET note = repeat('x', 10001)") == "23514"
    many = (
        "INSERT INTO shares (owner_id, owner_name, tag, grantee_name, can_write, created_at) "
        "SELECT id, name, 't' || n, 'carol', false, now() FROM users, generate_series(1, 99) n"
    )
    assert _refused(w, "alice", many) == "54000"  # 2 + 99 > 100
    # A grantee may decline what was shared with them.
    assert w.run("carol", "DELETE FROM shares WHERE grantee_name = 'carol'") == [(1,)]


# --- rows 11 and 12: removing a role, and its password ------------------------------


def test_admin_rm_drops_a_role_that_made_a_large_object(own_insiders: Insiders) -> None:
    w = own_insiders
    w.run("mallory", "SELECT lo_create(0)")
    settings = load_settings(database_url=w.owner, user="admin", env={})
    removed = admin.remove_person(settings, "mallory", purge=False)
    assert removed.outcome == "dropped"
    assert w.owner_rows(f"SELECT count(*) FROM pg_roles WHERE rolname = '{removed.role}'") == [(0,)]


def test_the_password_never_reaches_the_server(
    own_insiders: Insiders, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[bytes] = []
    real = admin._owner_connection

    class Recorded(psycopg2.extensions.cursor):  # type: ignore[misc]
        def execute(self, query: Any, params: Any = None) -> Any:
            sent.append(self.mogrify(query, params))
            return super().execute(query, params)

    def recording(settings: Any) -> Any:
        conn = real(settings)
        conn.cursor_factory = Recorded
        return conn

    monkeypatch.setattr(admin, "_owner_connection", recording)
    added = admin.add_person(
        load_settings(database_url=own_insiders.owner, user="a", env={}), "eve"
    )
    assert sent
    assert not any(added.password.encode() in s for s in sent)
    stored = own_insiders.owner_rows(
        f"SELECT rolpassword FROM pg_authid WHERE rolname = '{added.role}'"
    )
    assert stored[0][0].startswith("SCRAM-SHA-256$4096:")
    conn = psycopg2.connect(_url(own_insiders.owner, added.role, added.password))
    conn.close()


def test_scram_verifier_matches_postgresql() -> None:
    """RFC 7677's example: the same salt and password give PostgreSQL's verifier."""
    import base64

    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    assert admin.scram_verifier("pencil", salt=salt) == (
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
        ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
    )


# --- rows 13 and 8 of the field trial: who a role is --------------------------------


def test_the_shared_role_cannot_bind_a_user_to_a_login_role(insiders: Insiders) -> None:
    w = insiders
    w.run(
        "app",
        "INSERT INTO users (name, created_at, last_number, db_role) "
        "VALUES ('zz_planted', now(), 0, session_user)",
        user="zz_planted",
    )
    assert w.owner_rows("SELECT db_role FROM users WHERE name = 'zz_planted'") == [(None,)]


@pytest.mark.parametrize("args", [("list",), ("show", "1"), ("add", "hack"), ("whoami", "--check")])
def test_credentials_of_another_user_are_exit_3(
    insiders: Insiders, todo: InProcess, args: tuple[str, ...]
) -> None:
    todo.env.update(DATABASE_URL=insiders.urls["bob"], TODO_USER="alice")
    result = todo(*args)
    assert result.returncode == 3
    assert "are for user bob, not alice" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "unexpected" not in result.stderr


# --- upgrading a database the previous release made ---------------------------------


def test_a_database_of_the_previous_release_upgrades_and_its_roles_keep_working(
    scratch_dbs: ScratchDatabases, todo: InProcess
) -> None:
    """0010's per-user role (todo_<name>, in the server-wide todo_person) and its
    shared mode: after todo db upgrade the per-user URL still works, the role
    moved to this database's group, and the upgrade says what is left to do."""
    from tests.system.test_migrations import _upgrade_to

    owner = scratch_dbs.create(upgraded=False)
    _upgrade_to(owner, "0010")
    name = f"legacy_{owner[-6:]}"
    role = f"todo_{name}"
    conn = psycopg2.connect(owner)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("CREATE ROLE {} LOGIN IN ROLE todo_person").format(sql.Identifier(role))
        )
        cur.execute(
            "INSERT INTO users (name, created_at, last_number, db_role) VALUES (%s, now(), 0, %s), "
            "('carol', now(), 0, NULL)",
            (name, role),
        )
    conn.close()
    try:
        todo.env.update(DATABASE_URL=owner)
        result = todo("db", "upgrade")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "Upgraded schema: 0010 -> 0011\n"
        app, person = groups(owner)
        assert result.stderr == (
            "todo: per-user roles named after their users still work, but show the names to "
            "every role of the server: give each a new one with todo admin user add NAME "
            f"(for: {name})\n"
            f"todo: the shared-credential group of this database is {app}: for a shared URL, "
            f"run GRANT {app} TO <its role> (todo_app of earlier releases no longer reaches "
            "this database)\n"
        )
        todo.env.update(DATABASE_URL=_url(owner, role), TODO_USER=name)
        assert todo.ok("add", "still works") == "1\n"
        ins = Insiders(owner, {}, {})
        assert ins.owner_rows(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            f"JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '{role}'"
        ) == [(person,)]
        # Re-keyed: a role without her name; the old one is left for other databases.
        settings = load_settings(database_url=owner, user="admin", env={})
        added = admin.add_person(settings, name)
        assert added.kept == role
        todo.env.update(DATABASE_URL=_url(owner, role))
        assert todo("list").returncode == 3  # no longer let in here
    finally:
        scratch_dbs.drop(parse_database_url(owner, source="").database or "")
        conn = psycopg2.connect(scratch_dbs.admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        conn.close()


def test_a_role_of_another_database_gets_one_line_and_exit_3(
    insiders: Insiders, scratch_dbs: ScratchDatabases, todo: InProcess
) -> None:
    other = scratch_dbs.create()
    name = parse_database_url(other, source="").database or ""
    todo.env.update(DATABASE_URL=with_database(insiders.urls["mallory"], name), TODO_USER="x")
    result = todo("list")
    assert result.returncode == 3
    assert "permission denied for database" in result.stderr
    assert result.stderr.count("\n") == 1
    scratch_dbs.drop(name)


# --- what the independent review found after 0011's first version ------------------


def test_a_per_user_url_never_carries_the_owners_credentials() -> None:
    owner = (
        "postgresql://127.0.0.1:5432/db?user=postgres&password=OwnerSecret&sslmode=require"
        "&passfile=/root/.pgpass&service=x&options=-c%20role%3Dpostgres&channel_binding=require"
    )
    settings = load_settings(database_url=owner, user="admin", env={})
    url = admin.url_for(settings, "todo_ab_u1", "pw")
    assert url == (
        "postgresql://todo_ab_u1:pw@127.0.0.1:5432/db?sslmode=require&channel_binding=require"
    )


def test_a_shared_mode_user_is_adopted_only_when_asked(own_insiders: Insiders) -> None:
    w = own_insiders
    w.run(
        "app",
        "INSERT INTO users (name, created_at, last_number) VALUES ('dave', now(), 0)",
        user="dave",
    )
    settings = load_settings(database_url=w.owner, user="admin", env={})
    with pytest.raises(InvalidInputError, match=r"made with the shared credential \(0 todos, 0"):
        admin.add_person(settings, "dave")
    assert w.owner_rows("SELECT db_role FROM users WHERE name = 'dave'") == [(None,)]
    added = admin.add_person(settings, "dave", adopt=True)
    assert w.owner_rows("SELECT db_role FROM users WHERE name = 'dave'") == [(added.role,)]
    assert w.owner_rows(f"SELECT rolconnlimit FROM pg_roles WHERE rolname = '{added.role}'") == [
        (10,)
    ]


@pytest.mark.parametrize(
    ("who", "change"),
    [
        ("bob", "due = '20000-01-01'"),
        ("bob", "completed_at = '0001-01-01 BC'"),
        ("bob", "priority = 7"),
        # A grantee may not touch the repeat at all (below): the owner's own.
        ("alice", "clock = 999999999"),
        ("alice", "anchor = 99"),
    ],
)
def test_nobody_writes_what_the_readers_cannot_hold(
    insiders: Insiders, who: str, change: str
) -> None:
    assert _refused(insiders, who, f"UPDATE todos SET {change} WHERE number = 1") == "23514"


@pytest.mark.parametrize(
    "change", ["series = 'zz'", "every = '1w'", "until = now()", "request_id = 'import-key'"]
)
def test_a_grantee_cannot_change_the_repeat_or_the_request_id(
    insiders: Insiders, change: str
) -> None:
    assert _refused(insiders, "bob", f"UPDATE todos SET {change} WHERE number = 1") == "42501"


def test_the_repeat_of_a_shared_todo_in_the_cli(insiders: Insiders, todo: InProcess) -> None:
    todo.env.update(DATABASE_URL=insiders.urls["bob"], TODO_USER="bob")
    for args in (("--every", "week"), ("--until", "2030-01-01")):
        result = todo("edit", "alice/1", *args)
        assert (result.returncode, result.stderr) == (
            2,
            "todo: error: the repeat of alice's todos is theirs to change\n",
        )


def test_admin_commands_wait_for_a_lock_no_longer_than_the_bound(own_insiders: Insiders) -> None:
    w = own_insiders
    hold = psycopg2.connect(w.urls["carol"])
    with hold.cursor() as cur:
        cur.execute("SELECT 1 FROM users FOR UPDATE")  # her own row
    settings = load_settings(database_url=w.owner, user="admin", env={})
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnreachableError, match="waited 5s for a lock"):
            admin.remove_person(settings, "carol", purge=False)
        assert time.monotonic() - started < LOCK_TIMEOUT_MS / 1000 + 3
    finally:
        hold.close()


# --- what a second independent review found ----------------------------------------


def _series_of_a_shared_repeat(w: Insiders, todo: InProcess) -> str:
    """alice's 3, Weekly, +groceries +work, repeating; its series."""
    todo.env.update(DATABASE_URL=w.urls["alice"], TODO_USER="alice", TZ="UTC")
    todo.ok(
        "add", "Weekly", "--every", "week", "--due", "2030-01-01", "-t", "groceries", "-t", "work"
    )
    return str(w.owner_rows("SELECT series FROM todos WHERE number = 3")[0][0])


def test_a_grantee_cannot_slip_a_todo_into_the_owners_series(
    insiders: Insiders, todo: InProcess
) -> None:
    w = insiders
    series = _series_of_a_shared_repeat(w, todo)
    planted = (
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, added_by, "
        "series, every, due, version) SELECT user_id, 0, 'planted', false, now(), now(), 'bob', "
        f"series, every, due + interval '7 days', 2000000000 FROM todos WHERE series = '{series}'"
    )
    tag = (
        "INSERT INTO todo_tags (todo_id, tag) SELECT id, t FROM todos, "
        "unnest(ARRAY['groceries', 'work']) AS t WHERE title = 'planted'"
    )
    assert _refused(w, "bob", planted, tag) == "42501"
    assert _refused(w, "bob", planted) == "42501"  # even untagged: not a successor
    # And the owner's done still makes her next one.
    todo.env.update(DATABASE_URL=w.urls["alice"], TODO_USER="alice")
    assert "Next 4: Weekly" in todo.ok("done", "3")


def test_a_grantee_cannot_end_the_owners_series_by_completing_it(
    insiders: Insiders, todo: InProcess
) -> None:
    w = insiders
    _series_of_a_shared_repeat(w, todo)
    end = "UPDATE todos SET done = true, completed_at = now(), continued = true WHERE number = 3"
    assert _refused(w, "bob", end) == "42501"
    # bob's own done goes through todo, which makes the next one.
    todo.env.update(DATABASE_URL=w.urls["bob"], TODO_USER="bob")
    assert "Next alice/4" in todo.ok("done", "alice/3")


def test_a_grantee_cannot_jam_the_owners_version(insiders: Insiders) -> None:
    assert (
        _refused(insiders, "bob", "UPDATE todos SET version = 2147483647 WHERE number = 1")
        == "42501"
    )


def test_one_journal_entry_per_change(insiders: Insiders) -> None:
    w = insiders
    entry = (
        "INSERT INTO events (user_id, owner_id, at, action, data) SELECT "
        "(SELECT id FROM users WHERE db_role = session_user), "
        "(SELECT max(owner_id) FROM shares WHERE owner_name = 'alice'), now(), 'done', "
        '\'{"todos": [{"number": 1, "title": "Milk"}]}\' FROM generate_series(1, 2)'
    )
    assert _refused(w, "bob", "UPDATE todos SET done = true WHERE number = 1", entry) == "42501"


def test_a_grantee_cannot_stand_in_for_a_line_of_the_owners_import(
    insiders: Insiders, todo: InProcess, tmp_path: Any
) -> None:
    from todo_cli.formats.records import hash_key

    w = insiders
    key = hash_key("todotxt", "Pay rent")
    w.run(
        "bob",
        "INSERT INTO todos (user_id, number, title, done, created_at, updated_at, added_by, "
        f"request_id) SELECT owner_id, 0, 'Pay rent to bob', false, now(), now(), 'bob', '{key}' "
        "FROM shares WHERE grantee_name = 'bob'",
        "INSERT INTO todo_tags (todo_id, tag) SELECT id, 'groceries' FROM todos "
        "WHERE title = 'Pay rent to bob'",
    )
    (tmp_path / "todo.txt").write_text("Pay rent\n")
    todo.env.update(DATABASE_URL=w.urls["alice"], TODO_USER="alice")
    result = todo("import", str(tmp_path / "todo.txt"))
    assert "skipped" not in result.stdout + result.stderr
    assert result.returncode in (0, 1), result.stderr
    assert "unexpected" not in result.stderr
