"""Segments by forecast sales: one rule, readable in words, used by every view and the API."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import InvalidValue


class Segment(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


MIN_FORECASTS_TO_FIT = 20
MEDIUM_FROM, HIGH_FROM = 0.5, 0.8
"""Where the fitted bands start, as shares of clients ranked by forecast."""


def _quantile(ordered: Sequence[float], share: float) -> float:
    """The value below which `share` of the sorted values lie (linear between neighbours)."""
    position = share * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _rounded(amount: float) -> float:
    """Two significant figures: 768.4 is 770, 31.2 is 31."""
    if amount <= 0:
        return 0.0
    return round(amount, 1 - math.floor(math.log10(amount)))


@dataclass(frozen=True, slots=True)
class SegmentRule:
    """PLN bands an admin sets: high from `high_from`, medium from `medium_from`, low below that."""

    medium_from: float = 300.0
    high_from: float = 1000.0

    def __post_init__(self) -> None:
        if not 0 < self.medium_from < self.high_from:
            raise InvalidValue("high_from", "bands_out_of_order", "need 0 < medium_from < high_from")

    def segment_of(self, forecast: float) -> Segment:
        if forecast >= self.high_from:
            return Segment.HIGH
        if forecast >= self.medium_from:
            return Segment.MEDIUM
        return Segment.LOW

    @classmethod
    def fitted_to(cls, forecasts: Sequence[float]) -> SegmentRule | None:
        """Bands that fit a company's forecasts: the top fifth of clients high, the next three tenths
        medium, the rest low, each bound rounded to two significant figures. None when the forecasts
        cannot be split so (too few of them, or too many alike)."""
        if len(forecasts) < MIN_FORECASTS_TO_FIT:
            return None
        ordered = sorted(forecasts)
        medium_from, high_from = (_rounded(_quantile(ordered, share)) for share in (MEDIUM_FROM, HIGH_FROM))
        if not 0 < medium_from < high_from:
            return None
        return cls(medium_from, high_from)

    def bounds(self, segment: Segment) -> tuple[float | None, float | None]:
        """The PLN range [low, high) of a segment; None where it is open."""
        return {
            Segment.HIGH: (self.high_from, None),
            Segment.MEDIUM: (self.medium_from, self.high_from),
            Segment.LOW: (None, self.medium_from),
        }[segment]
