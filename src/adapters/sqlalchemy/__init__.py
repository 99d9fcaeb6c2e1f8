"""Persistence on SQLAlchemy 2 Core: SQLite (the embedded default) and PostgreSQL (psycopg 3).

Tables are plain Core `Table`s and rows are converted to domain entities explicitly, so the domain
stays free of SQLAlchemy. Nothing here builds an engine or opens a connection at import time.
"""

from adapters.sqlalchemy.activity import SqlAlchemyActivityRepository
from adapters.sqlalchemy.clients import SqlAlchemyClientRepository
from adapters.sqlalchemy.engine import make_engine, make_session_factory
from adapters.sqlalchemy.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    revision_of,
    upgrade_database,
)
from adapters.sqlalchemy.model_runs import SqlAlchemyModelRunRepository
from adapters.sqlalchemy.predictions import SqlAlchemyPredictionRepository
from adapters.sqlalchemy.settings import SqlAlchemySettingsRepository
from adapters.sqlalchemy.tables import metadata
from adapters.sqlalchemy.tokens import SqlAlchemyTokenRepository
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from adapters.sqlalchemy.users import SqlAlchemyUserRepository

__all__ = [
    "SqlAlchemyActivityRepository",
    "SqlAlchemyClientRepository",
    "SqlAlchemyModelRunRepository",
    "SqlAlchemyPredictionRepository",
    "SqlAlchemySettingsRepository",
    "SqlAlchemyTokenRepository",
    "SqlAlchemyUnitOfWork",
    "SqlAlchemyUserRepository",
    "current_revision",
    "downgrade_database",
    "head_revision",
    "make_engine",
    "make_session_factory",
    "metadata",
    "revision_of",
    "upgrade_database",
]
