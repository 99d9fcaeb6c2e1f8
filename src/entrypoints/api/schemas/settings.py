"""Business settings: the decision threshold and the segment bands."""

from __future__ import annotations

from pydantic import Field

from domain.segments import Segment, SegmentRule
from entrypoints.api.schemas.base import Schema


class ThresholdOut(Schema):
    threshold: float = Field(gt=0, lt=1, description="Probability from which a client counts as a buyer.")


class SegmentBandOut(Schema):
    segment: Segment
    from_amount: float | None = Field(description="Inclusive lower bound; null: open.")
    below_amount: float | None = Field(description="Exclusive upper bound; null: open.")


class SegmentRuleOut(Schema):
    """Segments by forecast sales next month, PLN."""

    medium_from: float
    high_from: float
    bands: list[SegmentBandOut]
    description: str

    @classmethod
    def of(cls, rule: SegmentRule) -> SegmentRuleOut:
        bands = [
            SegmentBandOut(segment=segment, from_amount=low, below_amount=high)
            for segment in Segment
            for low, high in [rule.bounds(segment)]
        ]
        description = (
            f"high: forecast of {rule.high_from:g} PLN or more; medium: from {rule.medium_from:g} "
            f"up to {rule.high_from:g} PLN; low: below {rule.medium_from:g} PLN"
        )
        return cls.reading(rule, bands=bands, description=description)
