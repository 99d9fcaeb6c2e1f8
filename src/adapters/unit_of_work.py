"""What the units of work of every persistence share: the repositories they open, and how a `with` ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from types import TracebackType
from typing import Generic, TypeVar

from application.ports import (
    ActivityRepository,
    ClientRepository,
    EventRepository,
    JobRepository,
    ModelRunRepository,
    OrderRepository,
    PredictionRepository,
    RememberTokenRepository,
    SettingsRepository,
    SummaryRepository,
    TokenRepository,
    UnitOfWork,
    UserRepository,
)

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Repositories(Generic[S]):
    """The repository that serves each attribute of a unit of work, all opened on the same `S` (a
    database session, an in-memory store)."""

    clients: Callable[[S], ClientRepository]
    activity: Callable[[S], ActivityRepository]
    users: Callable[[S], UserRepository]
    predictions: Callable[[S], PredictionRepository]
    model_runs: Callable[[S], ModelRunRepository]
    jobs: Callable[[S], JobRepository]
    settings: Callable[[S], SettingsRepository]
    tokens: Callable[[S], TokenRepository]
    remember_tokens: Callable[[S], RememberTokenRepository]
    orders: Callable[[S], OrderRepository]
    events: Callable[[S], EventRepository]
    summaries: Callable[[S], SummaryRepository]

    def open_in(self, uow: UnitOfWork, source: S) -> None:
        for field in fields(self):
            setattr(uow, field.name, getattr(self, field.name)(source))


class RepositoryUnitOfWork(UnitOfWork):
    """A unit of work whose repositories are opened by a `Repositories`; leaving its `with` rolls
    back whatever was not committed, then closes it."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.leave(failed=exc_type is not None)

    def leave(self, *, failed: bool) -> None:
        """End a `with` block (`failed` when it raised): roll back, then close."""
        try:
            self.rollback()
        finally:
            self.close()

    def close(self) -> None:
        """Let go of what the unit of work holds open; nothing by default."""

    def refresh_statistics(self) -> None:
        """Nothing by default: only a database that plans its reads from statistics needs them."""
