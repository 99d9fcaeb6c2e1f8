"""The decision threshold priced in money: the expected profit of contacting the clients the active
purchase model selects, at each threshold of its test month."""

from __future__ import annotations

from dataclasses import dataclass

from application.commands import ThresholdAdviceRequest
from application.ports import UnitOfWork
from domain.decisions import ContactEconomics, ProfitPoint, most_profitable, nearest, profit_curve
from domain.model_runs import ModelNotTrained
from domain.predictions import ModelKind


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


def threshold_advice(request: ThresholdAdviceRequest, uow: UnitOfWork) -> ThresholdAdvice:
    """Refuses (ModelNotTrained) while no purchase model with a threshold curve is active."""
    with uow:
        run = uow.model_runs.active(ModelKind.PURCHASE)
        threshold = uow.settings.threshold().value
    curve = None if run is None or run.evaluation is None else run.evaluation.threshold_curve
    if run is None or run.evaluation is None or not curve:
        raise ModelNotTrained(ModelKind.PURCHASE)
    points = profit_curve(curve, ContactEconomics(request.cost_per_contact, request.value_per_conversion))
    return ThresholdAdvice(
        run.version,
        run.evaluation.test_size,
        points,
        most_profitable(points),
        threshold,
        nearest(points, threshold),
    )
