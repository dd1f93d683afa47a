"""todo_require_numbers: all or nothing inside one message

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

A command's statements travel to PostgreSQL in one message, which the
server runs as one implicit transaction and commits as soon as the last
statement is done: a number the user does not have must stop the
transaction inside the message, not in the client afterwards. The change
statements call this function first; it raises SQLSTATE P0002 naming the
missing numbers, and the whole message rolls back.

Additive: the previous release neither calls nor minds it. SQLite needs
nothing: its statements run one by one, and the client checks before COMMIT.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUIRE = """
CREATE FUNCTION todo_require_numbers(asked integer[], present integer[]) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(a.n::text, ',' ORDER BY a.o) INTO missing
  FROM unnest(asked) WITH ORDINALITY AS a(n, o)
  WHERE a.n <> ALL(COALESCE(present, '{}'));
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'todo: missing numbers: %', missing USING ERRCODE = 'P0002';
  END IF;
  RETURN true;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(REQUIRE)
    op.execute(
        "DO $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_app') "
        "AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_person') THEN "
        "GRANT EXECUTE ON FUNCTION todo_require_numbers(integer[], integer[]) "
        "TO todo_app, todo_person; "
        "END IF; END $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION todo_require_numbers(integer[], integer[])")
