"""Alembic environment: the URL comes from todo's own settings.

`todo db upgrade` hands over an open connection (already inside its
transaction); a plain `alembic upgrade head` from the repo root builds one
from the same settings `todo` uses, on the direct (unpooled) endpoint.
"""

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from alembic import context
from todo_cli.models import SQLModel
from todo_cli.store.revision import MIGRATION_LOCK_ID


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Transaction-scoped, so it is released by COMMIT even if the
            # process dies; concurrent upgraders queue here and then find
            # the schema already at head.
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()


def main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from todo_cli.config import load_settings

        settings = load_settings()
        url = settings.url.direct(settings.direct_url).sqlalchemy_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=SQLModel.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        run_migrations(conn)
        conn.commit()


main()
