"""Monitoring: stored predictions scored by version and month once their outcomes are known, beside
what each version's training claimed."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.memory import InMemoryUnitOfWork
from application.monitoring import model_performance
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.model_runs import Artifact, Evaluation, ModelRun
from domain.performance import PurchasePerformance, SalesPerformance
from domain.predictions import ModelKind, PurchasePrediction, SalesForecast
from unit.ml_fakes import NOW

MARCH, APRIL = date(2024, 3, 31), date(2024, 4, 30)


def a_run(kind: ModelKind, version: int, key_metric: float) -> ModelRun:
    metric = "r2" if kind is ModelKind.SALES else "roc_auc"
    evaluation = Evaluation(
        train_size=100,
        test_size=20,
        metrics={metric: key_metric},
        baseline_metrics={},
        coefficients={},
        intercept=0.0,
    )
    run = ModelRun(kind, version, requested_by="admin@example.com", queued_at=NOW).started(NOW)
    return run.succeeded(evaluation, Artifact(f"{kind.value}-{version}.joblib", "0" * 64), NOW)


def a_snapshot(
    client_id: int, observed_on: date, spent: float | None, bought: bool | None
) -> ActivitySnapshot:
    return ActivitySnapshot(
        client_id=client_id,
        observed_on=observed_on,
        purchases_30d=1,
        avg_basket_value=100.0,
        site_visits_30d=4,
        days_since_last_purchase=10,
        visits_7d=1,
        newsletter_opened=False,
        ad_clicks_7d=0,
        time_on_site_7d=3.0,
        sales_next_month=spent,
        purchased_next_14d=bought,
    )


@pytest.fixture
def clients(uow: InMemoryUnitOfWork) -> list[int]:
    """Four clients with a March snapshot whose outcomes are known and an April one still open."""
    outcomes = [(120.0, True), (40.0, False), (20.0, True), (0.0, False)]
    with uow:
        stored = uow.clients.add_many(
            [Client(f"Client{i}", "Nowak", f"c{i}@example.com", date(2023, 1, 1)) for i in range(4)]
        )
        ids = [client.id or 0 for client in stored]
        uow.activity.add_many(
            a_snapshot(c, MARCH, *outcome) for c, outcome in zip(ids, outcomes, strict=True)
        )
        uow.activity.add_many(a_snapshot(c, APRIL, None, None) for c in ids)
        uow.model_runs.add(a_run(ModelKind.SALES, 1, key_metric=0.9))
        uow.model_runs.add(a_run(ModelKind.PURCHASE, 1, key_metric=0.6))
        uow.commit()
    return ids


def predict(uow: InMemoryUnitOfWork, rows: list[tuple[int, float, float, bool]], observed_on: date) -> None:
    with uow:
        uow.predictions.add_many(
            [SalesForecast(c, value, 1, NOW, observed_on=observed_on) for c, value, _, _ in rows],
            [PurchasePrediction(c, p, yes, 0.5, 1, NOW, observed_on=observed_on) for c, _, p, yes in rows],
        )
        uow.commit()


def test_nothing_to_show_before_an_outcome_arrives(uow: InMemoryUnitOfWork, clients: list[int]) -> None:
    predict(uow, [(c, 50.0, 0.5, True) for c in clients], APRIL)

    performance = model_performance(ModelKind.SALES, uow)

    assert (performance.key_metric, performance.months) == ("r2", [])


def test_sales_are_scored_by_version_and_month_beside_the_claimed_r2(
    uow: InMemoryUnitOfWork, clients: list[int]
) -> None:
    a, b, c, d = clients
    predict(
        uow, [(a, 100.0, 0.9, True), (b, 60.0, 0.3, False), (c, 0.0, 0.6, True), (d, 10.0, 0.1, False)], MARCH
    )
    predict(uow, [(a, 500.0, 0.9, True)], APRIL)  # its outcome is not known yet

    [month] = model_performance(ModelKind.SALES, uow).months

    assert (month.model_version, month.month) == (1, date(2024, 3, 1))
    assert isinstance(month.realized, SalesPerformance)
    assert (month.realized.count, month.realized.forecast_total, month.realized.actual_total) == (
        4,
        170.0,
        180.0,
    )
    assert month.realized.mae == pytest.approx((20 + 20 + 20 + 10) / 4)
    # actual mean 45: spread 5625 + 25 + 625 + 2025 = 8300; squared errors 400 * 3 + 100 = 1300
    assert month.realized.r2 == pytest.approx(1 - 1300 / 8300)
    assert (month.claimed, month.claimed_key_metric) == ({"r2": 0.9}, 0.9)
    assert month.falls_short  # 0.843 realized against 0.9 claimed


def test_purchases_are_scored_at_their_own_threshold_beside_the_claimed_roc_auc(
    uow: InMemoryUnitOfWork, clients: list[int]
) -> None:
    a, b, c, d = clients
    predict(
        uow, [(a, 100.0, 0.9, True), (b, 60.0, 0.3, False), (c, 0.0, 0.6, True), (d, 10.0, 0.1, False)], MARCH
    )

    performance = model_performance(ModelKind.PURCHASE, uow)

    [month] = performance.months
    assert isinstance(month.realized, PurchasePerformance)
    assert (month.realized.precision, month.realized.recall, month.realized.roc_auc) == (1.0, 1.0, 1.0)
    assert month.realized.base_rate == 0.5
    assert (performance.key_metric, month.claimed_key_metric, month.falls_short) == ("roc_auc", 0.6, False)


def test_a_version_without_a_recorded_evaluation_is_shown_without_claims(
    uow: InMemoryUnitOfWork, clients: list[int]
) -> None:
    with uow:
        uow.predictions.add_many([SalesForecast(clients[0], 100.0, 7, NOW, observed_on=MARCH)], [])
        uow.commit()

    [month] = model_performance(ModelKind.SALES, uow).months

    assert (month.model_version, month.claimed, month.claimed_key_metric, month.falls_short) == (
        7,
        {},
        None,
        False,
    )
