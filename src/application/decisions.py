"""The decision threshold priced in money: the expected profit of contacting the clients the active
purchase model selects, at each threshold of its test month, and what the same thresholds earned on
the stored predictions whose outcomes are known."""

from __future__ import annotations

from dataclasses import dataclass

from application.commands import ThresholdAdviceRequest
from application.ports import UnitOfWork
from domain.decisions import (
    ContactEconomics,
    ProfitPoint,
    most_profitable,
    nearest,
    profit_curve,
    threshold_curve,
)
from domain.model_runs import ModelNotTrained
from domain.predictions import ModelKind


@dataclass(frozen=True, slots=True)
class RealizedProfit:
    """The same thresholds priced on the stored purchase predictions whose outcomes are known."""

    clients: int
    """Predictions scored: the last per client, snapshot and model version."""
    points: list[ProfitPoint]
    best: ProfitPoint
    current: ProfitPoint


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
    realized: RealizedProfit | None = None
    """None until a purchase prediction's outcome is known."""


def threshold_advice(request: ThresholdAdviceRequest, uow: UnitOfWork) -> ThresholdAdvice:
    """Refuses (ModelNotTrained) while no purchase model with a threshold curve is active."""
    with uow:
        run = uow.model_runs.active(ModelKind.PURCHASE)
        threshold = uow.settings.threshold().value
        realized = [(p.probability, p.bought) for p in uow.predictions.realized_purchases()]
    curve = None if run is None or run.evaluation is None else run.evaluation.threshold_curve
    if run is None or run.evaluation is None or not curve:
        raise ModelNotTrained(ModelKind.PURCHASE)
    economics = ContactEconomics(request.cost_per_contact, request.value_per_conversion)
    points = profit_curve(curve, economics)
    return ThresholdAdvice(
        run.version,
        run.evaluation.test_size,
        points,
        most_profitable(points),
        threshold,
        nearest(points, threshold),
        _realized_profit(realized, [point.threshold for point in points], economics, threshold),
    )


def _realized_profit(
    realized: list[tuple[float, bool]], thresholds: list[float], economics: ContactEconomics, threshold: float
) -> RealizedProfit | None:
    if not realized:
        return None
    probabilities, bought = [p for p, _ in realized], [b for _, b in realized]
    points = profit_curve(threshold_curve(probabilities, bought, thresholds), economics)
    return RealizedProfit(len(realized), points, most_profitable(points), nearest(points, threshold))
