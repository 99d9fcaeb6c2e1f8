"""What the models say about a client, and the business threshold that turns a probability into a yes/no."""

from __future__ import annotations

import enum
import math
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidValue
from domain.tiers import expected_value

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


@dataclass(frozen=True, slots=True)
class ScoredBatch:
    """Both predictions of many clients made at one moment, column by column: how batch scoring
    stores hundreds of thousands of them without an object per client. Position i of every column is
    one client's."""

    client_ids: array
    observed_on: array
    """The ordinal (`date.toordinal()`) of the snapshot each client was scored from."""
    forecasts: array
    """Sales in the company's currency, to the grosz, never below zero."""
    probabilities: array
    will_buy: list[bool]
    expected_values: array
    """What contacting each client is worth (`domain.tiers.expected_value`), to the grosz's forecast."""
    threshold: DecisionThreshold
    sales_version: int
    purchase_version: int
    made_at: datetime

    @classmethod
    def of(
        cls,
        client_ids: Sequence[float],
        observed_on: Sequence[float],
        sales: Sequence[float],
        chances: Sequence[float],
        threshold: DecisionThreshold,
        versions: tuple[int, int],
        made_at: datetime,
    ) -> ScoredBatch:
        """What the models said (`sales`, `chances`) turned into predictions: a forecast is never
        negative and is kept to the grosz, a chance at or above the threshold is a yes."""
        forecasts = array("d", (round(max(0.0, value), 2) for value in sales))
        probabilities = array("d", chances)
        return cls(
            array("q", (int(client_id) for client_id in client_ids)),
            array("q", (int(day) for day in observed_on)),
            forecasts,
            probabilities,
            [threshold.decide(p) for p in probabilities],
            array("d", map(expected_value, probabilities, forecasts)),
            threshold,
            *versions,
            made_at,
        )

    def __len__(self) -> int:
        return len(self.client_ids)

    def as_predictions(self) -> tuple[list[SalesForecast], list[PurchasePrediction]]:
        """The same predictions one object per client."""
        days = [date.fromordinal(day) for day in self.observed_on]
        forecasts = [
            SalesForecast(client_id, value, self.sales_version, self.made_at, observed_on=day)
            for client_id, value, day in zip(self.client_ids, self.forecasts, days, strict=True)
        ]
        predictions = [
            PurchasePrediction(
                client_id,
                probability,
                will_buy,
                self.threshold.value,
                self.purchase_version,
                self.made_at,
                observed_on=day,
                expected_value=worth,
            )
            for client_id, probability, will_buy, worth, day in zip(
                self.client_ids, self.probabilities, self.will_buy, self.expected_values, days, strict=True
            )
        ]
        return forecasts, predictions


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
