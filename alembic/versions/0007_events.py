"""events: a per-user journal of changes, for todo log and todo undo

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

Every change writes one event in the same transaction (and round trip) as
the change itself, holding what undo needs: the todos as they were before
(edit, done, reopen, rm) or the numbers it created (add, import).
todos.version counts a todo's changes, so undo can tell that a todo changed
after the event it is undoing without trusting clocks.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from todo_cli.sqltypes import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ISOLATION = "user_id IN (SELECT id FROM users)"  # filtered by the users policy (0005)
# Any UPDATE that does not move version itself (a hand-written fix, an older
# client) moves it here, so undo sees that the todo changed and refuses.
BUMP_PG = """
CREATE FUNCTION todos_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version = OLD.version THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END $$
"""
BUMP_SQLITE = """
CREATE TRIGGER todos_version AFTER UPDATE ON todos FOR EACH ROW
WHEN NEW.version = OLD.version
BEGIN
  UPDATE todos SET version = OLD.version + 1 WHERE id = NEW.id;
END
"""


def upgrade() -> None:
    op.add_column("todos", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_events_user_id", "events", ["user_id", "id"])
    if op.get_bind().dialect.name != "postgresql":
        op.execute(BUMP_SQLITE)
        return
    op.execute(BUMP_PG)
    op.execute(
        "CREATE TRIGGER todos_version BEFORE UPDATE ON todos FOR EACH ROW "
        "EXECUTE FUNCTION todos_bump_version()"
    )
    op.execute(
        "DO $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_app') "
        "AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_person') THEN "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON events TO todo_app, todo_person; "
        "GRANT USAGE ON SEQUENCE events_id_seq TO todo_app, todo_person; "
        "END IF; END $$"
    )
    op.execute("ALTER TABLE events ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE events FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY events_isolation ON events USING ({ISOLATION}) WITH CHECK ({ISOLATION})"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER todos_version ON todos" if _pg() else "DROP TRIGGER todos_version")
    if _pg():
        op.execute("DROP FUNCTION todos_bump_version()")
    op.drop_table("events")  # its policy and grants go with it
    with op.batch_alter_table("todos") as batch:
        batch.drop_column("version")


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"
