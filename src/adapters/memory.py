"""In-memory twins of the repositories and unit of work: fast tests, and a fake for API consumers.

They honour the same contract as the SQLAlchemy ones (tests/contract runs against both), including
rollback: changes become visible to other units of work only on commit.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from types import TracebackType
from typing import Self

from application.commands import ClientListQuery, ClientSort
from application.ports import ActivityRepository, ClientListItem, ClientRepository, Page, UserRepository
from domain.activity import ActivitySnapshot
from domain.clients import Client, email_key
from domain.errors import ClientNotFound, DuplicateEmail, DuplicateSnapshot, SnapshotNotFound, UserNotFound
from domain.users import User


@dataclass
class InMemoryStore:
    """What a database would hold: the committed state shared by every unit of work."""

    clients: dict[int, Client] = field(default_factory=dict)
    activity: dict[tuple[int, date], ActivitySnapshot] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id


class InMemoryClientRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, client: Client) -> Client:
        return self.add_many([client])[0]

    def add_many(self, clients: Sequence[Client]) -> list[Client]:
        """All or nothing: a taken email refuses the whole batch."""
        taken = {email_key(c.email) for c in self.store.clients.values()}
        for client in clients:
            if email_key(client.email) in taken:
                raise DuplicateEmail(client.email)
            taken.add(email_key(client.email))
        return [self._store(client) for client in clients]

    def _store(self, client: Client) -> Client:
        stored = replace(client, id=self.store.next_id())
        self.store.clients[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, client_id: int) -> Client | None:
        return self.store.clients.get(client_id)

    def get_by_email(self, email: str) -> Client | None:
        key = email_key(email)
        return next((c for c in self.store.clients.values() if email_key(c.email) == key), None)

    def update(self, client: Client) -> None:
        if client.id not in self.store.clients:
            raise ClientNotFound(client.id)
        other = self.get_by_email(client.email)
        if other is not None and other.id != client.id:
            raise DuplicateEmail(client.email)
        self.store.clients[client.id] = client  # type: ignore[index]

    def delete(self, client_id: int) -> None:
        self.store.clients.pop(client_id, None)
        for key in [k for k in self.store.activity if k[0] == client_id]:
            del self.store.activity[key]

    def count(self) -> int:
        return len(self.store.clients)

    def list(self, query: ClientListQuery) -> Page[ClientListItem]:
        needle = query.q.lower()
        matching = [
            c
            for c in self.store.clients.values()
            if needle in c.full_name.lower() or needle in c.email.lower()
        ]
        matching.sort(key=lambda c: c.id or 0)
        matching.sort(key=_sort_key(query.sort_column), reverse=query.descending)
        window = matching[query.offset : query.offset + query.per_page]
        return Page(
            items=[ClientListItem(client=c) for c in window],
            total=len(matching),
            page=query.page,
            per_page=query.per_page,
        )


def _sort_key(column: ClientSort):  # type: ignore[no-untyped-def]
    if column in (ClientSort.PREDICTED_SALES, ClientSort.PURCHASE_PROBABILITY):
        return lambda c: 0  # no predictions are kept in memory: order by id
    if column is ClientSort.REGISTERED_ON:
        return lambda c: c.registered_on
    return lambda c: getattr(c, column.value).lower()


class InMemoryActivityRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, snapshot: ActivitySnapshot) -> ActivitySnapshot:
        key = (snapshot.client_id, snapshot.observed_on)
        if snapshot.client_id not in self.store.clients:
            raise ClientNotFound(snapshot.client_id)
        if key in self.store.activity:
            raise DuplicateSnapshot(*key)
        stored = replace(snapshot, id=self.store.next_id())
        self.store.activity[key] = stored
        return stored

    def add_many(self, snapshots: Iterable[ActivitySnapshot]) -> int:
        """All or nothing: one refused snapshot refuses the whole batch."""
        before = dict(self.store.activity)
        try:
            stored = [self.add(snapshot) for snapshot in snapshots]
        except (ClientNotFound, DuplicateSnapshot):
            self.store.activity = before
            raise
        return len(stored)

    def get(self, client_id: int, observed_on: date) -> ActivitySnapshot | None:
        return self.store.activity.get((client_id, observed_on))

    def update_outcomes(self, snapshot: ActivitySnapshot) -> None:
        key = (snapshot.client_id, snapshot.observed_on)
        if key not in self.store.activity:
            raise SnapshotNotFound(*key)
        self.store.activity[key] = replace(
            self.store.activity[key],
            sales_next_month=snapshot.sales_next_month,
            purchased_next_14d=snapshot.purchased_next_14d,
        )

    def history(self, client_id: int) -> list[ActivitySnapshot]:
        mine = [s for (owner, _), s in self.store.activity.items() if owner == client_id]
        return sorted(mine, key=lambda s: s.observed_on, reverse=True)

    def count(self) -> int:
        return len(self.store.activity)


class InMemoryUserRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add(self, user: User) -> User:
        if self.get_by_email(user.email) is not None:
            raise DuplicateEmail(user.email)
        stored = replace(user, id=self.store.next_id())
        self.store.users[stored.id] = stored  # type: ignore[index]
        return stored

    def get(self, user_id: int) -> User | None:
        return self.store.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        key = email_key(email)
        return next((u for u in self.store.users.values() if email_key(u.email) == key), None)

    def update(self, user: User) -> None:
        if user.id not in self.store.users:
            raise UserNotFound(user.id)
        other = self.get_by_email(user.email)
        if other is not None and other.id != user.id:
            raise DuplicateEmail(user.email)
        self.store.users[user.id] = user  # type: ignore[index]

    def list(self) -> list[User]:
        return sorted(self.store.users.values(), key=lambda u: email_key(u.email))


class InMemoryUnitOfWork:
    """Works on a private copy of the store; `commit` publishes it, anything else throws it away."""

    clients: ClientRepository
    activity: ActivityRepository
    users: UserRepository

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.committed = store if store is not None else InMemoryStore()
        self._begin()

    def _begin(self) -> None:
        self.working = copy.deepcopy(self.committed)
        self.clients = InMemoryClientRepository(self.working)
        self.activity = InMemoryActivityRepository(self.working)
        self.users = InMemoryUserRepository(self.working)

    def __enter__(self) -> Self:
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self.committed.__dict__.update(self.working.__dict__)
        self._begin()

    def rollback(self) -> None:
        self._begin()
