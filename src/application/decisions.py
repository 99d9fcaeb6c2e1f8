"""The decision threshold priced in money: the expected profit of contacting the clients the active
purchase model selects, at each threshold of its test month, and what the same thresholds earned on
the stored predictions whose outcomes are known."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from application.commands import ThresholdAdviceRequest
from application.ports import UnitOfWork
from application.validation import InvalidInput
from domain.decisions import (
    ContactEconomics,
    ProfitPoint,
    most_profitable,
    nearest,
    profit_curve,
    realized_profit_curve,
)
from domain.model_runs import ModelNotTrained
from domain.performance import RealizedPurchase
from domain.predictions import ModelKind


@dataclass(frozen=True, slots=True)
class RealizedProfit:
    """The same thresholds priced on the stored purchase predictions whose outcomes are known."""

    clients: int
    """Predictions scored: the last per client, snapshot and model version."""
    points: list[ProfitPoint]
    best: ProfitPoint
    current: ProfitPoint


class ValueSource(enum.StrEnum):
    """Where the value of a conversion on the test month came from."""

    GIVEN = "given"
    """The flat value of the request."""
    MEAN_FORECAST = "mean_forecast"
    """The mean current sales forecast of the company's clients (the test month has no per-client rows)."""


@dataclass(frozen=True, slots=True)
class ThresholdAdvice:
    model_version: int
    clients: int
    """Clients of the test month the curve comes from."""
    points: list[ProfitPoint]
    best: ProfitPoint
    current_threshold: float
    current: ProfitPoint
    """The curve's point nearest the threshold in force."""
    value_per_conversion_used: float
    """What a conversion on the test month was valued at."""
    value_source: ValueSource
    realized: RealizedProfit | None = None
    """None until a purchase prediction's outcome is known. With `value_from_forecast`, each
    conversion is valued at the forecast made with its prediction, and those with none are left out."""


def threshold_advice(request: ThresholdAdviceRequest, uow: UnitOfWork) -> ThresholdAdvice:
    """Refuses (ModelNotTrained) while no purchase model with a threshold curve is active, and
    (InvalidInput) a value from the forecasts while no client has a current one."""
    with uow:
        run = uow.model_runs.active(ModelKind.PURCHASE)
        in_force = uow.settings.threshold()
        realized = list(uow.predictions.realized_purchases())
        mean_forecast = (
            uow.predictions.summary(in_force, uow.settings.segment_rule()).average_forecast
            if request.value_from_forecast
            else None
        )
    curve = None if run is None or run.evaluation is None else run.evaluation.threshold_curve
    if run is None or run.evaluation is None or not curve:
        raise ModelNotTrained(ModelKind.PURCHASE)
    threshold = in_force.value
    value, source = _value_per_conversion(request, mean_forecast)
    points = profit_curve(curve, ContactEconomics(request.cost_per_contact, value))
    thresholds = [point.threshold for point in points]
    return ThresholdAdvice(
        run.version,
        run.evaluation.test_size,
        points,
        most_profitable(points),
        threshold,
        nearest(points, threshold),
        value,
        source,
        _realized_profit(_worth_of_each(realized, request), request.cost_per_contact, thresholds, threshold),
    )


def _value_per_conversion(
    request: ThresholdAdviceRequest, mean_forecast: float | None
) -> tuple[float, ValueSource]:
    if not request.value_from_forecast:
        assert request.value_per_conversion is not None  # the request's rule
        return request.value_per_conversion, ValueSource.GIVEN
    if mean_forecast is None:
        raise InvalidInput.single(
            "value_from_forecast",
            "no_forecasts",
            "no client has a sales forecast yet: score the clients first",
        )
    return mean_forecast, ValueSource.MEAN_FORECAST


def _worth_of_each(
    realized: list[RealizedPurchase], request: ThresholdAdviceRequest
) -> list[tuple[RealizedPurchase, float]]:
    """Each realized prediction with what its conversion is worth: the flat value, or the forecast
    made with it (those without one are left out)."""
    if not request.value_from_forecast:
        assert request.value_per_conversion is not None
        return [(prediction, request.value_per_conversion) for prediction in realized]
    return [(p, p.forecast) for p in realized if p.forecast is not None]


def _realized_profit(
    realized: list[tuple[RealizedPurchase, float]],
    cost_per_contact: float,
    thresholds: list[float],
    threshold: float,
) -> RealizedProfit | None:
    if not realized:
        return None
    points = realized_profit_curve(
        [p.probability for p, _ in realized],
        [p.bought for p, _ in realized],
        [worth for _, worth in realized],
        cost_per_contact,
        thresholds,
    )
    return RealizedProfit(len(realized), points, most_profitable(points), nearest(points, threshold))
