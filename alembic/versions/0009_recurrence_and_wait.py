"""recurring todos, and todos that wait

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

A recurring todo is one instance of a series: every (the canonical SPEC of
todo_cli/recurrence.py), anchor (the day of the month the series began on),
clock (its local time of day, in seconds: a due the clocks skipped does not
move the series), until, wait_lead (how long before each due, in seconds,
the next one stops waiting),
series (the series' identity). Completing an instance creates the next in
the same statement list; unique (user_id, series, due) makes a second
creation of the same instance impossible, whatever retries, concurrent
clients or a lost reply do. continued is set on an instance whose successor
was made: an older todo completes an instance without it, and the next
todo to list or complete repairs that once. wait hides an open todo from
the default list until then.

todo_next_due() is recurrence.next_due in SQL (the Python one is the
reference; tests/store/test_recurrence.py checks they agree). SQLite gets
the Python function registered on each connection instead.

Usable by the previous release: every column is nullable or has a default.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from todo_cli.sqltypes import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEXT_DUE = r"""
CREATE FUNCTION todo_next_due(
  due timestamptz, every text, anchor integer, clock integer, done_at timestamptz, tz text
) RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  rule text := every;
  from_done boolean := false;
  local_due timestamp;
  base date;
  n integer;
  unit text;
  months integer;
  first_of_month date;
  last_day integer;
  day date;
  days integer[];
  k integer;
BEGIN
  IF due IS NULL OR every IS NULL THEN
    RETURN NULL;
  END IF;
  IF rule LIKE '% from done' THEN
    rule := left(rule, length(rule) - length(' from done'));
    from_done := true;
  END IF;
  local_due := due AT TIME ZONE tz;
  anchor := COALESCE(anchor, extract(day FROM local_due)::integer);
  clock := COALESCE(clock, extract(epoch FROM local_due::time)::integer);
  IF from_done AND done_at IS NOT NULL THEN
    base := (done_at AT TIME ZONE tz)::date;
    anchor := extract(day FROM base)::integer;
  ELSE
    base := local_due::date;
  END IF;
  IF rule ~ '^[0-9]+[dwmy]$' THEN
    n := left(rule, length(rule) - 1)::integer;
    unit := right(rule, 1);
    IF unit = 'd' THEN
      day := base + n;
    ELSIF unit = 'w' THEN
      day := base + 7 * n;
    ELSE
      months := n * (CASE WHEN unit = 'y' THEN 12 ELSE 1 END);
      first_of_month := (date_trunc('month', base) + make_interval(months => months))::date;
      last_day := extract(day FROM (first_of_month + interval '1 month' - interval '1 day'))::integer;
      day := first_of_month + (least(anchor, last_day) - 1);
    END IF;
  ELSE
    IF rule = 'weekday' THEN
      days := ARRAY[1, 2, 3, 4, 5];
    ELSE
      SELECT array_agg(array_position(
        ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], d)) INTO days
      FROM unnest(string_to_array(rule, ',')) AS d;
    END IF;
    FOR k IN 1..7 LOOP
      day := base + k;
      EXIT WHEN extract(isodow FROM day)::integer = ANY(days);
    END LOOP;
  END IF;
  -- A local time the clocks skip or pass twice is read as PostgreSQL reads
  -- it (recurrence._at does the same).
  RETURN (day + make_interval(secs => clock) + (local_due - date_trunc('second', local_due)))
    AT TIME ZONE tz;
END $$
"""


# 0007's version trigger, except that marking an instance continued (the
# repair of one an older todo completed) is not a change of the todo: undo
# of that older done still finds the version it journaled.
BUMP_PG = """
CREATE OR REPLACE FUNCTION todos_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version = OLD.version
     AND (to_jsonb(NEW) - 'continued') IS DISTINCT FROM (to_jsonb(OLD) - 'continued') THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END $$
"""
BUMP_PG_0007 = """
CREATE OR REPLACE FUNCTION todos_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version = OLD.version THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END $$
"""
_COLUMNS = (
    "user_id", "number", "title", "done", "created_at", "updated_at", "completed_at",
    "request_id", "priority", "due", "note", "every", "anchor", "clock", "until", "wait",
    "wait_lead", "series",
)  # fmt: skip
BUMP_SQLITE = (
    "CREATE TRIGGER todos_version AFTER UPDATE ON todos FOR EACH ROW "
    "WHEN NEW.version = OLD.version AND ("
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _COLUMNS)
    + ") BEGIN UPDATE todos SET version = OLD.version + 1 WHERE id = NEW.id; END"
)
BUMP_SQLITE_0007 = (
    "CREATE TRIGGER todos_version AFTER UPDATE ON todos FOR EACH ROW "
    "WHEN NEW.version = OLD.version "
    "BEGIN UPDATE todos SET version = OLD.version + 1 WHERE id = NEW.id; END"
)


def upgrade() -> None:
    # Plain ADD COLUMNs, not a batch: on SQLite a batch copies the table,
    # which would lose its version trigger (0007).
    op.add_column("todos", sa.Column("every", sa.String(length=40), nullable=True))
    op.add_column("todos", sa.Column("anchor", sa.SmallInteger(), nullable=True))
    op.add_column("todos", sa.Column("clock", sa.Integer(), nullable=True))
    op.add_column("todos", sa.Column("until", UTCDateTime(), nullable=True))
    op.add_column("todos", sa.Column("wait", UTCDateTime(), nullable=True))
    op.add_column("todos", sa.Column("wait_lead", sa.Integer(), nullable=True))
    op.add_column("todos", sa.Column("series", sa.String(length=32), nullable=True))
    op.add_column(
        "todos",
        sa.Column("continued", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "uq_todos_user_series_due",
        "todos",
        ["user_id", "series", "due"],
        unique=True,
        postgresql_where=sa.text("series IS NOT NULL"),
        sqlite_where=sa.text("series IS NOT NULL"),
    )
    # The instances an older todo completed without making the next one.
    op.create_index(
        "ix_todos_user_unfollowed",
        "todos",
        ["user_id"],
        postgresql_where=sa.text("every IS NOT NULL AND done = true AND continued = false"),
        sqlite_where=sa.text("every IS NOT NULL AND done = true AND continued = false"),
    )
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER todos_version")
        op.execute(BUMP_SQLITE)
        return
    op.execute(BUMP_PG)
    op.execute(NEXT_DUE)
    op.execute(
        "DO $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_app') "
        "AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'todo_person') THEN "
        "GRANT EXECUTE ON FUNCTION todo_next_due(timestamptz, text, integer, integer, timestamptz, "
        "text) "
        "TO todo_app, todo_person; "
        "END IF; END $$"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name != "postgresql"
    if sqlite:
        op.execute("DROP TRIGGER todos_version")
    else:
        op.execute(
            "DROP FUNCTION todo_next_due(timestamptz, text, integer, integer, timestamptz, text)"
        )
        op.execute(BUMP_PG_0007)
    op.drop_index("ix_todos_user_unfollowed", table_name="todos")
    op.drop_index("uq_todos_user_series_due", table_name="todos")
    # SQLite's DROP COLUMN (3.35+), not a batch: a batch copies the table
    # and would lose the version trigger.
    for column in (
        "continued", "series", "wait_lead", "wait", "until", "clock", "anchor", "every",
    ):  # fmt: skip
        op.drop_column("todos", column)
    if sqlite:
        op.execute(BUMP_SQLITE_0007)
