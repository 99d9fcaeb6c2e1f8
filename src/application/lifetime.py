"""A client's customer lifetime, read from the newest trained customer-lifetime model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from application.ports import LifetimeEstimator, UnitOfWork
from application.predicting import ActiveModels
from domain.candidates import ModelFamily
from domain.errors import ClientNotFound
from domain.features import CLV_INPUTS
from domain.lifetime import LifetimeEstimate, LifetimeUnavailable
from domain.model_runs import ModelRun, RunStatus
from domain.predictions import ModelKind


@dataclass(frozen=True, slots=True)
class ClientLifetime:
    """The lifetime model's view of a client as of its newest snapshot, or why there is none."""

    client_id: int
    run: ModelRun | None
    """The customer-lifetime model read: its backtest says how far its expectations can be trusted."""
    observed_on: date | None
    """The newest snapshot's date: the order history is known up to it, and days count from it."""
    estimate: LifetimeEstimate | None = None
    unavailable: LifetimeUnavailable | None = None

    @property
    def next_order_on(self) -> date | None:
        """The day by which one order is expected; None when not within a year (or no estimate)."""
        if self.estimate is None or self.estimate.days_to_next_order is None or self.observed_on is None:
            return None
        return self.observed_on + timedelta(days=self.estimate.days_to_next_order)


def newest_lifetime_run(uow: UnitOfWork) -> ModelRun | None:
    """The newest successfully trained sales run of the customer-lifetime family, active or not."""
    return next(
        (
            run
            for run in uow.model_runs.list(ModelKind.SALES)
            if run.candidate.family is ModelFamily.CLV
            and run.status is RunStatus.SUCCEEDED
            and run.artifact is not None
        ),
        None,
    )


def client_lifetime(
    client_id: int, uow: UnitOfWork, models: ActiveModels, estimator: LifetimeEstimator
) -> ClientLifetime:
    """The chance a client is still active, its expected orders in 90 and 365 days, the day by which one
    order is expected and its 12-month value, from its newest snapshot's order history and the newest
    customer-lifetime model; or why there are none. Nothing is stored."""
    with uow:
        if uow.clients.get(client_id) is None:
            raise ClientNotFound(client_id)
        run = newest_lifetime_run(uow)
        row = uow.activity.newest_row(client_id)
    observed_on = None if row is None else row.snapshot.observed_on
    if run is None:
        return ClientLifetime(client_id, None, observed_on, unavailable=LifetimeUnavailable.NO_MODEL)
    if row is None:
        return ClientLifetime(client_id, run, None, unavailable=LifetimeUnavailable.NO_SNAPSHOT)
    inputs = CLV_INPUTS.row(row.snapshot, row.registered_on)
    if any(math.isnan(value) for value in inputs[:4]):
        return ClientLifetime(client_id, run, observed_on, unavailable=LifetimeUnavailable.NO_ORDER_HISTORY)
    estimate = estimator.estimate(models.model_for(run), inputs)
    if estimate is None:
        return ClientLifetime(client_id, run, observed_on, unavailable=LifetimeUnavailable.NEVER_BOUGHT)
    return ClientLifetime(client_id, run, observed_on, estimate)
