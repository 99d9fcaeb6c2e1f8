"""Turning the database's integrity errors into the domain's errors."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.errors import DomainError


class Violation(enum.Enum):
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    OTHER = "other"


_POSTGRESQL_STATES = {"23505": Violation.UNIQUE, "23503": Violation.FOREIGN_KEY}
_SQLITE_ERRORS = {
    "SQLITE_CONSTRAINT_UNIQUE": Violation.UNIQUE,
    "SQLITE_CONSTRAINT_PRIMARYKEY": Violation.UNIQUE,
    "SQLITE_CONSTRAINT_FOREIGNKEY": Violation.FOREIGN_KEY,
}

Translation = Callable[[Violation], DomainError | None]


def violation_of(error: IntegrityError) -> Violation:
    """Which kind of constraint the statement broke, from psycopg's SQLSTATE or sqlite3's error name."""
    original = error.orig
    state = getattr(original, "sqlstate", None)
    if state in _POSTGRESQL_STATES:
        return _POSTGRESQL_STATES[state]
    return _SQLITE_ERRORS.get(getattr(original, "sqlite_errorname", ""), Violation.OTHER)


@contextmanager
def savepoint(session: Session, translate: Translation) -> Iterator[None]:
    """Run writes in a SAVEPOINT so that a refused write leaves the transaction usable.

    `translate` names the domain error for a violated constraint; an untranslated one propagates.
    """
    try:
        with session.begin_nested():
            yield
    except IntegrityError as error:
        refusal = translate(violation_of(error))
        if refusal is None:
            raise
        raise refusal from error
