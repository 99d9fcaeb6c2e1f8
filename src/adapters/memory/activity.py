"""Activity snapshots in memory, keyed by client and observation date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date

from adapters.memory.store import InMemoryStore
from application.ports import Percentile, ScoringRow, nearest_rank
from application.queries import MonthlySales
from domain.activity import ActivitySnapshot, SnapshotSource
from domain.columns import SnapshotColumns
from domain.errors import ClientNotFound, DuplicateSnapshot, SnapshotNotFound


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

    def existing(self, keys: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
        return {key for key in keys if key in self.store.activity}

    def get_many(self, keys: Iterable[tuple[int, date]]) -> dict[tuple[int, date], ActivitySnapshot]:
        return {key: self.store.activity[key] for key in set(keys) if key in self.store.activity}

    def replace_many(self, snapshots: Sequence[ActivitySnapshot]) -> None:
        for snapshot in snapshots:
            key = (snapshot.client_id, snapshot.observed_on)
            if key in self.store.activity:
                self.store.activity[key] = replace(snapshot, id=self.store.activity[key].id)

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

    def count_clients(self) -> int:
        return len({client_id for client_id, _ in self.store.activity})

    def percentile(self, field: str, percent: int) -> Percentile | None:
        known = sorted(
            value for s in self.store.activity.values() if (value := getattr(s, field)) is not None
        )
        if not known:
            return None
        return Percentile(float(known[nearest_rank(percent, len(known)) - 1]), len(known))

    def training_rows(self) -> list[ScoringRow]:
        """Snapshots with a known outcome, by client then date (as the SQL twin orders them)."""
        labelled = [s for s in self.store.activity.values() if s.has_known_sales or s.has_known_purchase]
        labelled.sort(key=lambda s: (s.client_id, s.observed_on))
        return [self._scoring_row(s) for s in labelled]

    def training_columns(self) -> SnapshotColumns:
        """The training rows' columns, by date then client (as the SQL twin orders them)."""
        rows = sorted(
            self.training_rows(), key=lambda row: (row.snapshot.observed_on, row.snapshot.client_id)
        )
        return SnapshotColumns.of((row.snapshot, row.registered_on) for row in rows)

    def newest_columns(
        self, after_client_id: int, limit: int, up_to_client_id: int | None = None
    ) -> SnapshotColumns:
        rows = self.newest_rows(after_client_id, limit)
        if up_to_client_id is not None:
            rows = [row for row in rows if row.snapshot.client_id <= up_to_client_id]
        return SnapshotColumns.of((row.snapshot, row.registered_on) for row in rows)

    def client_ranges(self, clients_per_range: int) -> list[tuple[int, int]]:
        client_ids = sorted({client_id for client_id, _ in self.store.activity})
        return [
            (client_ids[start], client_ids[min(start + clients_per_range, len(client_ids)) - 1])
            for start in range(0, len(client_ids), clients_per_range)
        ]

    def newest_rows(self, after_client_id: int, limit: int) -> list[ScoringRow]:
        newest: dict[int, ActivitySnapshot] = {}
        for (client_id, observed_on), snapshot in self.store.activity.items():
            if client_id > after_client_id and (
                client_id not in newest or observed_on > newest[client_id].observed_on
            ):
                newest[client_id] = snapshot
        return [self._scoring_row(newest[client_id]) for client_id in sorted(newest)[:limit]]

    def newest_row(self, client_id: int) -> ScoringRow | None:
        history = self.history(client_id)
        return self._scoring_row(history[0]) if history else None

    def monthly_sales(self) -> list[MonthlySales]:
        totals: defaultdict[date, float] = defaultdict(float)
        for snapshot in self.store.activity.values():
            if snapshot.sales_next_month is not None:
                totals[snapshot.forecast_month] += snapshot.sales_next_month
        return [MonthlySales(month, round(total, 2)) for month, total in sorted(totals.items())]

    def replace_derived(self, client_ids: Collection[int], snapshots: Iterable[ActivitySnapshot]) -> int:
        wanted = set(client_ids)
        activity = self.store.activity
        for key in [k for k, s in activity.items() if k[0] in wanted and s.source is SnapshotSource.DERIVED]:
            del activity[key]
        stored = 0
        for snapshot in snapshots:
            if (snapshot.client_id, snapshot.observed_on) not in activity:
                self.add(snapshot)
                stored += 1
        return stored

    def _scoring_row(self, snapshot: ActivitySnapshot) -> ScoringRow:
        return ScoringRow(snapshot, self.store.clients[snapshot.client_id].registered_on)
