"""Telling a database that is busy or out of reach from a real error, so that people can be asked to
try again (a 503) instead of being shown a failure."""

from __future__ import annotations

import enum

from sqlalchemy.exc import DBAPIError, OperationalError


class Unavailability(enum.Enum):
    BUSY = "database_busy"
    """Another writer held the lock for longer than the busy timeout (SQLite), or a lock or
    serialization conflict (PostgreSQL): the same request will most likely succeed soon."""
    UNAVAILABLE = "database_unavailable"
    """The database cannot be reached or opened."""


# PostgreSQL SQLSTATEs of a conflict that resolves itself: lock_not_available, deadlock_detected,
# serialization_failure.
_POSTGRESQL_BUSY = {"55P03", "40P01", "40001"}
_SQLITE_BUSY = ("database is locked", "database table is locked", "database schema is locked")
_SQLITE_UNREACHABLE = ("unable to open database file", "disk i/o error")


def unavailability_of(error: DBAPIError) -> Unavailability | None:
    """BUSY or UNAVAILABLE for an error of that kind; None for anything else (a real error)."""
    original = error.orig
    state = getattr(original, "sqlstate", None)
    if state in _POSTGRESQL_BUSY:
        return Unavailability.BUSY
    message = str(original).lower()
    if message.startswith(_SQLITE_BUSY) or getattr(original, "sqlite_errorname", "").startswith(
        "SQLITE_BUSY"
    ):
        return Unavailability.BUSY
    if message.startswith(_SQLITE_UNREACHABLE):
        return Unavailability.UNAVAILABLE
    if error.connection_invalidated or (isinstance(error, OperationalError) and _from_psycopg(original)):
        return Unavailability.UNAVAILABLE
    return None


def _from_psycopg(original: BaseException | None) -> bool:
    return type(original).__module__.startswith("psycopg")
