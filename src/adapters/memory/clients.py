"""Clients in memory, listed, filtered and sorted like the SQL twin lists them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from adapters.memory.model_runs import InMemoryModelRunRepository
from adapters.memory.predictions import InMemoryPredictionRepository, within
from adapters.memory.store import InMemoryStore, current_of
from application.commands import ClientListQuery, ClientSort, ListPosition
from application.queries import ClientListItem, Page, ScoredClient, page_read
from domain.clients import Client, email_key
from domain.errors import ClientNotFound, DuplicateEmail
from domain.segments import SegmentRule
from domain.tiers import TierCuts


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

    def scored(self, client_id: int) -> ScoredClient | None:
        client = self.store.clients.get(client_id)
        if client is None:
            return None
        forecast, purchase = InMemoryPredictionRepository(self.store).current(client_id)
        return ScoredClient(
            client,
            forecast,
            purchase,
            latest_observed_on=max(
                (day for owner, day in self.store.activity if owner == client_id), default=None
            ),
            active_versions=InMemoryModelRunRepository(self.store).active_versions(),
        )

    def get_by_email(self, email: str) -> Client | None:
        key = email_key(email)
        return next((c for c in self.store.clients.values() if email_key(c.email) == key), None)

    def find_by_emails(self, emails: Iterable[str]) -> dict[str, Client]:
        wanted = {email_key(email) for email in emails}
        return {key: c for c in self.store.clients.values() if (key := email_key(c.email)) in wanted}

    def update(self, client: Client) -> None:
        if client.id not in self.store.clients:
            raise ClientNotFound(client.id)
        other = self.get_by_email(client.email)
        if other is not None and other.id != client.id:
            raise DuplicateEmail(client.email)
        self.store.clients[client.id] = client  # type: ignore[index]

    def update_many(self, clients: Sequence[Client]) -> None:
        """All or nothing: a taken email refuses the whole batch."""
        before = dict(self.store.clients)
        try:
            for client in clients:
                self.update(client)
        except (ClientNotFound, DuplicateEmail):
            self.store.clients = before
            raise

    def delete(self, client_id: int) -> None:
        """The client's activity, orders, events and predictions go with it."""
        self.store.clients.pop(client_id, None)
        for key in [k for k in self.store.activity if k[0] == client_id]:
            del self.store.activity[key]
        for order in [k for k, entry in self.store.orders.items() if entry.client_id == client_id]:
            del self.store.orders[order]
        for event in [k for k, entry in self.store.events.items() if entry.client_id == client_id]:
            del self.store.events[event]
        self.store.forecasts.pop(client_id, None)
        self.store.purchase_predictions.pop(client_id, None)

    def count(self) -> int:
        return len(self.store.clients)

    def with_logs(self, after_client_id: int, limit: int) -> list[Client]:
        logged = {entry.client_id for entry in self.store.orders.values()}
        logged |= {entry.client_id for entry in self.store.events.values()}
        return [self.store.clients[client_id] for client_id in sorted(logged) if client_id > after_client_id][
            :limit
        ]

    def list(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        *,
        ids: Collection[int] | None = None,
        tiers: TierCuts | None = None,
        total: int | None = None,
        count_searches_up_to: int | None = None,
    ) -> Page[ClientListItem]:
        """Counted every time: the list in memory is short."""
        ordered = self._ordered(query, segments, ids, tiers)
        placed = [(item, _position(item, query)) for item in ordered]
        if query.after is not None:
            after = query.after
            window = [entry for entry in placed if _precedes(after, entry[1], query.descending)]
        elif query.before is not None:
            before = query.before
            window = [entry for entry in placed if _precedes(entry[1], before, query.descending)]
            window = window[-(query.per_page + 1) :]
        else:
            window = placed[query.offset :]
        counted, exact = len(ordered), True
        if query.q and ids is None and count_searches_up_to is not None and counted > count_searches_up_to:
            counted, exact = count_searches_up_to, False
        return page_read(window[: query.per_page + 1], query, counted, exact)

    def keep_scored_list(self) -> None:
        """Nothing: every page is read from every client."""

    def stream(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        *,
        ids: Collection[int] | None = None,
        tiers: TierCuts | None = None,
        limit: int | None = None,
    ) -> Iterator[ClientListItem]:
        yield from self._ordered(query, segments, ids, tiers)[:limit]

    def _ordered(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        ids: Collection[int] | None,
        tiers: TierCuts | None,
    ) -> Sequence[ClientListItem]:
        needle = query.q.lower()
        items = [
            self._item(c, segments, tiers)
            for c in self.store.clients.values()
            if (needle in c.full_name.lower() or needle in c.email.lower()) and (ids is None or c.id in ids)
        ]
        matching = [item for item in items if _passes_filters(item, query, segments)]
        matching.sort(key=lambda item: item.client.id or 0)
        return _in_order(matching, query.sort_column, query.descending)

    def _item(self, client: Client, segments: SegmentRule, tiers: TierCuts | None) -> ClientListItem:
        forecast = current_of(self.store.forecasts, client.id or 0)
        purchase = current_of(self.store.purchase_predictions, client.id or 0)
        worth = None if purchase is None else purchase.expected_value
        return ClientListItem(
            client=client,
            predicted_sales=None if forecast is None else forecast.value,
            purchase_probability=None if purchase is None else purchase.probability,
            will_buy=None if purchase is None else purchase.will_buy,
            segment=None if forecast is None else segments.segment_of(forecast.value),
            tier=None if tiers is None else tiers.tier_of(worth),
            contact_worth=worth,
        )


def _passes_filters(item: ClientListItem, query: ClientListQuery, segments: SegmentRule) -> bool:
    if query.will_buy is not None and item.will_buy is not query.will_buy:
        return False
    if query.tier is not None and item.tier is not query.tier:
        return False
    if query.segment is not None:
        return item.predicted_sales is not None and within(item.predicted_sales, segments, query.segment)
    return True


_SORT_KEYS: dict[ClientSort, Callable[[ClientListItem], Any]] = {
    ClientSort.LAST_NAME: lambda item: item.client.last_name.lower(),
    ClientSort.FIRST_NAME: lambda item: item.client.first_name.lower(),
    ClientSort.EMAIL: lambda item: item.client.email.lower(),
    ClientSort.REGISTERED_ON: lambda item: item.client.registered_on,
    ClientSort.PREDICTED_SALES: lambda item: item.predicted_sales,
    ClientSort.PURCHASE_PROBABILITY: lambda item: item.purchase_probability,
    ClientSort.EXPECTED_VALUE: lambda item: item.contact_worth,
}


def _position(item: ClientListItem, query: ClientListQuery) -> ListPosition:
    return ListPosition(query.sort, _SORT_KEYS[query.sort_column](item), item.client.id or 0)


def _precedes(first: ListPosition, second: ListPosition, descending: bool) -> bool:
    """Whether `first` comes before `second` in the list (`_in_order`)."""
    if first.key is None or second.key is None:
        if first.key is not None:
            return True
        return second.key is None and first.client_id < second.client_id
    if first.key == second.key:
        return first.client_id > second.client_id if descending else first.client_id < second.client_id
    return first.key > second.key if descending else first.key < second.key  # type: ignore[operator]


def _in_order(items: list[ClientListItem], column: ClientSort, descending: bool) -> list[ClientListItem]:
    """Sorted by `column`, ties by id in the same direction; clients without a value come last, in id
    order (`ClientFilter`)."""
    key = _SORT_KEYS[column]
    by_id = sorted(items, key=lambda item: item.client.id or 0)
    # A stable sort keeps ties in the order given: ids in the sort's direction.
    ties_in_order = reversed(by_id) if descending else by_id
    known = sorted((item for item in ties_in_order if key(item) is not None), key=key, reverse=descending)
    return known + [item for item in by_id if key(item) is None]
