"""Snapshots column by column: how training reads millions of them without an object per row.

Every column is an `array('d')` of the same length: a number per snapshot, NaN where the value is
unknown (None), a boolean as 0 or 1, a date as its proleptic ordinal (`date.toordinal()`).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from domain.activity import HISTORY_FIELDS, ActivitySnapshot

SNAPSHOT_FIELDS = (
    "purchases_30d",
    "avg_basket_value",
    "site_visits_30d",
    "days_since_last_purchase",
    "visits_7d",
    "newsletter_opened",
    "ad_clicks_7d",
    "time_on_site_7d",
)
OUTCOME_FIELDS = ("sales_next_month", "purchased_next_14d")
COLUMNS = ("client_id", "observed_on", "registered_on", *SNAPSHOT_FIELDS, *HISTORY_FIELDS, *OUTCOME_FIELDS)
"""The columns of a `SnapshotColumns`, in this order."""

NAN = math.nan


@dataclass(frozen=True, slots=True)
class SnapshotColumns:
    columns: Mapping[str, array]

    def __post_init__(self) -> None:
        missing = set(COLUMNS) - set(self.columns)
        if missing:
            raise ValueError(f"snapshot columns missing: {sorted(missing)}")
        lengths = {len(values) for values in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"snapshot columns of different lengths: {sorted(lengths)}")

    def __len__(self) -> int:
        return len(self.columns["client_id"])

    def __getitem__(self, name: str) -> array:
        return self.columns[name]

    @classmethod
    def of(cls, rows: Iterable[tuple[ActivitySnapshot, date]]) -> SnapshotColumns:
        """The columns of (snapshot, client's registration date) pairs, in their order."""
        columns = {name: array("d") for name in COLUMNS}
        for snapshot, registered_on in rows:
            for name, value in _values(snapshot, registered_on):
                columns[name].append(value)
        return cls(columns)


def _values(snapshot: ActivitySnapshot, registered_on: date) -> Iterable[tuple[str, float]]:
    yield "client_id", float(snapshot.client_id)
    yield "observed_on", float(snapshot.observed_on.toordinal())
    yield "registered_on", float(registered_on.toordinal())
    for name in SNAPSHOT_FIELDS:
        yield name, _number(getattr(snapshot, name))
    history = snapshot.history
    for name in HISTORY_FIELDS:
        yield name, NAN if history is None else _number(getattr(history, name))
    for name in OUTCOME_FIELDS:
        yield name, _number(getattr(snapshot, name))


def _number(value: float | bool | None) -> float:
    return NAN if value is None else float(value)
