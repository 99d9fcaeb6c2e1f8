"""Ports: what the use cases need from the outside world, as typing.Protocols.

Adapters implement them (SQLAlchemy, in-memory, Werkzeug hashing, the system clock); the container picks which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

from application.commands import ClientListQuery
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.users import User

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ClientListItem:
    """A row of the client list: the client and, once models have run, its current predictions."""

    client: Client
    predicted_sales: float | None = None
    purchase_probability: float | None = None
    will_buy: bool | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class ClientRepository(Protocol):
    """Clients. Emails are unique regardless of case. Never commits: the unit of work does."""

    def add(self, client: Client) -> Client:
        """Store a new client and return it with its id."""
        ...

    def add_many(self, clients: Sequence[Client]) -> list[Client]:
        """Store many new clients at once (imports, demo data) and return them with ids."""
        ...

    def get(self, client_id: int) -> Client | None: ...

    def get_by_email(self, email: str) -> Client | None:
        """Find a client by email, ignoring case."""
        ...

    def update(self, client: Client) -> None: ...

    def delete(self, client_id: int) -> None:
        """Remove a client together with its activity and predictions."""
        ...

    def count(self) -> int: ...

    def list(self, query: ClientListQuery) -> Page[ClientListItem]:
        """One page of clients whose name or email contains `query.q`, sorted as asked."""
        ...


class ActivityRepository(Protocol):
    """Activity snapshots, one per client per observation date."""

    def add(self, snapshot: ActivitySnapshot) -> ActivitySnapshot: ...

    def add_many(self, snapshots: Iterable[ActivitySnapshot]) -> int:
        """Bulk insert; returns how many were stored."""
        ...

    def get(self, client_id: int, observed_on: date) -> ActivitySnapshot | None: ...

    def update_outcomes(self, snapshot: ActivitySnapshot) -> None: ...

    def history(self, client_id: int) -> list[ActivitySnapshot]:
        """A client's snapshots, newest first."""
        ...

    def count(self) -> int: ...


class UserRepository(Protocol):
    def add(self, user: User) -> User: ...

    def get(self, user_id: int) -> User | None: ...

    def get_by_email(self, email: str) -> User | None:
        """Find a user by email, ignoring case."""
        ...

    def update(self, user: User) -> None: ...

    def list(self) -> list[User]: ...


class UnitOfWork(Protocol):
    """One transaction: `with uow: ...; uow.commit()`. Leaving the block rolls back what was not committed."""

    clients: ClientRepository
    activity: ActivityRepository
    users: UserRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...

    def today(self) -> date: ...
