"""shares: a user's todos with a tag, shared with another user, enforced by
the database

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

shares (owner, tag, grantee, can_write) says: every todo of the owner that
carries the tag, now and later, is visible to the grantee (and, with
can_write, editable, and the grantee may add todos into it). The grantee is
named, not referenced: a share may name a user who has not used todo yet,
and no user learns another's id.

shared_todos is the share resolved to todos: one row per (todo, grantee,
tag). Triggers keep it: a tag added to or removed from a todo, a share made,
changed or revoked. Row-level security on todos reads it, never todo_tags,
so the policies do not depend on each other in a circle.

On PostgreSQL:
- todos: visible when mine, or in shared_todos for me, or added by me to
  a list shared with me to write (added_by, set by the application when it
  adds to another's list: the next one of a repeating todo, a todo added
  into the share); changed when mine,
  or in a share for me with can_write; inserted when mine, or into a
  share for me with can_write (a deferred check: the todo must be in the
  share by COMMIT); deleted only when mine. user_id and number cannot be
  updated by anyone but the owner's migrations (column privileges).
- todo_tags: tags of the todos I see; a grantee with can_write may add and
  remove tags of a shared todo, except the shared tags themselves.
- shares: the owner sees, makes and revokes them; the grantee sees the
  ones naming them, and nothing of other grantees.
- events gains owner_id: a change to another user's todo is journaled by
  the one who made it, for the owner to see too.
- todos_added: a todo added into another user's share is numbered from
  the owner's counter by a trigger that checks the share (the adder cannot
  update the owner's row, nor choose the number). users is no longer
  FORCEd, so the functions that run as the tables' owner can read it;
  row-level security still applies to every other role.
- Hardening found by review: users are matched by their login role
  (session_user), so SET ROLE todo_person does not make a per-user role a
  shared-credential one; every function has a fixed search_path (a
  caller's temporary tables cannot stand in for ours); a user's name and
  role, a share's owner and an event's content cannot be updated by the
  application's roles (column privileges); an event about another's todos
  names who made it as the database knows them.

SQLite (one machine, every user a name in one file) gets the tables and the
triggers; the application enforces the same rules in its statements.

Usable by the previous release: the new columns are nullable, and the
triggers fill them.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from todo_cli.sqltypes import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ME_ID = "(SELECT id FROM users)"  # filtered by the users policy (0005): me alone
ME_NAME = "(SELECT name FROM users)"

PG_FUNCTIONS = [
    # The owner of a tag's todo, set on every insert (by whoever inserts).
    """
CREATE FUNCTION todo_tags_owner() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  NEW.user_id := (SELECT user_id FROM todos WHERE id = NEW.todo_id);
  RETURN NEW;
END $$""",
    # The shares of the tag resolved to this todo (as the tables' owner:
    # the grantees' rows are not the inserter's to see).
    """
CREATE FUNCTION todo_tags_shared() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM shared_todos WHERE todo_id = OLD.todo_id AND tag = OLD.tag;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
    SELECT NEW.todo_id, s.owner_id, s.grantee_name, s.tag, s.can_write
    FROM shares s WHERE s.owner_id = NEW.user_id AND s.tag = NEW.tag
    ON CONFLICT DO NOTHING;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$""",
    # A share made, changed or revoked, resolved to its todos (as the
    # tables' owner: nobody writes shared_todos but these functions; the
    # policy on shares has made sure the share is the caller's own).
    """
CREATE FUNCTION shares_resolve() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM shared_todos WHERE owner_id = OLD.owner_id
      AND grantee_name = OLD.grantee_name AND tag = OLD.tag;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
    SELECT g.todo_id, NEW.owner_id, NEW.grantee_name, NEW.tag, NEW.can_write
    FROM todo_tags g WHERE g.user_id = NEW.owner_id AND g.tag = NEW.tag
    ON CONFLICT DO NOTHING;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$""",
    """
CREATE FUNCTION shares_owner_name() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  NEW.owner_name := (SELECT name FROM users WHERE id = NEW.owner_id);
  RETURN NEW;
END $$""",
    # A todo added into someone else's share must be in it by COMMIT.
    """
CREATE FUNCTION todos_in_share() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.user_id NOT IN (SELECT id FROM users) AND NOT EXISTS (
    SELECT 1 FROM shared_todos t WHERE t.todo_id = NEW.id AND t.can_write
    AND t.grantee_name IN (SELECT name FROM users)
  ) THEN
    RAISE EXCEPTION 'a todo added to another user''s list must carry a tag they share '
      'with you to write' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$""",
    # Who is calling, as the policies see it (by login role, or by the
    # setting for a shared-credential role), for the functions that run as
    # the tables' owner.
    """
CREATE FUNCTION todo_caller_name() RETURNS text LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT name FROM users WHERE db_role = session_user
  UNION ALL
  SELECT name FROM users WHERE db_role IS NULL
    AND name = NULLIF(current_setting('todo.user', true), '')
    AND NOT todo_is_person()
  LIMIT 1
$$""",
    # A todo added to another's list: checked against a share to write,
    # numbered from the owner's counter (which the adder may not update),
    # and marked as the adder's (as the tables' owner).
    """
CREATE FUNCTION todos_added() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  caller text := todo_caller_name();
BEGIN
  IF caller IS NULL OR NEW.added_by IS DISTINCT FROM caller OR NOT EXISTS (
    SELECT 1 FROM shares s WHERE s.owner_id = NEW.user_id AND s.can_write
    AND s.grantee_name = caller
  ) THEN
    RAISE EXCEPTION 'no share lets you add to that list' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE users SET last_number = last_number + 1 WHERE id = NEW.user_id
    RETURNING last_number INTO NEW.number;
  RETURN NEW;
END $$""",
    # A change to another's todos says who made it, and whose they are:
    # written here, not taken from what the inserter says.
    """
CREATE FUNCTION events_attributed() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  NEW.data := (CAST(NEW.data AS jsonb) || jsonb_build_object(
    'by', todo_caller_name(),
    'owner', (SELECT name FROM users WHERE id = NEW.owner_id)))::text;
  RETURN NEW;
END $$""",
    # 0005's: who is a per-user account, by the login role (SET ROLE
    # todo_person no longer makes one a shared-credential user), with the
    # catalog's names only.
    """
CREATE OR REPLACE FUNCTION todo_is_person() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_auth_members m
    JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
    JOIN pg_catalog.pg_roles u ON u.oid = m.member
    WHERE g.rolname = 'todo_person' AND u.rolname = session_user)
$$""",
]

# What a grantee added to the owner's list, in this very transaction (until
# its tags put it in the share): the row's xmin is this transaction's id.
ADDED = (
    f"added_by IN {ME_NAME} AND CAST(CAST(xmin AS text) AS bigint) = txid_current() % 4294967296"
)
# 0005's users policy, by the login role: see todo_is_person.
VISIBLE_USER = (
    "db_role = session_user OR (db_role IS NULL "
    "AND name = NULLIF(current_setting('todo.user', true), '') AND NOT todo_is_person())"
)
POLICIES = {
    "todos": [
        f"CREATE POLICY todos_shared_read ON todos FOR SELECT USING (id IN (SELECT todo_id "
        f"FROM shared_todos WHERE grantee_name IN {ME_NAME}))",
        f"CREATE POLICY todos_shared_write ON todos FOR UPDATE USING (id IN (SELECT todo_id "
        f"FROM shared_todos WHERE can_write AND grantee_name IN {ME_NAME})) "
        f"WITH CHECK (id IN (SELECT todo_id FROM shared_todos WHERE can_write "
        f"AND owner_id = todos.user_id AND grantee_name IN {ME_NAME}))",
        # Into a share to write, marked as the adder's (todos_added numbers it).
        f"CREATE POLICY todos_shared_add ON todos FOR INSERT WITH CHECK (added_by IN {ME_NAME} "
        f"AND user_id IN (SELECT owner_id FROM shares WHERE can_write "
        f"AND grantee_name IN {ME_NAME}))",
        # What a grantee added to the owner's list (a todo, the next one of
        # a repeating todo): theirs to see until the same transaction tags it
        # into the share, and to take back (undo) while it is in a share to
        # write.
        f"CREATE POLICY todos_added_read ON todos FOR SELECT USING ({ADDED})",
        f"CREATE POLICY todos_added_remove ON todos FOR DELETE USING (added_by IN {ME_NAME} "
        f"AND id IN (SELECT todo_id FROM shared_todos WHERE can_write "
        f"AND grantee_name IN {ME_NAME}))",
    ],
    "users": [
        "DROP POLICY users_isolation ON users",
        f"CREATE POLICY users_isolation ON users USING ({VISIBLE_USER}) "
        f"WITH CHECK ({VISIBLE_USER})",
    ],
    "todo_tags": [
        # 0005's policy let whoever sees a todo change its tags: now a
        # grantee sees some todos, so reading and changing part.
        "DROP POLICY todo_tags_isolation ON todo_tags",
        "CREATE POLICY todo_tags_read ON todo_tags FOR SELECT USING (todo_id IN "
        "(SELECT id FROM todos))",
        f"CREATE POLICY todo_tags_own_add ON todo_tags FOR INSERT WITH CHECK (todo_id IN "
        f"(SELECT id FROM todos WHERE user_id IN {ME_ID}))",
        f"CREATE POLICY todo_tags_own_remove ON todo_tags FOR DELETE USING (todo_id IN "
        f"(SELECT id FROM todos WHERE user_id IN {ME_ID}))",
        # A writer may change the tags of a shared todo, but not the tags
        # that share it with them.
        f"CREATE POLICY todo_tags_shared_write ON todo_tags FOR INSERT WITH CHECK (todo_id IN "
        f"(SELECT todo_id FROM shared_todos WHERE can_write AND grantee_name IN {ME_NAME}) "
        f"OR todo_id IN (SELECT id FROM todos WHERE {ADDED}))",
        f"CREATE POLICY todo_tags_shared_remove ON todo_tags FOR DELETE USING (todo_id IN "
        f"(SELECT todo_id FROM shared_todos WHERE can_write AND grantee_name IN {ME_NAME}) "
        f"AND tag NOT IN (SELECT s.tag FROM shared_todos s WHERE s.todo_id = todo_tags.todo_id "
        f"AND s.grantee_name IN {ME_NAME}))",
    ],
    "shares": [
        f"CREATE POLICY shares_owner ON shares USING (owner_id IN {ME_ID}) "
        f"WITH CHECK (owner_id IN {ME_ID})",
        f"CREATE POLICY shares_grantee ON shares FOR SELECT USING (grantee_name IN {ME_NAME})",
    ],
    "shared_todos": [
        # Read only (the triggers write it): the owner sees all of theirs, a
        # grantee their own rows, and nothing of other grantees.
        f"CREATE POLICY shared_todos_read ON shared_todos FOR SELECT "
        f"USING (owner_id IN {ME_ID} OR grantee_name IN {ME_NAME})",
    ],
    "events": [
        # A change to another user's todo: journaled by who made it, seen by
        # the owner; only for an owner who shares with them to write.
        f"CREATE POLICY events_owner_reads ON events FOR SELECT USING (owner_id IN {ME_ID})",
        f"CREATE POLICY events_for_a_sharer ON events AS RESTRICTIVE FOR INSERT WITH CHECK "
        f"(owner_id IS NULL OR owner_id IN {ME_ID} OR owner_id IN (SELECT owner_id FROM shares "
        f"WHERE can_write AND grantee_name IN {ME_NAME}))",
    ],
}
# What the application's roles may update in todos: not its owner or number.
TODO_COLUMNS = (
    "title, done, priority, due, note, created_at, updated_at, completed_at, request_id, "
    "version, every, anchor, clock, until, wait, wait_lead, series, continued"
)

SQLITE_TRIGGERS = [
    """CREATE TRIGGER todo_tags_owner AFTER INSERT ON todo_tags FOR EACH ROW
BEGIN
  UPDATE todo_tags SET user_id = (SELECT user_id FROM todos WHERE id = NEW.todo_id)
  WHERE todo_id = NEW.todo_id AND tag = NEW.tag;
  INSERT OR IGNORE INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
  SELECT NEW.todo_id, s.owner_id, s.grantee_name, s.tag, s.can_write FROM shares s
  WHERE s.owner_id = (SELECT user_id FROM todos WHERE id = NEW.todo_id) AND s.tag = NEW.tag;
END""",
    """CREATE TRIGGER todo_tags_unshared AFTER DELETE ON todo_tags FOR EACH ROW
BEGIN
  DELETE FROM shared_todos WHERE todo_id = OLD.todo_id AND tag = OLD.tag;
END""",
    """CREATE TRIGGER todo_tags_retagged AFTER UPDATE OF tag, todo_id ON todo_tags FOR EACH ROW
BEGIN
  DELETE FROM shared_todos WHERE todo_id = OLD.todo_id AND tag = OLD.tag;
  INSERT OR IGNORE INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
  SELECT NEW.todo_id, s.owner_id, s.grantee_name, s.tag, s.can_write FROM shares s
  WHERE s.owner_id = (SELECT user_id FROM todos WHERE id = NEW.todo_id) AND s.tag = NEW.tag;
END""",
    """CREATE TRIGGER shares_made AFTER INSERT ON shares FOR EACH ROW
BEGIN
  INSERT OR IGNORE INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
  SELECT g.todo_id, NEW.owner_id, NEW.grantee_name, NEW.tag, NEW.can_write
  FROM todo_tags g JOIN todos t ON t.id = g.todo_id
  WHERE t.user_id = NEW.owner_id AND g.tag = NEW.tag;
END""",
    """CREATE TRIGGER shares_changed AFTER UPDATE ON shares FOR EACH ROW
BEGIN
  UPDATE shared_todos SET can_write = NEW.can_write WHERE owner_id = NEW.owner_id
  AND grantee_name = NEW.grantee_name AND tag = NEW.tag;
END""",
    """CREATE TRIGGER shares_revoked AFTER DELETE ON shares FOR EACH ROW
BEGIN
  DELETE FROM shared_todos WHERE owner_id = OLD.owner_id
  AND grantee_name = OLD.grantee_name AND tag = OLD.tag;
END""",
]


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "owner_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("owner_name", sa.String(length=64), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("grantee_name", sa.String(length=64), nullable=False),
        sa.Column("can_write", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("owner_id", "tag", "grantee_name", name="uq_shares_owner_tag_grantee"),
    )
    op.create_index("ix_shares_grantee", "shares", ["grantee_name", "owner_name"])
    op.create_table(
        "shared_todos",
        sa.Column(
            "todo_id",
            sa.Integer(),
            sa.ForeignKey("todos.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("grantee_name", sa.String(length=64), primary_key=True),
        sa.Column("tag", sa.String(length=64), primary_key=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("can_write", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_shared_todos_grantee", "shared_todos", ["grantee_name", "owner_id"])
    op.create_index("ix_shared_todos_owner", "shared_todos", ["owner_id", "tag"])
    op.add_column("todo_tags", sa.Column("user_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE todo_tags SET user_id = (SELECT user_id FROM todos WHERE todos.id = todo_tags.todo_id)"
    )
    op.create_index("ix_todo_tags_user_tag", "todo_tags", ["user_id", "tag"])
    op.add_column("events", sa.Column("owner_id", sa.Integer(), nullable=True))
    op.add_column("todos", sa.Column("added_by", sa.String(length=64), nullable=True))
    op.create_index("ix_events_owner_id", "events", ["owner_id", "id"])
    if not pg:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
        return
    for function in PG_FUNCTIONS:
        op.execute(function)
    op.execute(
        "CREATE TRIGGER todo_tags_owner BEFORE INSERT ON todo_tags FOR EACH ROW "
        "EXECUTE FUNCTION todo_tags_owner()"
    )
    op.execute(
        "CREATE TRIGGER todo_tags_shared AFTER INSERT OR UPDATE OR DELETE ON todo_tags "
        "FOR EACH ROW "
        "EXECUTE FUNCTION todo_tags_shared()"
    )
    op.execute(
        "CREATE TRIGGER shares_owner_name BEFORE INSERT ON shares FOR EACH ROW "
        "EXECUTE FUNCTION shares_owner_name()"
    )
    op.execute(
        "CREATE TRIGGER shares_resolve AFTER INSERT OR UPDATE OR DELETE ON shares FOR EACH ROW "
        "EXECUTE FUNCTION shares_resolve()"
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER todos_in_share AFTER INSERT ON todos DEFERRABLE INITIALLY "
        "DEFERRED FOR EACH ROW EXECUTE FUNCTION todos_in_share()"
    )
    # Only for rows marked as added by someone (the policy requires the mark
    # of a grantee's insert): an owner's own adds and imports pay nothing.
    op.execute(
        "CREATE TRIGGER todos_added BEFORE INSERT ON todos FOR EACH ROW "
        "WHEN (NEW.added_by IS NOT NULL) EXECUTE FUNCTION todos_added()"
    )
    op.execute(
        "CREATE TRIGGER events_attributed BEFORE INSERT ON events FOR EACH ROW "
        "WHEN (NEW.owner_id IS NOT NULL) EXECUTE FUNCTION events_attributed()"
    )
    # The functions that run as the tables' owner read users: it keeps its
    # policy for everyone else.
    op.execute("ALTER TABLE users NO FORCE ROW LEVEL SECURITY")
    for table in ("shares", "shared_todos"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for statements in POLICIES.values():
        for statement in statements:
            op.execute(statement)
    op.execute(
        "DO $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_app') "
        "AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_person') THEN "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON shares TO todo_app, todo_person; "
        "GRANT SELECT ON shared_todos TO todo_app, todo_person; "
        "GRANT USAGE ON SEQUENCE shares_id_seq TO todo_app, todo_person; "
        "REVOKE UPDATE ON todos FROM todo_app, todo_person; "
        f"GRANT UPDATE ({TODO_COLUMNS}) ON todos TO todo_app, todo_person; "
        "REVOKE UPDATE ON todo_tags FROM todo_app, todo_person; "
        # A user's name, role and a share's owner cannot be changed by them:
        # only the counter, whether a share writes, and undo's mark.
        "REVOKE UPDATE ON users, shares, events FROM todo_app, todo_person; "
        "GRANT UPDATE (last_number) ON users TO todo_app, todo_person; "
        "GRANT UPDATE (can_write) ON shares TO todo_app, todo_person; "
        "GRANT UPDATE (undone_at) ON events TO todo_app, todo_person; "
        "GRANT EXECUTE ON FUNCTION todo_caller_name() TO todo_app, todo_person; "
        "END IF; END $$"
    )


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        for table, statements in POLICIES.items():
            for statement in statements:
                if statement.startswith("CREATE POLICY"):
                    name = statement.split()[2]
                    op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
        op.execute(
            "CREATE POLICY todo_tags_isolation ON todo_tags USING (todo_id IN "
            "(SELECT id FROM todos)) WITH CHECK (todo_id IN (SELECT id FROM todos))"
        )
        op.execute("DROP TRIGGER todos_in_share ON todos")
        op.execute("DROP TRIGGER todos_added ON todos")
        op.execute("DROP TRIGGER events_attributed ON events")
        op.execute(
            "CREATE POLICY users_isolation ON users USING (db_role = current_user OR (db_role "
            "IS NULL AND name = NULLIF(current_setting('todo.user', true), '') AND NOT "
            "todo_is_person())) WITH CHECK (db_role = current_user OR (db_role IS NULL AND "
            "name = NULLIF(current_setting('todo.user', true), '') AND NOT todo_is_person()))"
        )
        op.execute("DROP TRIGGER todo_tags_owner ON todo_tags")
        op.execute("DROP TRIGGER todo_tags_shared ON todo_tags")
        op.execute("ALTER TABLE users FORCE ROW LEVEL SECURITY")
        op.execute(
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_app') THEN "
            "GRANT UPDATE ON todos, todo_tags, users, events TO todo_app, todo_person; "
            "END IF; END $$"
        )
    else:
        for trigger in ("todo_tags_owner", "todo_tags_unshared", "todo_tags_retagged"):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_index("ix_events_owner_id", table_name="events")
    op.drop_column("todos", "added_by")
    op.drop_index("ix_todo_tags_user_tag", table_name="todo_tags")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("owner_id")
    op.drop_table("shared_todos")
    op.drop_table("shares")
    if pg:
        for function in (
            "todo_tags_owner()", "todo_tags_shared()", "shares_resolve()", "shares_owner_name()",
            "todos_in_share()", "todos_added()", "events_attributed()", "todo_caller_name()",
        ):  # fmt: skip
            op.execute(f"DROP FUNCTION {function}")
        op.execute(
            "CREATE OR REPLACE FUNCTION todo_is_person() RETURNS boolean LANGUAGE sql STABLE AS "
            "$$ SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = "
            "m.roleid JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = 'todo_person' AND "
            "u.rolname = current_user) $$"
        )
    with op.batch_alter_table("todo_tags") as batch:
        batch.drop_column("user_id")
