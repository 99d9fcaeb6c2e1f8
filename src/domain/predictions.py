"""What the models say about a client, and the business threshold that turns a probability into a yes/no."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidValue

DEFAULT_THRESHOLD = 0.70
PROBABILITY_FLOOR = 1e-9
"""A chance is kept this far from 0 and 1 where its log-odds are taken."""
THRESHOLD_TOLERANCE = 1e-9
"""Two thresholds closer than this are the same one (a float read back from the database)."""


class ModelKind(enum.Enum):
    SALES = "sales"
    PURCHASE = "purchase"


@dataclass(frozen=True, slots=True)
class DecisionThreshold:
    """Probability at or above which a client is expected to buy within 14 days."""

    value: float = DEFAULT_THRESHOLD

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise InvalidValue("threshold", "float_type", "must be a number")
        if not math.isfinite(self.value) or not 0.0 < self.value < 1.0:
            raise InvalidValue("threshold", "probability_range", "must be strictly between 0 and 1")

    def decide(self, probability: float) -> bool:
        return probability >= self.value


@dataclass(frozen=True, slots=True)
class SalesForecast:
    client_id: int
    value: float
    model_version: int
    made_at: datetime
    id: int | None = None
    observed_on: date | None = None
    """The date of the snapshot it was made from (None for one made before that was recorded)."""


@dataclass(frozen=True, slots=True)
class PurchasePrediction:
    client_id: int
    probability: float
    will_buy: bool
    threshold: float
    model_version: int
    made_at: datetime
    id: int | None = None
    observed_on: date | None = None
    """The date of the snapshot it was made from (None for one made before that was recorded)."""
    expected_value: float | None = None
    """What contacting the client was worth: this probability times the forecast made with it, to the
    grosz (`domain.tiers.expected_value`); None for one made before that was recorded."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise InvalidValue("probability", "probability_range", "must be between 0 and 1")


class OutOfDate(enum.StrEnum):
    """Why a client's current prediction no longer says what scoring the client now would say."""

    NEWER_SNAPSHOT = "newer_snapshot"
    """A snapshot newer than the one it was made from has arrived."""
    SALES_MODEL_CHANGED = "sales_model_changed"
    """Another version of the sales model is active now."""
    PURCHASE_MODEL_CHANGED = "purchase_model_changed"
    """Another version of the purchase model is active now."""
    THRESHOLD_CHANGED = "threshold_changed"
    """The yes/no was decided at a threshold no longer in force."""


def out_of_date(
    forecast: SalesForecast,
    purchase: PurchasePrediction,
    newest_observed_on: date | None,
    active_versions: Mapping[ModelKind, int | None],
    threshold: DecisionThreshold,
) -> tuple[OutOfDate, ...]:
    """Every reason why a client's current predictions are out of date; none when they are current."""
    made_from = forecast.observed_on
    reasons = {
        OutOfDate.NEWER_SNAPSHOT: made_from is not None
        and newest_observed_on is not None
        and newest_observed_on > made_from,
        OutOfDate.SALES_MODEL_CHANGED: active_versions.get(ModelKind.SALES)
        not in (None, forecast.model_version),
        OutOfDate.PURCHASE_MODEL_CHANGED: active_versions.get(ModelKind.PURCHASE)
        not in (None, purchase.model_version),
        OutOfDate.THRESHOLD_CHANGED: abs(purchase.threshold - threshold.value) > THRESHOLD_TOLERANCE,
    }
    return tuple(reason for reason, applies in reasons.items() if applies)


def in_probability(probability: float, log_odds_effects: Sequence[float]) -> list[float]:
    """Effects on a purchase chance's log-odds as changes of the chance itself (0.05: 5 percentage
    points): the chance minus the one it would be without that effect."""
    clipped = min(max(probability, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR)
    log_odds = math.log(clipped / (1 - clipped))
    return [probability - 1 / (1 + math.exp(effect - log_odds)) for effect in log_odds_effects]
