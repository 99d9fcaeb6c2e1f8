"""What a purchase decision is worth: contacting each client the model selects costs money, each of
them who then buys brings some. The threshold that earns the most follows from the two amounts."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate


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
    """value_per_conversion x converted - cost_per_contact x contacted; on known outcomes, what the
    buyers contacted were worth, less the contacts' cost, divided by the clients."""


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


def realized_profit_curve(
    probabilities: Sequence[float],
    bought: Sequence[bool],
    worth: Sequence[float],
    cost_per_contact: float,
    thresholds: Iterable[float],
) -> list[ProfitPoint]:
    """What contacting the clients whose chance is at or above each threshold earned, per client: the
    worth of each selected client who then bought, less the cost of each contact. Each client has a
    worth of their own (what the sales model expected them to spend); a flat value per conversion is
    the case where every client is worth the same, and gives `profit_curve`'s arithmetic."""
    ranked = sorted(zip(probabilities, bought, worth, strict=True))
    chances = [chance for chance, _, _ in ranked]
    # At or after each rank: the buyers, and what they brought.
    buyers_from = _from_each_rank(float(b) for _, b, _ in ranked)
    brought_from = _from_each_rank(value if b else 0.0 for _, b, value in ranked)
    clients = len(ranked)
    points = []
    for threshold in thresholds:
        first = bisect_left(chances, threshold)
        selected = clients - first
        profit = brought_from[first] - cost_per_contact * selected
        points.append(
            ProfitPoint(
                threshold, *(_per(amount, clients) for amount in (selected, buyers_from[first], profit))
            )
        )
    return points


def _from_each_rank(amounts: Iterable[float]) -> list[float]:
    """The sum of the amounts at or after each rank, and 0 after the last."""
    return [0.0, *accumulate(reversed(list(amounts)))][::-1]


def _per(amount: float, clients: int) -> float:
    return amount / clients if clients else 0.0


def most_profitable(points: Sequence[ProfitPoint]) -> ProfitPoint:
    """Of a curve's points (at least one), the one of highest profit; of equal ones, the highest
    threshold (fewer contacts for the same profit)."""
    return max(points, key=lambda point: (round(point.profit_per_client, 12), point.threshold))


def nearest(points: Sequence[ProfitPoint], threshold: float) -> ProfitPoint:
    """Of a curve's points (at least one), the one whose threshold is closest to `threshold`."""
    return min(points, key=lambda point: abs(point.threshold - threshold))
