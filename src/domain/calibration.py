"""Calibration of the purchase model: whether its probabilities mean what they say (of the clients given
30%, do 30% buy?), shown as a reliability curve, and when a calibrated model is kept instead."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RELIABILITY_BINS = 10
"""Equal-width probability bins of a reliability curve: 0-10%, 10-20%, ... 90-100%."""
CALIBRATION_MIN_BRIER_GAIN = 0.001
"""How much lower a calibrated model's mean backtest Brier score must be for it to be kept."""
CALIBRATION_AUC_TOLERANCE = 0.005
"""How much of the model's mean backtest ROC AUC a calibrated one may lose and still be kept."""
AS_FITTED = "none"
"""The name of the model as fitted, uncalibrated, among the calibrations compared."""


class CalibrationMethod(enum.StrEnum):
    SIGMOID = "sigmoid"
    """Platt scaling: a logistic curve from the model's score to the probability."""
    ISOTONIC = "isotonic"
    """A non-decreasing step function from the model's score to the probability: more flexible,
    needs more data."""


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """The clients whose predicted probability fell in [lower, upper) (the last bin includes 1)."""

    lower: float
    upper: float
    clients: int
    mean_probability: float | None
    """The mean predicted probability of the bin's clients; None for an empty bin."""
    buy_rate: float | None
    """The share of the bin's clients who bought; None for an empty bin."""


@dataclass(frozen=True, slots=True)
class Reliability:
    """Predicted against observed buy rate, bin by bin: a perfectly calibrated model's bins lie on the
    diagonal (mean probability = buy rate)."""

    bins: tuple[ReliabilityBin, ...]
    brier: float | None
    """The mean squared difference between probability and outcome (0 is perfect); None with no client."""

    @property
    def clients(self) -> int:
        return sum(b.clients for b in self.bins)

    def records(self) -> list[dict[str, Any]]:
        """The bins as plain records, as a model run stores them."""
        return [
            {
                "lower": b.lower,
                "upper": b.upper,
                "clients": b.clients,
                "mean_probability": b.mean_probability,
                "buy_rate": b.buy_rate,
            }
            for b in self.bins
        ]

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]], brier: float | None) -> Reliability:
        return cls(tuple(ReliabilityBin(**record) for record in records), brier)


def bin_of(probability: float, bins: int = RELIABILITY_BINS) -> int:
    """The bin a probability falls in; 1 in the last one."""
    return min(int(probability * bins), bins - 1)


def reliability(
    probabilities: Sequence[float], bought: Sequence[bool], bins: int = RELIABILITY_BINS
) -> Reliability:
    """The reliability curve and Brier score of (probability, bought) pairs."""
    members: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for probability, outcome in zip(probabilities, bought, strict=True):
        members[bin_of(probability, bins)].append((probability, outcome))
    return Reliability(
        tuple(_bin(index, bins, pairs) for index, pairs in enumerate(members)),
        brier_score(probabilities, bought),
    )


def _bin(index: int, bins: int, pairs: list[tuple[float, bool]]) -> ReliabilityBin:
    count = len(pairs)
    return ReliabilityBin(
        lower=index / bins,
        upper=(index + 1) / bins,
        clients=count,
        mean_probability=sum(p for p, _ in pairs) / count if count else None,
        buy_rate=sum(b for _, b in pairs) / count if count else None,
    )


def brier_score(probabilities: Sequence[float], bought: Sequence[bool]) -> float | None:
    """The mean of (probability - outcome)², outcome 1 for a buyer; None with no client."""
    if not probabilities:
        return None
    return sum((p - b) ** 2 for p, b in zip(probabilities, bought, strict=True)) / len(probabilities)


@dataclass(frozen=True, slots=True)
class CalibrationScore:
    """A model's mean Brier score and ROC AUC over the backtest's test months."""

    brier: float
    roc_auc: float | None


def choose_calibration(
    as_fitted: CalibrationScore, calibrated: Mapping[CalibrationMethod, CalibrationScore]
) -> CalibrationMethod | None:
    """The calibration with the lowest Brier score among those that lower the model's own by at least
    CALIBRATION_MIN_BRIER_GAIN and lose at most CALIBRATION_AUC_TOLERANCE of its ROC AUC; None (keep the
    model as fitted) when none does."""
    helping = [(score.brier, method) for method, score in calibrated.items() if _helps(score, as_fitted)]
    return min(helping)[1] if helping else None


def _helps(score: CalibrationScore, as_fitted: CalibrationScore) -> bool:
    if score.brier > as_fitted.brier - CALIBRATION_MIN_BRIER_GAIN + 1e-12:
        return False
    if as_fitted.roc_auc is None or score.roc_auc is None:
        return as_fitted.roc_auc is None
    return score.roc_auc >= as_fitted.roc_auc - CALIBRATION_AUC_TOLERANCE - 1e-12
