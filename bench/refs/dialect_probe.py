"""Reference: what the lean dialect saves. Connect, SELECT 1, commit, close,
through SQLAlchemy with NullPool (as `todo` connects), with either dialect.

    python dialect_probe.py DATABASE_URL lean|stock

lean: the engine `todo` makes (`todo_cli.db.make_engine`, LeanPGDialect).
stock: `create_engine("postgresql+psycopg2://...", poolclass=NullPool)`,
which runs SQLAlchemy's first-connect probes on every new engine.
"""

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

url, mode = sys.argv[1], sys.argv[2]
if mode == "lean":
    from todo_cli import db
    from todo_cli.dburl import parse_database_url

    engine = db.make_engine(parse_database_url(url, source="bench"))
else:
    scheme, sep, rest = url.partition("://")
    engine = create_engine(f"postgresql+psycopg2{sep}{rest}", poolclass=NullPool)
with engine.connect() as conn:
    print(conn.execute(text("SELECT 1")).scalar_one())
    conn.commit()
engine.dispose()
