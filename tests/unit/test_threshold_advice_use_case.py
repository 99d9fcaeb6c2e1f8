"""The threshold priced in money, a conversion valued at a flat amount or at the client's sales forecast."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.memory import InMemoryUnitOfWork
from application.commands import ThresholdAdviceRequest
from application.decisions import ValueSource, threshold_advice
from application.validation import InvalidInput
from domain.model_runs import Activation
from domain.predictions import ModelKind
from unit.ml_fakes import NOW
from unit.test_monitoring import APRIL, MARCH, a_run, clients, predict  # noqa: F401  (a fixture)

CURVE = [
    {"threshold": 0.5, "precision": 0.5, "recall": 0.7, "share_selected": 0.3},
    {"threshold": 0.7, "precision": 0.8, "recall": 0.3, "share_selected": 0.1},
]


def activate_a_priced_model(uow: InMemoryUnitOfWork) -> None:
    """An active purchase model whose test month gives `CURVE`."""
    run = a_run(ModelKind.PURCHASE, 2, key_metric=0.7)
    assert run.evaluation is not None
    with uow:
        uow.model_runs.add(replace(run, evaluation=replace(run.evaluation, threshold_curve=CURVE)))
        uow.model_runs.activate(Activation(ModelKind.PURCHASE, 2, "admin@example.com", NOW))
        uow.commit()


@pytest.fixture
def priced(uow: InMemoryUnitOfWork, clients: list[int]) -> InMemoryUnitOfWork:  # noqa: F811
    """An active purchase model with a test-month curve; March's predictions (whose outcomes are known:
    the first and third clients bought) and April's current ones, forecasts 100 to 400."""
    a, b, c, d = clients
    activate_a_priced_model(uow)
    predict(
        uow,
        [(a, 300.0, 0.9, True), (b, 50.0, 0.8, True), (c, 20.0, 0.6, True), (d, 900.0, 0.4, False)],
        MARCH,
    )
    predict(
        uow,
        [(a, 100.0, 0.9, True), (b, 200.0, 0.8, True), (c, 300.0, 0.6, True), (d, 400.0, 0.4, False)],
        APRIL,
    )
    return uow


def test_a_flat_value_prices_every_conversion_alike(priced: InMemoryUnitOfWork) -> None:
    advice = threshold_advice(
        ThresholdAdviceRequest.parse({"cost_per_contact": 10, "value_per_conversion": 100}), priced
    )

    assert (advice.value_per_conversion_used, advice.value_source) == (100.0, ValueSource.GIVEN)
    # 100 x 0.15 - 10 x 0.3 = 12; 100 x 0.08 - 10 x 0.1 = 7
    assert [p.profit_per_client for p in advice.points] == pytest.approx([12.0, 7.0])
    assert advice.realized is not None and advice.realized.clients == 4
    # at 0.5: 3 contacted, 2 bought: (200 - 30) / 4; at 0.7: 2 contacted, 1 bought: (100 - 20) / 4
    assert [p.profit_per_client for p in advice.realized.points] == pytest.approx([42.5, 20.0])


def test_a_buyer_is_worth_the_forecast_made_with_their_prediction(priced: InMemoryUnitOfWork) -> None:
    advice = threshold_advice(
        ThresholdAdviceRequest.parse({"cost_per_contact": 10, "value_from_forecast": True}), priced
    )

    assert advice.realized is not None
    # March's forecasts, not April's: at 0.5, (300 + 20 - 30) / 4; at 0.7, (300 - 20) / 4
    assert [p.profit_per_client for p in advice.realized.points] == pytest.approx([72.5, 70.0])
    assert advice.realized.best.threshold == 0.5


def test_the_test_month_is_priced_at_the_mean_current_forecast(priced: InMemoryUnitOfWork) -> None:
    advice = threshold_advice(
        ThresholdAdviceRequest.parse({"cost_per_contact": 10, "value_from_forecast": True}), priced
    )

    assert (advice.value_per_conversion_used, advice.value_source) == (250.0, ValueSource.MEAN_FORECAST)
    # 250 x 0.15 - 10 x 0.3 = 34.5; 250 x 0.08 - 10 x 0.1 = 19
    assert [p.profit_per_client for p in advice.points] == pytest.approx([34.5, 19.0])


def test_a_value_is_required_unless_it_comes_from_the_forecasts() -> None:
    with pytest.raises(InvalidInput) as refused:
        ThresholdAdviceRequest.parse({"cost_per_contact": 10})

    assert [(e.field, e.code) for e in refused.value.errors] == [("value_per_conversion", "value_required")]


def test_no_forecast_no_value_from_the_forecasts(uow: InMemoryUnitOfWork, clients: list[int]) -> None:  # noqa: F811
    activate_a_priced_model(uow)

    with pytest.raises(InvalidInput) as refused:
        threshold_advice(
            ThresholdAdviceRequest.parse({"cost_per_contact": 10, "value_from_forecast": True}), uow
        )

    assert [(e.field, e.code) for e in refused.value.errors] == [("value_from_forecast", "no_forecasts")]
