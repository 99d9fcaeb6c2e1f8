"""Running the Alembic migrations from code: the CLI, the app's set-up and the tests all come here.

Alembic is imported by the functions that use it, so that commands and processes that never touch the
schema do not pay for importing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from adapters.sqlalchemy.engine import make_engine

# src/adapters/sqlalchemy/migrate.py -> the repository root, which holds migrations/.
MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"
URL_ATTRIBUTE = "database_url"

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(url: str) -> Config:
    """An Alembic configuration built in code; migrations/env.py reads the URL from its attributes."""
    from alembic.config import Config

    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise FileNotFoundError(f"Alembic migrations not found in {MIGRATIONS_DIR}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes[URL_ATTRIBUTE] = url
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Bring the schema of the database at `url` up to `revision` (creating it on an empty database)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade_database(url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    engine = make_engine(url)
    try:
        return revision_of(engine)
    finally:
        engine.dispose()


def revision_of(engine: Engine) -> str | None:
    """The revision the database of `engine` is at, on one of its pooled connections."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("")).get_current_head()
