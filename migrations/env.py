"""Alembic environment: migrates the database whose URL the configuration carries."""

from __future__ import annotations

import os
import warnings
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.exc import SAWarning

from adapters.sqlalchemy.engine import make_engine
from adapters.sqlalchemy.migrate import URL_ATTRIBUTE
from adapters.sqlalchemy.tables import described_by_tables, metadata

config = context.config

# Rebuilding a SQLite table in batch mode reflects its neighbours; SQLite cannot reflect the expression
# indexes on `clients` (lower(email)), which the migrations create by name and never need to read back.
warnings.filterwarnings("ignore", message=".*expression-based index", category=SAWarning)

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """From upgrade_database (the config's attributes), `-x database_url=...`, the ini, or the environment."""
    url = (
        config.attributes.get(URL_ATTRIBUTE)
        or context.get_x_argument(as_dictionary=True).get(URL_ATTRIBUTE)
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("PROGNOZA_DATABASE_URL")
    )
    if not url:
        raise RuntimeError("No database URL: set PROGNOZA_DATABASE_URL or pass -x database_url=...")
    return str(url)


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=metadata,
        include_name=described_by_tables,
        literal_binds=True,
        render_as_batch=database_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # On SQLite, foreign keys stay off while migrating: rebuilding a table in batch mode drops the
    # old one, and with foreign keys on that would cascade-delete every row referring to it.
    engine = make_engine(database_url(), enforce_foreign_keys=False)
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


def _migrate(connection: Connection) -> None:
    on_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=described_by_tables,
        render_as_batch=on_sqlite,
        transactional_ddl=True,  # SQLite too: the engine lets SQLAlchemy emit BEGIN itself
    )
    with context.begin_transaction():
        context.run_migrations()
        if on_sqlite:
            _refuse_broken_foreign_keys(connection)


def _refuse_broken_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"Migration left rows referring to missing rows: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
