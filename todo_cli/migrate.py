"""Schema check and upgrade. The only module that imports alembic, and only
inside the functions that migrate, so ordinary commands never pay for it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

# The newest revision this code was written for. Checked against the scripts
# by a test, so the hot path can compare revisions without loading alembic.
HEAD = "0007"
# Revisions are numbered 0001, 0002, ...: every one this code knows.
KNOWN = frozenset(f"{n:04d}" for n in range(1, int(HEAD) + 1))


def schema_state(current: str | None) -> str:
    """'missing', 'behind', 'up to date', or 'newer': written by a newer todo,
    which an upgrade from here must not touch (it cannot even locate it)."""
    if current is None:
        return "missing"
    if current == HEAD:
        return "up to date"
    return "behind" if current in KNOWN else "newer"


def newer_message(current: str) -> str:
    return (
        f"the database schema is at revision {current}, newer than this todo knows "
        f"(up to {HEAD}): a newer todo upgraded it; upgrade todo"
    )


def script_location() -> Path:
    """Migrations ship inside the wheel as todo_cli/migrations; a source
    checkout (editable install) keeps them in the top-level alembic/."""
    here = Path(__file__).resolve().parent
    packaged = here / "migrations"
    return packaged if packaged.is_dir() else here.parent / "alembic"


def _config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(script_location())).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's revision, or None when the schema was never created."""
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(connection: Connection) -> None:
    """Upgrade to head inside the caller's transaction (env.py takes the lock)."""
    from alembic import command

    command.upgrade(_config(connection), "head")
