"""Business settings: the decision threshold, the segment bands and the currency."""

from __future__ import annotations

from pydantic import Field

from domain.currency import Currency
from domain.segments import Segment, SegmentRule
from entrypoints.api.schemas.base import Schema


class ThresholdOut(Schema):
    threshold: float = Field(gt=0, lt=1, description="Probability from which a client counts as a buyer.")


class SegmentBandOut(Schema):
    segment: Segment
    from_amount: float | None = Field(description="Inclusive lower bound; null: open.")
    below_amount: float | None = Field(description="Exclusive upper bound; null: open.")


class CurrencyOut(Schema):
    """What every amount is in: baskets, sales, forecasts, segment bands."""

    currency: str = Field(description="ISO 4217 code.", examples=["PLN"])

    @classmethod
    def of(cls, currency: Currency) -> CurrencyOut:
        return cls(currency=currency.code)


class SegmentRuleOut(Schema):
    """Segments by forecast sales next month, in the company's currency (`/settings/currency`)."""

    medium_from: float
    high_from: float
    bands: list[SegmentBandOut]
    description: str

    @classmethod
    def of(cls, rule: SegmentRule, currency: Currency) -> SegmentRuleOut:
        bands = [
            SegmentBandOut(segment=segment, from_amount=low, below_amount=high)
            for segment in Segment
            for low, high in [rule.bounds(segment)]
        ]
        code = currency.code
        description = (
            f"high: forecast of {rule.high_from:g} {code} or more; medium: from {rule.medium_from:g} "
            f"up to {rule.high_from:g} {code}; low: below {rule.medium_from:g} {code}"
        )
        return cls.reading(rule, bands=bands, description=description)
