"""The domain's bands as SQL conditions: a forecast's segment, a contact worth's tier."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_

from domain.segments import Segment, SegmentRule
from domain.tiers import ContactTier, TierCuts


def in_segment(value: ColumnElement[Any], rule: SegmentRule, segment: Segment) -> ColumnElement[bool]:
    """A forecast value falls in a segment's PLN range [low, high) under `rule`; NULL falls in none."""
    low, high = rule.bounds(segment)
    conditions: list[ColumnElement[bool]] = [value.is_not(None)]
    if low is not None:
        conditions.append(value >= low)
    if high is not None:
        conditions.append(value < high)
    return and_(*conditions)


def in_tier(value: ColumnElement[Any], tiers: TierCuts, tier: ContactTier) -> ColumnElement[bool]:
    """An expected value falls in the tier's range (low, high] (`TierCuts.bounds`); NULL in none."""
    low, high = tiers.bounds(tier)
    conditions: list[ColumnElement[bool]] = [value.is_not(None)]
    if low is not None:
        conditions.append(value > low)
    if high is not None:
        conditions.append(value <= high)
    return and_(*conditions)
