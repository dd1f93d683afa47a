"""row-level security: the database enforces per-user isolation

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

On PostgreSQL every per-user table gets row-level security, enabled and
forced. A row is visible when it belongs to the user the transaction names
in the setting todo.user (set_config(..., true), so it lasts one
transaction), or, for per-user login roles (members of todo_person, made by
`todo admin user add`), when the user's row names that very role: such a
role cannot take another name by changing the setting. No setting, or an
empty one, shows nothing.

Two group roles are created if missing: todo_app (grant it to the role the
application connects as in shared-credential mode) and todo_person.
SQLite has no roles or policies: there only the column is added.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Direct membership only: pg_has_role() is true for superusers, who must not
# count as per-user accounts.
IS_PERSON = """
CREATE OR REPLACE FUNCTION todo_is_person() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_auth_members m
    JOIN pg_roles g ON g.oid = m.roleid
    JOIN pg_roles u ON u.oid = m.member
    WHERE g.rolname = 'todo_person' AND u.rolname = current_user)
$$
"""
VISIBLE_USER = (
    "db_role = current_user OR (db_role IS NULL "
    "AND name = NULLIF(current_setting('todo.user', true), '') AND NOT todo_is_person())"
)
POLICIES = {
    "users": VISIBLE_USER,
    # The subqueries are filtered by the policies above them.
    "todos": "user_id IN (SELECT id FROM users)",
    "todo_tags": "todo_id IN (SELECT id FROM todos)",
}


def upgrade() -> None:
    # A plain ADD COLUMN and a unique index: on SQLite a batch (copy and
    # rename) of users would cascade-delete every todo.
    op.add_column("users", sa.Column("db_role", sa.String(length=63), nullable=True))
    op.create_index("uq_users_db_role", "users", ["db_role"], unique=True)
    if op.get_bind().dialect.name != "postgresql":
        return
    for role in ("todo_app", "todo_person"):
        # Roles are cluster-wide: another database (or a concurrent upgrade)
        # may have made it, and an owner without CREATEROLE cannot: then the
        # grants wait until an administrator creates the roles (README).
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
            f"WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role {role}'; END $$"
        )
    op.execute(IS_PERSON)
    op.execute(
        "DO $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_app') "
        "AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_person') THEN "
        "GRANT EXECUTE ON FUNCTION todo_is_person() TO todo_app, todo_person; "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON users, todos, todo_tags TO todo_app, todo_person; "
        "GRANT USAGE ON SEQUENCE users_id_seq, todos_id_seq TO todo_app, todo_person; "
        # whoami --check and the exit-5 message read the revision as the runtime role.
        "GRANT SELECT ON alembic_version TO todo_app, todo_person; "
        "END IF; END $$"
    )
    for table, rule in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_isolation ON {table} USING ({rule}) WITH CHECK ({rule})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in reversed(POLICIES):
            op.execute(f"DROP POLICY {table}_isolation ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_app') THEN "
            "REVOKE ALL ON users, todos, todo_tags, alembic_version FROM todo_app, todo_person; "
            "REVOKE ALL ON SEQUENCE users_id_seq, todos_id_seq FROM todo_app, todo_person; "
            "END IF; END $$"
        )
        op.execute("DROP FUNCTION todo_is_person()")
    op.drop_index("uq_users_db_role", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("db_role")
