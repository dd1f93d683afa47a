"""partial index for listing open todos

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("done = false")


def upgrade() -> None:
    # `todo list` (open todos, by number) and its count read only this index,
    # however many done todos a user has piled up.
    op.create_index(
        "ix_todos_user_open",
        "todos",
        ["user_id", "number"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_todos_user_open", table_name="todos")
