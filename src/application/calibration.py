"""Calibration of the purchase model: do its probabilities mean what they say? The active version's
reliability curve on its hold-out, recorded when it was trained, and each version's on realized
outcomes: its stored predictions whose snapshot's outcome is now known."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from application.ports import UnitOfWork
from domain.calibration import Reliability, reliability
from domain.model_runs import ModelNotTrained
from domain.performance import RealizedPurchase
from domain.predictions import ModelKind


@dataclass(frozen=True, slots=True)
class RealizedReliability:
    """One version's stored predictions against whether the clients then bought, all months together."""

    model_version: int
    curve: Reliability


@dataclass(frozen=True, slots=True)
class PurchaseCalibration:
    model_version: int
    """The active purchase model's version."""
    method: str | None
    """The calibration it carries (`sigmoid`, `isotonic`); None when it is used as fitted."""
    compared: dict[str, dict[str, Any]]
    """The backtest's mean Brier score and ROC AUC as fitted (`none`) and with each calibration; empty
    for a version trained before calibrations were compared."""
    hold_out: Reliability | None
    """Its curve on its test month; None for a version trained before curves were recorded."""
    realized: list[RealizedReliability] = field(default_factory=list)
    """Every version whose predictions have known outcomes, newest first."""

    @property
    def realized_of_active(self) -> Reliability | None:
        found = (r.curve for r in self.realized if r.model_version == self.model_version)
        return next(found, None)


def purchase_calibration(uow: UnitOfWork) -> PurchaseCalibration:
    """Refuses (ModelNotTrained) while no purchase model is active. A prediction counts as in
    monitoring: the last one per client, snapshot and version, once the snapshot's outcome is known."""
    with uow:
        run = uow.model_runs.active(ModelKind.PURCHASE)
        if run is None or run.evaluation is None:
            raise ModelNotTrained(ModelKind.PURCHASE)
        realized = _by_version(uow.predictions.realized_purchases())
    evaluation = run.evaluation
    return PurchaseCalibration(
        model_version=run.version,
        method=evaluation.calibration_method,
        compared=dict((evaluation.calibration or {}).get("compared", {})),
        hold_out=evaluation.hold_out_reliability,
        realized=sorted(realized, key=lambda r: -r.model_version),
    )


def _by_version(realized: Iterable[RealizedPurchase]) -> list[RealizedReliability]:
    """One version in memory at a time: the predictions come ordered by version."""
    curves = []
    for version, purchases in groupby(realized, key=lambda r: r.model_version):
        scored = [(p.probability, p.bought) for p in purchases]
        curves.append(
            RealizedReliability(version, reliability([p for p, _ in scored], [b for _, b in scored]))
        )
    return curves
