"""How the models did once the truth arrived: stored predictions scored against the outcomes of the
snapshots they were made from (realized performance), beside what their training claimed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

DECILES = 10
SHORTFALL_MARGIN = 0.05
"""How far below its claimed (hold-out) key metric a version's realized one may fall before it is flagged."""


@dataclass(frozen=True, slots=True)
class RealizedSales:
    """A stored sales forecast and what the client then spent in the month after its snapshot."""

    model_version: int
    observed_on: date
    forecast: float
    actual: float


@dataclass(frozen=True, slots=True)
class RealizedPurchase:
    """A stored purchase prediction, its yes/no at the threshold it was made with, and whether the
    client then bought within 14 days of its snapshot."""

    model_version: int
    observed_on: date
    probability: float
    will_buy: bool
    bought: bool
    forecast: float | None = None
    """What the sales forecast made with it from the same snapshot expected the client to spend; None
    when no such forecast is stored."""


@dataclass(frozen=True, slots=True)
class SalesPerformance:
    count: int
    mae: float
    r2: float | None
    """None below two clients, or when everyone spent the same."""
    revenue_bias: float | None
    """Sum forecast / sum actual - 1 (0.1: forecasts 10% too high); None when nobody spent anything."""
    forecast_total: float
    actual_total: float

    @property
    def key_metric(self) -> float | None:
        return self.r2


@dataclass(frozen=True, slots=True)
class Decile:
    """One tenth of the clients ranked by their chance, highest first."""

    clients: int
    buyer_share: float | None
    """None for an empty tenth (fewer than ten clients)."""
    lift: float | None
    """The buyer share over the base rate; None when nobody bought."""


@dataclass(frozen=True, slots=True)
class PurchasePerformance:
    count: int
    base_rate: float
    precision: float | None
    """Of the clients predicted to buy (each at its own threshold), the share who bought; None if none was."""
    recall: float | None
    """Of the clients who bought, the share predicted to; None when nobody bought."""
    roc_auc: float | None
    """None when everyone bought or nobody did."""
    brier: float
    deciles: tuple[Decile, ...]

    @property
    def key_metric(self) -> float | None:
        return self.roc_auc


def month_of(day: date) -> date:
    """The month a snapshot belongs to, as its first day."""
    return day.replace(day=1)


def sales_performance(pairs: Iterable[tuple[float, float]]) -> SalesPerformance:
    """Realized metrics of (forecast, actual) pairs; there must be at least one."""
    forecasts, actuals = _columns(pairs)
    count = len(actuals)
    mean_actual = sum(actuals) / count
    squared_errors = sum((a - f) ** 2 for f, a in zip(forecasts, actuals, strict=True))
    spread = sum((a - mean_actual) ** 2 for a in actuals)
    forecast_total, actual_total = sum(forecasts), sum(actuals)
    return SalesPerformance(
        count=count,
        mae=sum(abs(a - f) for f, a in zip(forecasts, actuals, strict=True)) / count,
        r2=1 - squared_errors / spread if count > 1 and spread > 0 else None,
        revenue_bias=forecast_total / actual_total - 1 if actual_total > 0 else None,
        forecast_total=forecast_total,
        actual_total=actual_total,
    )


def purchase_performance(rows: Iterable[tuple[float, bool, bool]]) -> PurchasePerformance:
    """Realized metrics of (probability, will_buy, bought) rows; there must be at least one."""
    scored = list(rows)
    probabilities = [p for p, _, _ in scored]
    bought = [b for _, _, b in scored]
    count, buyers = len(scored), sum(bought)
    hits = sum(1 for _, will_buy, b in scored if will_buy and b)
    predicted = sum(1 for _, will_buy, _ in scored if will_buy)
    base_rate = buyers / count
    return PurchasePerformance(
        count=count,
        base_rate=base_rate,
        precision=hits / predicted if predicted else None,
        recall=hits / buyers if buyers else None,
        roc_auc=roc_auc(probabilities, bought),
        brier=sum((p - b) ** 2 for p, b in zip(probabilities, bought, strict=True)) / count,
        deciles=deciles(probabilities, bought, base_rate),
    )


def roc_auc(probabilities: Sequence[float], bought: Sequence[bool]) -> float | None:
    """The chance that a buyer is ranked above a non-buyer (ties count half), from average ranks
    (Mann-Whitney); None with one class only."""
    buyers = sum(bought)
    others = len(bought) - buyers
    if buyers == 0 or others == 0:
        return None
    ranks = _average_ranks(probabilities)
    buyer_rank_sum = sum(rank for rank, b in zip(ranks, bought, strict=True) if b)
    return (buyer_rank_sum - buyers * (buyers + 1) / 2) / (buyers * others)


def deciles(probabilities: Sequence[float], bought: Sequence[bool], base_rate: float) -> tuple[Decile, ...]:
    """Clients ranked by chance, highest first (equal chances in the order given), cut into ten tenths
    as equal as can be (the first ones one client larger), each with its share of buyers and lift."""
    ranked = [b for _, b in sorted(zip(probabilities, bought, strict=True), key=lambda pair: -pair[0])]
    size, larger = divmod(len(ranked), DECILES)
    tenths: list[Decile] = []
    start = 0
    for index in range(DECILES):
        end = start + size + (1 if index < larger else 0)
        tenth = ranked[start:end]
        share = sum(tenth) / len(tenth) if tenth else None
        lift = share / base_rate if share is not None and base_rate > 0 else None
        tenths.append(Decile(clients=len(tenth), buyer_share=share, lift=lift))
        start = end
    return tuple(tenths)


def falls_short(realized: float | None, claimed: float | None, margin: float = SHORTFALL_MARGIN) -> bool:
    """Whether a realized key metric is worse than the claimed one by more than `margin`."""
    return realized is not None and claimed is not None and realized < claimed - margin


def _columns(pairs: Iterable[tuple[float, float]]) -> tuple[list[float], list[float]]:
    firsts: list[float] = []
    seconds: list[float] = []
    for first, second in pairs:
        firsts.append(first)
        seconds.append(second)
    if not firsts:
        raise ValueError("no pairs to score")
    return firsts, seconds


def _average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks in ascending order, tied values sharing the average of their ranks."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks
