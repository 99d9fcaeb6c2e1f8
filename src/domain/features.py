"""The one definition of each model's inputs: names, order, and how a missing value is imputed.

Training and prediction both build their rows here, so the two can never drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.activity import ActivitySnapshot
from domain.clients import months_between
from domain.predictions import ModelKind

NEVER_BOUGHT_DAYS = 365
"""A client who never bought is treated as one whose last purchase was a year ago."""

Reader = Callable[[ActivitySnapshot, date], float]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    read: Reader
    """Value of the feature for a snapshot, given the client's registration date."""


@dataclass(frozen=True, slots=True)
class FeatureSet:
    kind: ModelKind
    features: tuple[Feature, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(feature.name for feature in self.features)

    def row(self, snapshot: ActivitySnapshot, registered_on: date) -> tuple[float, ...]:
        """The features' values in order; NaN for one that is unknown."""
        return tuple(feature.read(snapshot, registered_on) for feature in self.features)

    def restricted_to(self, names: Iterable[str]) -> FeatureSet:
        """The named features only, in this set's order: the inputs of one trained model."""
        chosen = set(names)
        return FeatureSet(self.kind, tuple(f for f in self.features if f.name in chosen))

    def known_throughout(self, rows: Sequence[Sequence[float]]) -> FeatureSet:
        """The features known in every row: a feature unknown anywhere cannot be learnt from."""
        return FeatureSet(
            self.kind,
            tuple(f for i, f in enumerate(self.features) if not any(math.isnan(row[i]) for row in rows)),
        )

    def project(self, subset: FeatureSet, row: Sequence[float]) -> tuple[float, ...]:
        """A row of this set cut down to the features of `subset`."""
        kept = set(subset.names)
        return tuple(value for f, value in zip(self.features, row, strict=True) if f.name in kept)


def _days_since_last_purchase(snapshot: ActivitySnapshot, _: date) -> float:
    days = snapshot.days_since_last_purchase
    return float(NEVER_BOUGHT_DAYS if days is None else days)


def _tenure_months(snapshot: ActivitySnapshot, registered_on: date) -> float:
    return float(months_between(registered_on, snapshot.observed_on))


def _attribute(name: str) -> Feature:
    """A snapshot's value as it is; NaN where it is unknown (no events tell it), never a made-up zero."""
    return Feature(name, lambda snapshot, _: _known_or_nan(getattr(snapshot, name)))


def _known_or_nan(value: float | bool | None) -> float:
    return math.nan if value is None else float(value)


SALES_FEATURES = FeatureSet(
    ModelKind.SALES,
    (
        _attribute("purchases_30d"),
        _attribute("avg_basket_value"),
        _attribute("site_visits_30d"),
        Feature("days_since_last_purchase", _days_since_last_purchase),
        Feature("tenure_months", _tenure_months),
    ),
)

PURCHASE_FEATURES = FeatureSet(
    ModelKind.PURCHASE,
    (
        _attribute("visits_7d"),
        _attribute("newsletter_opened"),
        _attribute("ad_clicks_7d"),
        _attribute("has_purchase_history"),
        _attribute("time_on_site_7d"),
    ),
)


def feature_set(kind: ModelKind) -> FeatureSet:
    return SALES_FEATURES if kind is ModelKind.SALES else PURCHASE_FEATURES


def target(kind: ModelKind, snapshot: ActivitySnapshot) -> float | None:
    """The known outcome a model learns from, or None while it is not known yet."""
    if kind is ModelKind.SALES:
        return snapshot.sales_next_month
    known = snapshot.purchased_next_14d
    return None if known is None else float(known)
