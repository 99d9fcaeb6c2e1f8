"""Segments by forecast sales: one rule, readable in words, used by every view and the API."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.errors import InvalidValue


class Segment(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


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

    def bounds(self, segment: Segment) -> tuple[float | None, float | None]:
        """The PLN range [low, high) of a segment; None where it is open."""
        return {
            Segment.HIGH: (self.high_from, None),
            Segment.MEDIUM: (self.medium_from, self.high_from),
            Segment.LOW: (None, self.medium_from),
        }[segment]
