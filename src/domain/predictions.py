"""What the models say about a client, and the business threshold that turns a probability into a yes/no."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidValue

DEFAULT_THRESHOLD = 0.70


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


@dataclass(frozen=True, slots=True)
class PurchasePrediction:
    client_id: int
    probability: float
    will_buy: bool
    threshold: float
    model_version: int
    made_at: datetime
    id: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise InvalidValue("probability", "probability_range", "must be between 0 and 1")
