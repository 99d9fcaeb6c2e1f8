"""In-memory twins of the repositories and unit of work: fast tests, and a fake for API consumers.

They honour the same contract as the SQLAlchemy ones (tests/contract runs against both), including
rollback: changes become visible to other units of work only on commit.
"""

from adapters.memory.activity import InMemoryActivityRepository
from adapters.memory.clients import InMemoryClientRepository
from adapters.memory.model_runs import InMemoryModelRunRepository
from adapters.memory.orders import InMemoryEventRepository, InMemoryOrderRepository
from adapters.memory.predictions import InMemoryPredictionRepository
from adapters.memory.settings import InMemorySettingsRepository
from adapters.memory.store import InMemoryStore
from adapters.memory.tokens import InMemoryTokenRepository
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.memory.users import InMemoryUserRepository

__all__ = [
    "InMemoryActivityRepository",
    "InMemoryClientRepository",
    "InMemoryEventRepository",
    "InMemoryModelRunRepository",
    "InMemoryOrderRepository",
    "InMemoryPredictionRepository",
    "InMemorySettingsRepository",
    "InMemoryStore",
    "InMemoryTokenRepository",
    "InMemoryUnitOfWork",
    "InMemoryUserRepository",
]
