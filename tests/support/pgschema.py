"""store/postgresql.sql: the PostgreSQL schema at head as pg_dump shows it,
for reading the database's rules in one place (tables, indexes, functions,
triggers, policies, grants). tests/system/test_migrations.py holds it to
what the migrations build. After a migration, regenerate it from a database
the migrations built:

    python -m tests.support.pgschema postgresql://postgres@127.0.0.1/DB \\
        > todo_cli/store/postgresql.sql
"""

from __future__ import annotations

import re
import subprocess
import sys

HEADER = """\
-- The PostgreSQL schema at head, as alembic/versions builds it (pg_dump
-- --schema-only --no-owner, less its session settings; each database's
-- group roles are todo_<tag>_app and todo_<tag>_person, with a random tag).
-- Read it for what the database enforces; the migrations are the history
-- and the upgrade path. Regenerate after a migration (tests/support/pgschema.py).

"""
_TAG = re.compile(r"\btodo_[0-9a-f]{8}_(app|person)\b")


def dump(url: str) -> str:
    out = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    kept = [
        line
        for line in out.splitlines()
        if not line.startswith(("--", "SET ", "\\restrict", "\\unrestrict"))
        and not line.startswith("SELECT pg_catalog.set_config('search_path'")
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip() + "\n"
    return HEADER + _TAG.sub(r"todo_<tag>_\1", text)


if __name__ == "__main__":
    print(dump(sys.argv[1]), end="")
