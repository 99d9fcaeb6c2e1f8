"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (through psycopg 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_SECONDS = 15
_POSTGRESQL_ALIASES = {"postgres", "postgresql"}


def make_engine(url: str, *, enforce_foreign_keys: bool = True) -> Engine:
    """An engine for `url`: SQLite (a file, its folder created if missing) or PostgreSQL.

    `enforce_foreign_keys=False` is only for schema migrations on SQLite, where rebuilding a
    table must not cascade deletes into the tables that refer to it.
    """
    database_url = _with_psycopg_driver(make_url(url))
    if database_url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url, enforce_foreign_keys=enforce_foreign_keys)
    return create_engine(database_url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def _with_psycopg_driver(url: URL) -> URL:
    if url.drivername in _POSTGRESQL_ALIASES:
        return url.set(drivername="postgresql+psycopg")
    return url


def _sqlite_engine(url: URL, *, enforce_foreign_keys: bool) -> Engine:
    _create_parent_folder(url)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
    )
    event.listen(engine, "connect", _sqlite_connection_setup(enforce_foreign_keys))
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _create_parent_folder(url: URL) -> None:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_connection_setup(enforce_foreign_keys: bool) -> Any:
    def set_up(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _begin_sqlite_transaction): the sqlite3 module's own
        # transaction handling would otherwise break SAVEPOINTs and transactional DDL.
        dbapi_connection.isolation_level = None
        # SQLite's built-in lower() folds ASCII letters only; Python's folds every letter, as the
        # domain (email_key) and PostgreSQL do, so "Łucja@x.pl" and "łucja@x.pl" count as one email.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enforce_foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers keep reading while one writer writes
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode, and much faster
        cursor.close()

    return set_up


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _begin_sqlite_transaction(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")
