"""priority, due, note, and tags

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from todo_cli.sqltypes import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # New columns are nullable: existing todos keep every value and get none.
    with op.batch_alter_table("todos") as batch:
        batch.add_column(sa.Column("priority", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("due", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        "todo_tags",
        sa.Column(
            "todo_id",
            sa.Integer(),
            sa.ForeignKey("todos.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tag", sa.String(length=64), primary_key=True),
    )
    # `todo list --tag x` finds the todos through this, not by scanning tags.
    op.create_index("ix_todo_tags_tag", "todo_tags", ["tag", "todo_id"])
    op.create_index("ix_todos_user_due", "todos", ["user_id", "due"])


def downgrade() -> None:
    op.drop_index("ix_todos_user_due", table_name="todos")
    op.drop_index("ix_todo_tags_tag", table_name="todo_tags")
    op.drop_table("todo_tags")
    with op.batch_alter_table("todos") as batch:
        batch.drop_column("note")
        batch.drop_column("due")
        batch.drop_column("priority")
