"""The schema of record, as SQLModel tables.

Alembic's env.py targets this metadata, and a test checks that the
migrations produce exactly these tables. The command hot path does not
import this module: it runs SQL through SQLAlchemy Core, which saves the
SQLModel + pydantic import (about 0.4 s per command, see README).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from todo_cli.sqltypes import UTCDateTime

TITLE_MAX = 500
NAME_MAX = 64


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # The last per-user number handed out. Bumped in the same statement that
    # inserts a todo, so numbers are allocated without races and never reused.
    last_number: int = Field(default=0)


class Todo(SQLModel, table=True):
    __tablename__ = "todos"
    __table_args__ = (UniqueConstraint("user_id", "number", name="uq_todos_user_number"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    number: int
    title: str = Field(max_length=TITLE_MAX)
    done: bool = Field(default=False)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
