"""Orders and events in memory: each stored once, by the same keys as the database's."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from adapters.memory.store import InMemoryStore, in_utc
from domain.derivation import EventEntry, OrderEntry
from domain.errors import ClientNotFound
from domain.orders import Event, Order

L = TypeVar("L", Order, Event)


class InMemoryOrderRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add_new(self, orders: Sequence[Order]) -> int:
        return _add_new(self.store, self.store.orders, orders, lambda order: order.key)

    def of_clients(self, client_ids: Collection[int]) -> dict[int, list[Order]]:
        return _of_clients(self.store.orders.values(), client_ids, lambda order: order.ordered_at)

    def entries_of_clients(self, client_ids: Collection[int]) -> dict[int, list[OrderEntry]]:
        return {
            client_id: [(order.ordered_on, order.amount) for order in orders]
            for client_id, orders in self.of_clients(client_ids).items()
        }

    def count(self) -> int:
        return len(self.store.orders)


class InMemoryEventRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add_new(self, events: Sequence[Event]) -> int:
        return _add_new(self.store, self.store.events, events, _event_key)

    def of_clients(self, client_ids: Collection[int]) -> dict[int, list[Event]]:
        return _of_clients(self.store.events.values(), client_ids, lambda event: event.occurred_at)

    def entries_of_clients(self, client_ids: Collection[int]) -> dict[int, list[EventEntry]]:
        return {
            client_id: [(event.occurred_on, event.kind.value, event.duration_s) for event in events]
            for client_id, events in self.of_clients(client_ids).items()
        }

    def first_day(self) -> date | None:
        return min((event.occurred_on for event in self.store.events.values()), default=None)

    def count(self) -> int:
        return len(self.store.events)


def _event_key(event: Event) -> Hashable:
    return (event.client_id, in_utc(event).occurred_at, event.kind)


def _add_new(
    store: InMemoryStore, stored: dict[Hashable, L], new: Sequence[L], key: Callable[[L], Hashable]
) -> int:
    unknown = {entry.client_id for entry in new} - store.clients.keys()
    if unknown:
        raise ClientNotFound(min(unknown))
    added = 0
    for entry in new:
        if key(entry) not in stored:
            stored[key(entry)] = replace(in_utc(entry), id=store.next_id())
            added += 1
    return added


def _of_clients(
    entries: Collection[L], client_ids: Collection[int], moment: Callable[[L], Any]
) -> dict[int, list[L]]:
    wanted = set(client_ids)
    found: dict[int, list[L]] = {}
    for entry in sorted((e for e in entries if e.client_id in wanted), key=moment):
        found.setdefault(entry.client_id, []).append(entry)
    return found
