"""The unit of work on a SQLAlchemy session: one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from adapters.sqlalchemy.activity import SqlAlchemyActivityRepository
from adapters.sqlalchemy.clients import SqlAlchemyClientRepository
from adapters.sqlalchemy.model_runs import SqlAlchemyModelRunRepository
from adapters.sqlalchemy.predictions import SqlAlchemyPredictionRepository
from adapters.sqlalchemy.settings import SqlAlchemySettingsRepository
from adapters.sqlalchemy.tokens import SqlAlchemyTokenRepository
from adapters.sqlalchemy.users import SqlAlchemyUserRepository
from application.ports import (
    ActivityRepository,
    ClientRepository,
    ModelRunRepository,
    PredictionRepository,
    SettingsRepository,
    TokenRepository,
    UserRepository,
)


class SqlAlchemyUnitOfWork:
    """`with uow: ...; uow.commit()`. Each `with` opens its own session; leaving it rolls back
    whatever was not committed and closes the session."""

    clients: ClientRepository
    activity: ActivityRepository
    users: UserRepository
    predictions: PredictionRepository
    model_runs: ModelRunRepository
    settings: SettingsRepository
    tokens: TokenRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        self.clients = SqlAlchemyClientRepository(self.session)
        self.activity = SqlAlchemyActivityRepository(self.session)
        self.users = SqlAlchemyUserRepository(self.session)
        self.predictions = SqlAlchemyPredictionRepository(self.session)
        self.model_runs = SqlAlchemyModelRunRepository(self.session)
        self.settings = SqlAlchemySettingsRepository(self.session)
        self.tokens = SqlAlchemyTokenRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
