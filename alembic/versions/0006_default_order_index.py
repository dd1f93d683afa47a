"""index for the default list order

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("done = false")
# The keys of the default `todo list` order after "overdue first" (see
# listing._ORDER), so a screenful is the first entries of this index.
ORDER_KEYS = [
    "user_id",
    sa.text("COALESCE(priority, 4)"),
    sa.text("(due IS NULL)"),
    "due",
    "number",
]


def _open_index(include: list[str]) -> None:
    op.drop_index("ix_todos_user_open", table_name="todos")
    op.create_index(
        "ix_todos_user_open",
        "todos",
        ["user_id", "number"],
        postgresql_include=include,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def upgrade() -> None:
    # INCLUDE makes it an index-only scan on PostgreSQL: the planner cannot
    # read priority back out of COALESCE(priority, 4), and without the plain
    # column it fetches every row of the user to sort them instead.
    op.create_index(
        "ix_todos_user_open_order",
        "todos",
        ORDER_KEYS,
        postgresql_include=["id", "priority"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    # The same for `--sort number`: without id in it, the planner (which
    # cannot know how many todos the user has) prefers the covering index
    # above and sorts every open todo, over walking this one in order.
    _open_index(["id"])


def downgrade() -> None:
    _open_index([])
    op.drop_index("ix_todos_user_open_order", table_name="todos")
