"""todos.request_id: exactly-once adds across retries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, so existing rows keep NULL; NULLs never collide in a unique constraint.
    with op.batch_alter_table("todos") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=32), nullable=True))
        batch.create_unique_constraint("uq_todos_user_request", ["user_id", "request_id"])


def downgrade() -> None:
    with op.batch_alter_table("todos") as batch:
        batch.drop_constraint("uq_todos_user_request", type_="unique")
        batch.drop_column("request_id")
