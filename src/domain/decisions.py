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


def threshold_curve(
    probabilities: Sequence[float], bought: Sequence[bool], thresholds: Iterable[float]
) -> list[dict[str, float]]:
    """What selecting the clients whose chance is at or above each threshold did, in the shape of a
    model's test-month curve: the share selected, and the precision and recall of the selection (0 when
    nobody was selected, or nobody bought). The curve of predictions whose outcomes are known, so that
    `profit_curve` prices them as it prices the hold-out's."""
    ranked = sorted(zip(probabilities, bought, strict=True))
    chances = [chance for chance, _ in ranked]
    buyers_from = [0, *accumulate(int(b) for _, b in reversed(ranked))][::-1]  # at or after each rank
    clients, buyers = len(ranked), buyers_from[0]
    curve = []
    for threshold in thresholds:
        first = bisect_left(chances, threshold)
        selected, hits = clients - first, buyers_from[first]
        curve.append(
            {
                "threshold": threshold,
                "precision": hits / selected if selected else 0.0,
                "recall": hits / buyers if buyers else 0.0,
                "share_selected": selected / clients if clients else 0.0,
            }
        )
    return curve


def most_profitable(points: Sequence[ProfitPoint]) -> ProfitPoint:
    """Of a curve's points (at least one), the one of highest profit; of equal ones, the highest
    threshold (fewer contacts for the same profit)."""
    return max(points, key=lambda point: (round(point.profit_per_client, 12), point.threshold))


def nearest(points: Sequence[ProfitPoint], threshold: float) -> ProfitPoint:
    """Of a curve's points (at least one), the one whose threshold is closest to `threshold`."""
    return min(points, key=lambda point: abs(point.threshold - threshold))
