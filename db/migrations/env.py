"""Alembic environment for jixiao: the same migrations for SQLite and PostgreSQL.

`db.session.open_db` runs them programmatically on a connection it already
holds (inside a transaction and under the schema lock), passed in
`config.attributes["connection"]`. From the command line, give a URL:

    alembic -c db/migrations/alembic.ini -x url=sqlite:///jixiao.sqlite upgrade head
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table. The
        # migrations avoid it on tables others reference (see versions/).
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from db.session import engine_for  # same URL rules and pragmas as the CLI

    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url")
    engine = engine_for(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("jixiao migrations run online only: pass -x url=...")
run_migrations_online()
