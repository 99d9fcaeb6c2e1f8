"""A client's customer lifetime: from the newest trained customer-lifetime model, or why there is none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest

from adapters.memory import InMemoryUnitOfWork
from application.lifetime import client_lifetime
from application.predicting import ActiveModels
from domain.activity import ActivitySnapshot, OrderHistory
from domain.candidates import Candidate, FeatureSetName, clv
from domain.clients import Client
from domain.errors import ClientNotFound
from domain.lifetime import LifetimeEstimate, LifetimeUnavailable, day_one_order_is_expected
from domain.model_runs import ModelRun, RunStatus
from domain.predictions import ModelKind
from unit.ml_fakes import NOW, FakeModelStore

OBSERVED_ON = date(2026, 5, 31)
ESTIMATE = LifetimeEstimate(
    probability_alive=0.8,
    expected_orders_90d=0.6,
    expected_orders_365d=2.5,
    expected_order_value=120.0,
    days_to_next_order=140,
)


class FakeEstimator:
    """Gives ESTIMATE for a client who bought, and keeps the rows and models it was asked about."""

    def __init__(self) -> None:
        self.asked: list[tuple[object, Sequence[float]]] = []

    def estimate(self, model: object, row: Sequence[float]) -> LifetimeEstimate | None:
        self.asked.append((model, row))
        return ESTIMATE if row[0] >= 1 else None


@pytest.fixture
def model_store() -> FakeModelStore:
    return FakeModelStore()


@pytest.fixture
def estimator() -> FakeEstimator:
    return FakeEstimator()


def add_run(
    uow: InMemoryUnitOfWork, store: FakeModelStore, candidate: Candidate, **changes: object
) -> ModelRun:
    with uow:
        version = uow.model_runs.next_version(ModelKind.SALES)
        artifact = store.save(ModelKind.SALES, version, {"version": version})
        run = ModelRun(
            ModelKind.SALES,
            version,
            "admin@example.com",
            NOW,
            status=RunStatus.SUCCEEDED,
            artifact=artifact,
            candidate=candidate,
        )
        run = uow.model_runs.add(replace(run, **changes))
        uow.commit()
    return run


def add_client(uow: InMemoryUnitOfWork, history: OrderHistory | None) -> int:
    with uow:
        client = uow.clients.add(Client("Anna", "Nowak", "anna@example.com", date(2024, 1, 15)))
        assert client.id is not None
        uow.activity.add(
            ActivitySnapshot(
                client_id=client.id,
                observed_on=OBSERVED_ON,
                purchases_30d=1,
                avg_basket_value=100.0,
                site_visits_30d=None,
                days_since_last_purchase=20,
                visits_7d=None,
                newsletter_opened=None,
                ad_clicks_7d=None,
                time_on_site_7d=None,
                history=history,
            )
        )
        uow.commit()
    return client.id


def a_history(purchase_days: int = 4) -> OrderHistory:
    return OrderHistory(
        spend_90d=300.0,
        spend_180d=400.0,
        spend_365d=500.0,
        purchases_365d=purchase_days,
        active_months_365d=purchase_days,
        purchase_days=purchase_days,
        days_since_first_purchase=200 if purchase_days else None,
        avg_order_value=125.0 if purchase_days else 0.0,
    )


def lifetime_of(client_id: int, uow, store, estimator):  # type: ignore[no-untyped-def]
    return client_lifetime(client_id, uow, ActiveModels(store), estimator)


def test_a_client_is_read_by_the_newest_lifetime_model_active_or_not(uow, model_store, estimator) -> None:
    add_run(uow, model_store, clv())
    newest = add_run(uow, model_store, clv())
    add_run(uow, model_store, Candidate(FeatureSetName.EXTENDED), is_active=True)
    add_run(uow, model_store, clv(), status=RunStatus.FAILED, artifact=None)
    client_id = add_client(uow, a_history())

    lifetime = lifetime_of(client_id, uow, model_store, estimator)

    assert (lifetime.run.version, lifetime.estimate, lifetime.unavailable) == (newest.version, ESTIMATE, None)
    assert lifetime.observed_on == OBSERVED_ON
    assert lifetime.next_order_on == OBSERVED_ON + timedelta(days=140)
    [(model, row)] = estimator.asked
    assert model == {"version": newest.version} and row[:4] == (4, 200, 20, 125.0)


def test_without_a_lifetime_model_there_is_no_estimate_and_it_says_so(uow, model_store, estimator) -> None:
    add_run(uow, model_store, Candidate(FeatureSetName.EXTENDED), is_active=True)
    client_id = add_client(uow, a_history())

    lifetime = lifetime_of(client_id, uow, model_store, estimator)

    assert (lifetime.run, lifetime.estimate, lifetime.unavailable) == (
        None,
        None,
        LifetimeUnavailable.NO_MODEL,
    )


@pytest.mark.parametrize(
    ("history", "why"),
    [
        (None, LifetimeUnavailable.NO_ORDER_HISTORY),
        (a_history(purchase_days=0), LifetimeUnavailable.NEVER_BOUGHT),
    ],
)
def test_a_client_the_lifetime_models_do_not_describe_has_no_estimate(
    uow, model_store, estimator, history: OrderHistory | None, why: LifetimeUnavailable
) -> None:
    add_run(uow, model_store, clv())
    client_id = add_client(uow, history)

    lifetime = lifetime_of(client_id, uow, model_store, estimator)

    assert (lifetime.estimate, lifetime.unavailable, lifetime.next_order_on) == (None, why, None)


def test_a_client_without_snapshots_has_no_estimate(uow, model_store, estimator) -> None:
    add_run(uow, model_store, clv())
    with uow:
        client = uow.clients.add(Client("Ewa", "Nowak", "ewa@example.com", date(2024, 1, 15)))
        uow.commit()

    lifetime = lifetime_of(client.id, uow, model_store, estimator)

    assert (lifetime.observed_on, lifetime.unavailable) == (None, LifetimeUnavailable.NO_SNAPSHOT)


def test_an_unknown_client_is_not_found(uow, model_store, estimator) -> None:
    with pytest.raises(ClientNotFound):
        lifetime_of(424242, uow, model_store, estimator)


def test_the_12_month_value_is_the_years_orders_times_the_order_value() -> None:
    assert ESTIMATE.value_12m == 300.0


@pytest.mark.parametrize(
    ("by_day", "day"),
    [([0.2, 0.7, 1.0, 1.4], 3), ([1.3], 1), ([0.1, 0.5, 0.99], None), ([], None)],
)
def test_the_next_order_is_due_the_first_day_one_order_is_expected(
    by_day: list[float], day: int | None
) -> None:
    assert day_one_order_is_expected(by_day) == day
