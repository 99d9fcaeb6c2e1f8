"""Contact tiers: clients ranked by what contacting them is worth, in four tiers of fixed shares.

The expected value of contacting a client is its chance of buying within 14 days times its forecast
sales next month. Every batch scoring fits the cut points to the expected values of every client scored
(the 90th, 70th and 40th percentiles); a client scored alone later is placed by the cut points in force.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import InvalidValue


class ContactTier(enum.IntEnum):
    TOP = 1
    """The top 10% by expected value."""
    NEXT = 2
    """The next 20%."""
    THIRD = 3
    """The next 30%."""
    REST = 4
    """The remaining 40%."""


TIER_PERCENTILES = {ContactTier.TOP: 90, ContactTier.NEXT: 70, ContactTier.THIRD: 40}
"""Each tier above the rest starts above the expected value at this percentile."""


def expected_value(probability: float, forecast: float) -> float:
    """What contacting a client is worth: the purchase probability times the sales forecast."""
    return probability * forecast


def _nearest_rank(ordered: Sequence[float], percent: int) -> float:
    """The smallest of the sorted values at or below which at least `percent` % of them lie."""
    return ordered[max(1, math.ceil(percent * len(ordered) / 100)) - 1]


@dataclass(frozen=True, slots=True)
class TierCuts:
    """The expected values a client must be above to reach each tier: `top_above` (the 90th percentile
    of the batch it was fitted to), `next_above` (the 70th) and `third_above` (the 40th).

    A client at a cut point is in the tier below it, so equal expected values always share a tier and
    the tiers from the top never hold more than their shares of the batch together: the top at most
    10%, the top two at most 30%, the top three at most 60% (fewer where values tie, such as many
    clients worth nothing)."""

    top_above: float
    next_above: float
    third_above: float

    def __post_init__(self) -> None:
        cuts = (self.third_above, self.next_above, self.top_above)
        if not all(math.isfinite(cut) for cut in cuts) or not cuts[0] <= cuts[1] <= cuts[2]:
            raise InvalidValue("tiers", "tiers_out_of_order", "need finite third <= next <= top cut points")

    def tier_of(self, value: float | None) -> ContactTier | None:
        """The tier of a client worth `value`; None for a client without both predictions."""
        if value is None:
            return None
        for tier in (ContactTier.TOP, ContactTier.NEXT, ContactTier.THIRD):
            if value > self.above(tier):
                return tier
        return ContactTier.REST

    def above(self, tier: ContactTier) -> float:
        """The cut point a value must exceed to reach `tier` (the rest: minus infinity)."""
        return {
            ContactTier.TOP: self.top_above,
            ContactTier.NEXT: self.next_above,
            ContactTier.THIRD: self.third_above,
            ContactTier.REST: -math.inf,
        }[tier]

    def bounds(self, tier: ContactTier) -> tuple[float | None, float | None]:
        """The range (low, high] of the expected values in `tier`; None where it is open."""
        high = None if tier is ContactTier.TOP else self.above(ContactTier(tier - 1))
        return (None if tier is ContactTier.REST else self.above(tier)), high

    @classmethod
    def fitted_to(cls, values: Sequence[float]) -> TierCuts | None:
        """The cut points of these expected values, each percentile by the nearest rank; None without
        any value."""
        if not values:
            return None
        ordered = sorted(values)
        top, following, third = (_nearest_rank(ordered, TIER_PERCENTILES[tier]) for tier in TIER_PERCENTILES)
        return cls(top, following, third)
