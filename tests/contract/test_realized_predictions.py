"""Stored predictions joined to the outcomes of the snapshots they were made from, once known."""

from __future__ import annotations

from datetime import date

import pytest

from contract.examples import (
    UnitOfWorkFactory,
    a_client,
    a_forecast,
    a_purchase_prediction,
    a_snapshot,
    later,
)
from domain.performance import RealizedPurchase, RealizedSales

MARCH, APRIL = date(2024, 3, 31), date(2024, 4, 30)


@pytest.fixture
def ids(uow_factory: UnitOfWorkFactory) -> list[int]:
    """Anna and Beata, each with a March snapshot whose outcomes are known and an April one whose
    outcomes are not yet; Celina with no snapshot of March."""
    with uow_factory() as uow:
        stored = uow.clients.add_many([a_client(name) for name in ("Anna", "Beata", "Celina")])
        anna, beata, celina = (client.id or 0 for client in stored)
        uow.activity.add_many(
            [
                a_snapshot(anna, MARCH, sales_next_month=300.0, purchased_next_14d=True),
                a_snapshot(beata, MARCH, sales_next_month=0.0, purchased_next_14d=False),
                a_snapshot(anna, APRIL),
                a_snapshot(beata, APRIL),
                a_snapshot(celina, APRIL),
            ]
        )
        uow.commit()
    return [anna, beata, celina]


def predict(
    uow_factory: UnitOfWorkFactory, client_id: int, value: float, chance: float, **changes: object
) -> None:
    with uow_factory() as uow:
        uow.predictions.add_many(
            [a_forecast(client_id, value, **changes)], [a_purchase_prediction(client_id, chance, **changes)]
        )
        uow.commit()


def test_predictions_whose_outcome_is_known_are_read_with_it(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata, celina = ids
    predict(uow_factory, beata, 50.0, 0.2, observed_on=MARCH, made_at=later(1))
    predict(uow_factory, anna, 250.0, 0.8, observed_on=MARCH, made_at=later(1))
    predict(uow_factory, anna, 400.0, 0.9, observed_on=APRIL, made_at=later(2))  # outcome not known yet
    predict(uow_factory, celina, 10.0, 0.1, observed_on=APRIL, made_at=later(2))
    predict(
        uow_factory, beata, 70.0, 0.3, observed_on=None, made_at=later(3)
    )  # made from an unknown snapshot

    with uow_factory() as uow:
        sales = list(uow.predictions.realized_sales())
        purchases = list(uow.predictions.realized_purchases())

    assert sorted(sales, key=lambda r: r.forecast) == [
        RealizedSales(1, MARCH, 50.0, 0.0),
        RealizedSales(1, MARCH, 250.0, 300.0),
    ]
    assert sorted(purchases, key=lambda r: r.probability) == [
        RealizedPurchase(1, MARCH, 0.2, will_buy=False, bought=False, forecast=50.0),
        RealizedPurchase(1, MARCH, 0.8, will_buy=True, bought=True, forecast=250.0),
    ]


def test_a_re_scoring_by_the_same_version_counts_once_and_each_version_counts(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna = ids[0]
    predict(uow_factory, anna, 100.0, 0.6, observed_on=MARCH, made_at=later(1))
    predict(uow_factory, anna, 120.0, 0.75, observed_on=MARCH, made_at=later(2), model_version=2)
    predict(uow_factory, anna, 110.0, 0.65, observed_on=MARCH, made_at=later(3))

    with uow_factory() as uow:
        sales = list(uow.predictions.realized_sales())
        purchases = list(uow.predictions.realized_purchases())

    assert sales == [RealizedSales(1, MARCH, 110.0, 300.0), RealizedSales(2, MARCH, 120.0, 300.0)]
    assert [(p.model_version, p.probability) for p in purchases] == [(1, 0.65), (2, 0.75)]


def test_a_purchase_prediction_comes_with_the_forecast_made_with_it_from_the_same_snapshot(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata, _ = ids
    predict(uow_factory, anna, 250.0, 0.8, observed_on=MARCH, made_at=later(1))
    predict(uow_factory, anna, 400.0, 0.9, observed_on=APRIL, made_at=later(1))  # same moment, other snapshot
    with uow_factory() as uow:  # made alone: no forecast at its moment
        uow.predictions.add_many([], [a_purchase_prediction(beata, 0.3, observed_on=MARCH, made_at=later(2))])
        uow.predictions.add_many([a_forecast(beata, 70.0, observed_on=MARCH, made_at=later(3))], [])
        uow.commit()

    with uow_factory() as uow:
        purchases = sorted(uow.predictions.realized_purchases(), key=lambda r: r.probability)

    assert [(p.probability, p.forecast) for p in purchases] == [(0.3, None), (0.8, 250.0)]


def test_they_come_by_version_then_snapshot_date(uow_factory: UnitOfWorkFactory, ids: list[int]) -> None:
    anna, beata, _ = ids
    with uow_factory() as uow:
        uow.activity.add_many(
            [a_snapshot(anna, date(2024, 2, 29), sales_next_month=80.0, purchased_next_14d=False)]
        )
        uow.commit()
    predict(uow_factory, beata, 1.0, 0.1, observed_on=MARCH, made_at=later(1), model_version=2)
    predict(uow_factory, anna, 2.0, 0.2, observed_on=MARCH, made_at=later(1))
    predict(uow_factory, anna, 3.0, 0.3, observed_on=date(2024, 2, 29), made_at=later(2))

    with uow_factory() as uow:
        sales = list(uow.predictions.realized_sales())
        purchases = list(uow.predictions.realized_purchases())

    assert [(s.model_version, s.observed_on) for s in sales] == [
        (1, date(2024, 2, 29)),
        (1, MARCH),
        (2, MARCH),
    ]
    assert [p.probability for p in purchases] == [0.3, 0.2, 0.1]


def test_nothing_is_realized_before_any_outcome_is_known(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    predict(uow_factory, ids[0], 400.0, 0.9, observed_on=APRIL)

    with uow_factory() as uow:
        assert list(uow.predictions.realized_sales()) == []
        assert list(uow.predictions.realized_purchases()) == []
