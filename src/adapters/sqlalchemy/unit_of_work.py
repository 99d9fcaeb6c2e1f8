"""The unit of work on a SQLAlchemy session: one transaction, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Self

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from adapters.sqlalchemy.activity import SqlAlchemyActivityRepository
from adapters.sqlalchemy.clients import SqlAlchemyClientRepository
from adapters.sqlalchemy.jobs import SqlAlchemyJobRepository
from adapters.sqlalchemy.kept import SqlAlchemySummaryRepository
from adapters.sqlalchemy.model_runs import SqlAlchemyModelRunRepository
from adapters.sqlalchemy.orders import SqlAlchemyEventRepository, SqlAlchemyOrderRepository
from adapters.sqlalchemy.predictions import SqlAlchemyPredictionRepository
from adapters.sqlalchemy.sessions import SqlAlchemyRememberTokenRepository
from adapters.sqlalchemy.settings import SqlAlchemySettingsRepository
from adapters.sqlalchemy.tables import CLIENT_COUNT_TABLE, metadata
from adapters.sqlalchemy.tokens import SqlAlchemyTokenRepository
from adapters.sqlalchemy.users import SqlAlchemyUserRepository
from adapters.unit_of_work import Repositories, RepositoryUnitOfWork

REPOSITORIES: Repositories[Session] = Repositories(
    clients=SqlAlchemyClientRepository,
    activity=SqlAlchemyActivityRepository,
    users=SqlAlchemyUserRepository,
    predictions=SqlAlchemyPredictionRepository,
    model_runs=SqlAlchemyModelRunRepository,
    jobs=SqlAlchemyJobRepository,
    settings=SqlAlchemySettingsRepository,
    tokens=SqlAlchemyTokenRepository,
    remember_tokens=SqlAlchemyRememberTokenRepository,
    orders=SqlAlchemyOrderRepository,
    events=SqlAlchemyEventRepository,
    summaries=SqlAlchemySummaryRepository,
)


_FOLD_CLIENT_COUNT = text(
    f"WITH folded AS (DELETE FROM {CLIENT_COUNT_TABLE} RETURNING clients)"
    f" INSERT INTO {CLIENT_COUNT_TABLE} (clients) SELECT coalesce(sum(clients), 0) FROM folded"
)
"""PostgreSQL's count of clients, its rows (one per statement that added or removed clients) made one."""


_shared: ContextVar[Session | None] = ContextVar("shared_session", default=None)


def share_one_session(session_factory: Callable[[], Session]) -> None:
    """From now on in this context, until `end_shared_session`, every unit of work reads through one
    session and one transaction: a request that only reads (its caller's token, then what it shows)
    begins one transaction, and all it reads is of one moment."""
    _shared.set(session_factory())


def end_shared_session() -> None:
    """Roll back and close the shared session, if there is one."""
    session = _shared.get()
    if session is not None:
        _shared.set(None)
        session.close()


class SqlAlchemyUnitOfWork(RepositoryUnitOfWork):
    """`with uow: ...; uow.commit()`. Each `with` opens its own session; leaving it rolls back
    whatever was not committed and closes the session. Inside `share_one_session` it uses the shared
    one instead, whose transaction goes on past a `with` left without an error."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __enter__(self) -> Self:
        shared = _shared.get()
        self.session = self.session_factory() if shared is None else shared
        self._shares = shared is not None
        REPOSITORIES.open_in(self, self.session)
        return self

    def leave(self, *, failed: bool) -> None:
        """A shared session's transaction goes on past a block left without an error (the request's end
        rolls it back); one that raised rolls it back at once."""
        if failed or not self._shares:
            super().leave(failed=failed)

    def close(self) -> None:
        if not self._shares:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def refresh_statistics(self) -> None:
        """VACUUM (ANALYZE) the application's tables on PostgreSQL, as autovacuum would some time later
        (or never, where it is off). Straight after a bulk load its planner knows nothing of the new rows
        and scans whole tables for a count an index answers; and until a vacuum marks their pages
        visible to all, an index-only scan still visits the table for every entry (page 20,000 of the
        list by forecast: 360 ms before, 104 ms after, at 1,000,000 clients). A vacuum cannot run in a
        transaction: it runs on a connection of its own, in autocommit (1.8-3.6 s at 1,000,000 clients
        x 3 months). The rows of the count of clients are folded into one first. SQLite plans these
        reads from their indexes alone."""
        engine = self.session.get_bind().engine
        if engine.dialect.name == "postgresql":
            self.session.execute(_FOLD_CLIENT_COUNT)
            tables = [*(table.name for table in metadata.sorted_tables), CLIENT_COUNT_TABLE]
            names = ", ".join(f'"{name}"' for name in tables)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f"VACUUM (ANALYZE) {names}"))
