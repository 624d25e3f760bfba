"""Alembic environment of xlimport.

Two ways in:
- programmatic (``SqlStore.upgrade()``): the caller passes an open connection in
  ``config.attributes["connection"]``; we run on it (the caller holds any lock and commits);
- the ``alembic`` command line: the URL is ``-x url=...``, else ``sqlalchemy.url`` of the ini,
  else the xlimport settings (``DATABASE_URL``, else the embedded SQLite file).
"""

from __future__ import annotations

from alembic import context

from xlimport.store.schema import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if url:
        return url
    from xlimport.config import get_settings

    return get_settings().effective_database_url


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # SQLite DDL is transactional (the store begins transactions itself): a migration is
        # all or nothing, and concurrent first uses cannot interleave.
        transactional_ddl=True,
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    from xlimport.store.sql import SqlStore

    store = SqlStore(_url(), auto_upgrade=False)
    with store.engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
