"""The one definition of each model's inputs: names, order, and how a missing value is imputed.

Training and prediction both build their rows here, so the two can never drift apart.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.activity import ActivitySnapshot, forecast_month
from domain.candidates import DEFAULT_CANDIDATE, Candidate, FeatureSetName, ModelFamily
from domain.clients import first_of_next_month
from domain.columns import SnapshotColumns
from domain.predictions import ModelKind

NEVER_BOUGHT_DAYS = 365
"""A client who never bought is treated as one whose last purchase was a year ago."""

Compute = Callable[[SnapshotColumns], Sequence[float]]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    compute: Compute
    """The feature's value for every snapshot of the columns, in their order; NaN where unknown."""


@dataclass(frozen=True, slots=True)
class FeatureSet:
    kind: ModelKind
    features: tuple[Feature, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(feature.name for feature in self.features)

    def columns(
        self, data: SnapshotColumns, computed: dict[str, Sequence[float]] | None = None
    ) -> list[Sequence[float]]:
        """One column per feature, in this set's order; `computed` keeps them by name, so that sets
        sharing features compute each once on the same data."""
        if computed is None:
            computed = {}
        for feature in self.features:
            if feature.name not in computed:
                computed[feature.name] = feature.compute(data)
        return [computed[feature.name] for feature in self.features]

    def rows(self, pairs: Sequence[tuple[ActivitySnapshot, date]]) -> list[tuple[float, ...]]:
        """The features' values of each (snapshot, client's registration date), in order."""
        if not self.features:
            return [() for _ in pairs]
        return list(zip(*self.columns(SnapshotColumns.of(pairs)), strict=True))

    def row(self, snapshot: ActivitySnapshot, registered_on: date) -> tuple[float, ...]:
        """The features' values in order; NaN for one that is unknown."""
        return self.rows([(snapshot, registered_on)])[0]

    def restricted_to(self, names: Iterable[str]) -> FeatureSet:
        """The named features only, in this set's order: the inputs of one trained model."""
        chosen = set(names)
        return FeatureSet(self.kind, tuple(f for f in self.features if f.name in chosen))

    def __add__(self, other: FeatureSet) -> FeatureSet:
        return FeatureSet(self.kind, self.features + other.features)


def _field(name: str) -> Feature:
    """A stored value as it is: NaN where it is unknown, never a made-up zero."""
    return Feature(name, lambda data: data[name])


def _days_since_last_purchase(data: SnapshotColumns) -> Sequence[float]:
    return [NEVER_BOUGHT_DAYS if math.isnan(days) else days for days in data["days_since_last_purchase"]]


def _tenure_months(data: SnapshotColumns) -> Sequence[float]:
    """Whole calendar months from registration to observation (`months_between`), with each distinct
    date taken apart once: a training set has millions of rows but few distinct dates."""
    parts: dict[float, tuple[int, int]] = {}

    def month_and_day(ordinal: float) -> tuple[int, int]:
        found = parts.get(ordinal)
        if found is None:
            day = date.fromordinal(int(ordinal))
            found = parts[ordinal] = (day.year * 12 + day.month, day.day)
        return found

    tenure = array("d")
    for registered, observed in zip(data["registered_on"], data["observed_on"], strict=True):
        (start, start_day), (end, end_day) = month_and_day(registered), month_and_day(observed)
        tenure.append(max(end - start - (end_day < start_day), 0))
    return tenure


def _has_purchase_history(data: SnapshotColumns) -> Sequence[float]:
    return [
        float(purchases > 0 or not math.isnan(days))
        for purchases, days in zip(data["purchases_30d"], data["days_since_last_purchase"], strict=True)
    ]


def spend_30d(data: SnapshotColumns) -> Sequence[float]:
    """What the client spent in the 30 days before the observation date."""
    return [
        purchases * basket
        for purchases, basket in zip(data["purchases_30d"], data["avg_basket_value"], strict=True)
    ]


def _days_since_first_order(data: SnapshotColumns) -> Sequence[float]:
    """0 for a client who never bought; NaN where the order history is unknown."""
    return [
        math.nan if math.isnan(known) else 0.0 if math.isnan(days) else days
        for known, days in zip(data["purchase_days"], data["days_since_first_purchase"], strict=True)
    ]


def _days_since_last_order(data: SnapshotColumns) -> Sequence[float]:
    """0 for a client who never bought; NaN where the order history is unknown."""
    return [
        math.nan if math.isnan(known) else 0.0 if math.isnan(days) else days
        for known, days in zip(data["purchase_days"], data["days_since_last_purchase"], strict=True)
    ]


def _mean_days_between_orders(data: SnapshotColumns) -> Sequence[float]:
    """The mean gap between purchase days; with one purchase day, the days since it (the gap so far);
    without any, `NEVER_BOUGHT_DAYS`."""
    gaps = array("d")
    for purchase_days, first, last in zip(
        data["purchase_days"],
        data["days_since_first_purchase"],
        data["days_since_last_purchase"],
        strict=True,
    ):
        if math.isnan(purchase_days):
            gaps.append(math.nan)
        elif purchase_days >= 2:
            gaps.append((first - last) / (purchase_days - 1))
        else:
            gaps.append(first if purchase_days == 1 else NEVER_BOUGHT_DAYS)
    return gaps


def _forecast_days(data: SnapshotColumns) -> Sequence[float]:
    """The length in days of the month a sales forecast is about (`forecast_month`)."""
    lengths: dict[float, float] = {}

    def length(ordinal: float) -> float:
        found = lengths.get(ordinal)
        if found is None:
            month = forecast_month(date.fromordinal(int(ordinal)))
            found = lengths[ordinal] = float((first_of_next_month(month) - month).days)
        return found

    return [length(observed) for observed in data["observed_on"]]


SALES_FEATURES = FeatureSet(
    ModelKind.SALES,
    (
        _field("purchases_30d"),
        _field("avg_basket_value"),
        _field("site_visits_30d"),
        Feature("days_since_last_purchase", _days_since_last_purchase),
        Feature("tenure_months", _tenure_months),
    ),
)

PURCHASE_FEATURES = FeatureSet(
    ModelKind.PURCHASE,
    (
        _field("visits_7d"),
        _field("newsletter_opened"),
        _field("ad_clicks_7d"),
        Feature("has_purchase_history", _has_purchase_history),
        _field("time_on_site_7d"),
    ),
)

_ORDER_HISTORY = (
    Feature("spend_30d", spend_30d),
    _field("spend_90d"),
    _field("spend_180d"),
    _field("spend_365d"),
    Feature("orders_365d", lambda data: data["purchases_365d"]),
    _field("active_months_365d"),
    Feature("days_since_first_order", _days_since_first_order),
    Feature("mean_days_between_orders", _mean_days_between_orders),
    _field("avg_order_value"),
)
"""Features of the order history: known on snapshots derived from orders."""

EXTENDED_SALES_FEATURES = SALES_FEATURES + FeatureSet(ModelKind.SALES, _ORDER_HISTORY)
EXTENDED_PURCHASE_FEATURES = PURCHASE_FEATURES + FeatureSet(
    ModelKind.PURCHASE,
    (
        _field("purchases_30d"),
        Feature("days_since_last_purchase", _days_since_last_purchase),
        *_ORDER_HISTORY,
    ),
)

CLV_INPUTS = FeatureSet(
    ModelKind.SALES,
    (
        _field("purchase_days"),
        Feature("days_since_first_order", _days_since_first_order),
        Feature("days_since_last_order", _days_since_last_order),
        _field("avg_order_value"),
        Feature("forecast_days", _forecast_days),
    ),
)
"""What the customer-lifetime model reads, in this order: purchase days so far, the days since the first
and the last one, the mean order value, and the length of the month forecast."""


NEVER_BOUGHT = "never_bought"
"""The one reason that stands for every purchase-history feature of a client who never bought."""

PURCHASE_HISTORY = frozenset(
    {
        "purchases_30d",
        "avg_basket_value",
        "days_since_last_purchase",
        "has_purchase_history",
        "purchase_days",
        "days_since_last_order",
        *(feature.name for feature in _ORDER_HISTORY),
    }
)
"""The features that say how a client has bought so far."""

Effect = tuple[str, float, float]
"""A feature's name, its value for one client and its effect on that client's prediction."""


def never_bought_as_one(effects: Sequence[Effect]) -> list[Effect]:
    """The effects on a prediction for a client who never bought, the purchase-history features summed
    into one, `NEVER_BOUGHT` (value NaN). Apart they contradict each other and common sense: no spend
    pulls the forecast down while "365 days since the last purchase" pushes it up. Only together do
    they say what never having bought does."""
    history = [effect for name, _, effect in effects if name in PURCHASE_HISTORY]
    others = [effect for effect in effects if effect[0] not in PURCHASE_HISTORY]
    if not history:
        return list(effects)
    return [(NEVER_BOUGHT, math.nan, sum(history)), *others]


def feature_set(kind: ModelKind, candidate: Candidate = DEFAULT_CANDIDATE) -> FeatureSet:
    """Every feature a candidate of this kind may learn from."""
    if candidate.family is ModelFamily.CLV:
        return CLV_INPUTS
    extended = candidate.features is FeatureSetName.EXTENDED
    if kind is ModelKind.SALES:
        return EXTENDED_SALES_FEATURES if extended else SALES_FEATURES
    return EXTENDED_PURCHASE_FEATURES if extended else PURCHASE_FEATURES


def targets(kind: ModelKind, data: SnapshotColumns) -> Sequence[float]:
    """The known outcome of each snapshot a model learns from; NaN while it is not known yet."""
    return data["sales_next_month"] if kind is ModelKind.SALES else data["purchased_next_14d"]
