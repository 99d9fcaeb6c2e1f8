"""The in-memory unit of work: a private copy of the store, published on commit."""

from __future__ import annotations

from typing import Self

from adapters.memory.activity import InMemoryActivityRepository
from adapters.memory.clients import InMemoryClientRepository
from adapters.memory.jobs import InMemoryJobRepository
from adapters.memory.model_runs import InMemoryModelRunRepository
from adapters.memory.orders import InMemoryEventRepository, InMemoryOrderRepository
from adapters.memory.predictions import InMemoryPredictionRepository
from adapters.memory.sessions import InMemoryRememberTokenRepository
from adapters.memory.settings import InMemorySettingsRepository
from adapters.memory.store import InMemoryStore
from adapters.memory.summaries import InMemorySummaryRepository
from adapters.memory.tokens import InMemoryTokenRepository
from adapters.memory.users import InMemoryUserRepository
from adapters.unit_of_work import Repositories, RepositoryUnitOfWork

REPOSITORIES: Repositories[InMemoryStore] = Repositories(
    clients=InMemoryClientRepository,
    activity=InMemoryActivityRepository,
    users=InMemoryUserRepository,
    predictions=InMemoryPredictionRepository,
    model_runs=InMemoryModelRunRepository,
    jobs=InMemoryJobRepository,
    settings=InMemorySettingsRepository,
    tokens=InMemoryTokenRepository,
    remember_tokens=InMemoryRememberTokenRepository,
    orders=InMemoryOrderRepository,
    summaries=InMemorySummaryRepository,
    events=InMemoryEventRepository,
)


class InMemoryUnitOfWork(RepositoryUnitOfWork):
    """Works on a private copy of the store; `commit` publishes it, anything else throws it away."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.committed = store if store is not None else InMemoryStore()
        self._begin()

    def _begin(self) -> None:
        self.working = self.committed.copy()
        REPOSITORIES.open_in(self, self.working)

    def __enter__(self) -> Self:
        self._begin()
        return self

    def commit(self) -> None:
        self.committed.__dict__.update(self.working.__dict__)
        self._begin()

    def rollback(self) -> None:
        self._begin()
