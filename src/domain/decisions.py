"""What a purchase decision is worth: contacting each client the model selects costs money, each of
them who then buys brings some. The threshold that earns the most follows from the two amounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ContactEconomics:
    cost_per_contact: float
    value_per_conversion: float


@dataclass(frozen=True, slots=True)
class ProfitPoint:
    """Contacting every client the model selects at `threshold`, per client of the test month."""

    threshold: float
    contacted: float
    """Share of clients contacted."""
    converted: float
    """Share of clients contacted who then bought."""
    profit_per_client: float
    """value_per_conversion x converted - cost_per_contact x contacted."""


def profit_curve(curve: Sequence[Mapping[str, float]], economics: ContactEconomics) -> list[ProfitPoint]:
    """The expected profit at each threshold of a model's test-month curve (its precision and the share
    of clients it selects at each threshold)."""
    points = []
    for point in curve:
        contacted = point["share_selected"]
        converted = contacted * point["precision"]
        profit = economics.value_per_conversion * converted - economics.cost_per_contact * contacted
        points.append(ProfitPoint(point["threshold"], contacted, converted, profit))
    return points


def most_profitable(points: Sequence[ProfitPoint]) -> ProfitPoint:
    """Of a curve's points (at least one), the one of highest profit; of equal ones, the highest
    threshold (fewer contacts for the same profit)."""
    return max(points, key=lambda point: (round(point.profit_per_client, 12), point.threshold))


def nearest(points: Sequence[ProfitPoint], threshold: float) -> ProfitPoint:
    """Of a curve's points (at least one), the one whose threshold is closest to `threshold`."""
    return min(points, key=lambda point: abs(point.threshold - threshold))
