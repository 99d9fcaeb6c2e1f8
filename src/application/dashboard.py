"""Use cases behind the dashboard: the headline numbers of the client base and the sales trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.ports import MonthlySales, PredictionSummary, UnitOfWork
from domain.clients import first_of_next_month
from domain.predictions import DecisionThreshold, ModelKind
from domain.segments import SegmentRule


@dataclass(frozen=True, slots=True)
class Dashboard:
    client_count: int
    threshold: DecisionThreshold
    segment_rule: SegmentRule
    predictions: PredictionSummary
    monthly_sales: list[MonthlySales]
    """Actual sales per month, oldest first."""
    forecast_month: date | None
    """The month the current forecasts are about: the one after the last month with actual sales."""
    models_trained: bool

    @property
    def likely_buyer_share(self) -> float | None:
        scored = self.predictions.clients_scored
        return self.predictions.likely_buyers / scored if scored else None


def count_clients(uow: UnitOfWork) -> int:
    """How many clients are on record."""
    with uow:
        return uow.clients.count()


def dashboard(uow: UnitOfWork) -> Dashboard:
    with uow:
        threshold = uow.settings.threshold()
        segment_rule = uow.settings.segment_rule()
        monthly = uow.activity.monthly_sales()
        return Dashboard(
            client_count=uow.clients.count(),
            threshold=threshold,
            segment_rule=segment_rule,
            predictions=uow.predictions.summary(threshold, segment_rule),
            monthly_sales=monthly,
            forecast_month=first_of_next_month(monthly[-1].month) if monthly else None,
            models_trained=all(uow.model_runs.active(kind) for kind in ModelKind),
        )
