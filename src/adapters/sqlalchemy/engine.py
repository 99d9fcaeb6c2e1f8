"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (through psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_SECONDS = 15
SQLITE_MAPPED_BYTES = 2**31
"""How much of a SQLite file its connections read through memory mapping (SQLite caps it at its build's
limit, 2 GiB by default) rather than through a read call per page into a small cache of their own."""
UNICODE_LOWER = "unicode_lower"
"""SQLite's name for Python's str.lower (see `contains_folded` in statements.py)."""
_POSTGRESQL_ALIASES = {"postgres", "postgresql"}
_reading_only: ContextVar[bool] = ContextVar("sqlite_reading_only", default=False)


@contextmanager
def reading_only() -> Iterator[None]:
    """Transactions begun inside only read: on SQLite they begin DEFERRED, so they never wait for
    the write lock (in WAL mode readers and the one writer do not block each other)."""
    token = _reading_only.set(True)
    try:
        yield
    finally:
        _reading_only.reset(token)


def set_reading_only(value: bool) -> None:
    """For a whole request (see `reading_only`); the entrypoint sets it back when the request ends."""
    _reading_only.set(value)


@contextmanager
def read_once(connection: Connection) -> Iterator[None]:
    """Statements inside read whole tables once (a model's training rows, a batch's writes of the
    scored list): on SQLite they read the file through read calls, not through its memory map. Mapped
    pages stay in the process's memory until the map is let go, so a scan of the file would count the
    file as the process's own; the map pays for the many small reads of serving pages."""
    if connection.dialect.name != "sqlite":
        yield
        return
    with _set_inside(connection, "PRAGMA mmap_size", "PRAGMA mmap_size={}", 0):
        yield


@contextmanager
def unsorted(connection: Connection) -> Iterator[None]:
    """Statements inside read their rows in the order of an index, not sorted after: PostgreSQL's planner
    is told not to sort (`enable_sort`, for the transaction, and back after). SQLite is kept on the
    order's index by keeping its conditions off the others (`unindexed` in statements.py)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    with _set_inside(connection, "SHOW enable_sort", "SET LOCAL enable_sort = {}", "off"):
        yield


@contextmanager
def _set_inside(connection: Connection, read: str, write: str, value: object) -> Iterator[None]:
    """A setting at `value` for the statements inside (`write` with `{}` for it), then back at what
    `read` gave before."""
    before = connection.exec_driver_sql(read).scalar_one()
    connection.exec_driver_sql(write.format(value))
    try:
        yield
    finally:
        connection.exec_driver_sql(write.format(before))


def make_engine(url: str, *, enforce_foreign_keys: bool = True) -> Engine:
    """An engine for `url`: SQLite (a file, its folder created if missing) or PostgreSQL.

    `enforce_foreign_keys=False` is only for schema migrations on SQLite, where rebuilding a
    table must not cascade deletes into the tables that refer to it.
    """
    database_url = _with_psycopg_driver(make_url(url))
    if database_url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url, enforce_foreign_keys=enforce_foreign_keys)
    return create_engine(database_url, pool_pre_ping=True, connect_args=POSTGRESQL_CONNECT_ARGS)


POSTGRESQL_CONNECT_ARGS = {"prepare_threshold": None}
"""psycopg prepares none of the app's statements, so that PostgreSQL plans each for its own values. Else it
prepares a statement run five times on a connection, and PostgreSQL may then keep one generic plan for every
value, which suits a search for one text and not another (`q=an` sorted by registration took 0.7-0.8 s that
way, 38-113 ms planned for its text). The server's own statements keep their plans: `plan_cache_mode =
force_custom_plan`, which served the searches before, also planned each foreign-key check of a bulk write
again, row by row (15-22 us an event written, against 3-6 us)."""


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
    event.listen(engine, "connect", _sqlite_connection_setup(url, enforce_foreign_keys))
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _create_parent_folder(url: URL) -> None:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _is_file(url: URL) -> bool:
    database = url.database or ""
    return bool(database) and database != ":memory:" and "mode=memory" not in database


def _sqlite_connection_setup(url: URL, enforce_foreign_keys: bool) -> Any:
    def set_up(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _begin_sqlite_transaction): the sqlite3 module's own
        # transaction handling would otherwise break SAVEPOINTs and transactional DDL.
        dbapi_connection.isolation_level = None
        # SQLite's built-in lower() folds ASCII letters only; searches fold every letter, as the
        # domain (email_key) and PostgreSQL do. The function has a name of its own and no index
        # uses it, so tools without it (the sqlite3 shell) read and check the file as the app does.
        dbapi_connection.create_function(UNICODE_LOWER, 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enforce_foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        if _is_file(url):
            cursor.execute("PRAGMA journal_mode=WAL")  # readers keep reading while one writer writes
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode, and much faster
            cursor.execute(f"PRAGMA mmap_size={SQLITE_MAPPED_BYTES}")
        cursor.close()

    return set_up


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _begin_sqlite_transaction(connection: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, waiting up to the busy timeout for it. A plain
    # (deferred) BEGIN would read first and then fail at once with "database is locked" when its
    # first write found another writer ahead: SQLite cannot make a reader wait to become a writer.
    # A transaction that only reads (see `reading_only`) needs no lock at all.
    connection.exec_driver_sql("BEGIN" if _reading_only.get() else "BEGIN IMMEDIATE")
