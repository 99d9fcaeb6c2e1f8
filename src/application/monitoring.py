"""Monitoring: how each model version's predictions did once their outcomes arrived, month by month,
beside what its training claimed on the hold-out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING, TypeVar

from domain.model_runs import main_metric
from domain.performance import (
    SHORTFALL_MARGIN,
    PurchasePerformance,
    RealizedPurchase,
    RealizedSales,
    SalesPerformance,
    falls_short,
    month_of,
    purchase_performance,
    sales_performance,
)
from domain.predictions import ModelKind

if TYPE_CHECKING:
    from application.ports import UnitOfWork

R = TypeVar("R", RealizedSales, RealizedPurchase)


@dataclass(frozen=True, slots=True)
class MonthPerformance:
    """The predictions one version made from the snapshots of one month, scored against their outcomes."""

    model_version: int
    month: date
    """The snapshots' month, as its first day (the predictions are about the month or 14 days after)."""
    realized: SalesPerformance | PurchasePerformance
    claimed: dict[str, float] = field(default_factory=dict)
    """The version's hold-out metrics, as its training recorded them."""
    claimed_key_metric: float | None = None
    falls_short: bool = False
    """The realized key metric is worse than the claimed one by more than the margin."""


@dataclass(frozen=True, slots=True)
class ModelPerformance:
    kind: ModelKind
    key_metric: str
    """R² for sales, ROC AUC for purchase: the metric compared with the claimed one."""
    margin: float
    months: list[MonthPerformance]
    """By version, then month, oldest first; empty until an outcome of a scored snapshot is known."""


def model_performance(kind: ModelKind, uow: UnitOfWork) -> ModelPerformance:
    """Every stored prediction of `kind` whose snapshot's outcome is known, scored once (the last one
    per client, snapshot and version), grouped by version and month; predictions made before their
    snapshot's date was recorded cannot be scored and are left out."""
    key_metric = main_metric(kind)
    with uow:
        claimed: dict[int, dict[str, float]] = {}
        months = []
        for version, month, realized in _scored(kind, uow):
            if version not in claimed:
                run = uow.model_runs.get_version(kind, version)
                claimed[version] = dict(run.evaluation.metrics) if run and run.evaluation else {}
            claimed_key = claimed[version].get(key_metric)
            months.append(
                MonthPerformance(
                    model_version=version,
                    month=month,
                    realized=realized,
                    claimed=claimed[version],
                    claimed_key_metric=claimed_key,
                    falls_short=falls_short(realized.key_metric, claimed_key),
                )
            )
    return ModelPerformance(kind=kind, key_metric=key_metric, margin=SHORTFALL_MARGIN, months=months)


def _scored(
    kind: ModelKind, uow: UnitOfWork
) -> Iterator[tuple[int, date, SalesPerformance | PurchasePerformance]]:
    """The realized metrics of each (version, month), one group in memory at a time."""
    if kind is ModelKind.SALES:
        for (version, month), sales in _by_version_and_month(uow.predictions.realized_sales()):
            yield version, month, sales_performance((s.forecast, s.actual) for s in sales)
    else:
        for (version, month), purchases in _by_version_and_month(uow.predictions.realized_purchases()):
            yield (
                version,
                month,
                purchase_performance((p.probability, p.will_buy, p.bought) for p in purchases),
            )


def _by_version_and_month(realized: Iterable[R]) -> Iterator[tuple[tuple[int, date], Iterator[R]]]:
    return groupby(realized, key=lambda r: (r.model_version, month_of(r.observed_on)))
