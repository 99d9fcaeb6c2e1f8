"""The decision threshold priced in money."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.decisions import (
    ContactEconomics,
    ProfitPoint,
    most_profitable,
    nearest,
    profit_curve,
    threshold_curve,
)

CURVE = [
    {"threshold": 0.3, "precision": 0.25, "recall": 0.9, "share_selected": 0.6},
    {"threshold": 0.5, "precision": 0.5, "recall": 0.7, "share_selected": 0.3},
    {"threshold": 0.7, "precision": 0.8, "recall": 0.3, "share_selected": 0.1},
]


def test_the_profit_at_a_threshold_is_what_the_conversions_bring_less_what_the_contacts_cost() -> None:
    points = profit_curve(CURVE, ContactEconomics(cost_per_contact=5, value_per_conversion=120))

    assert [p.contacted for p in points] == pytest.approx([0.6, 0.3, 0.1])
    assert [p.converted for p in points] == pytest.approx([0.15, 0.15, 0.08])
    # 120 x 0.15 - 5 x 0.6 = 15; 120 x 0.15 - 5 x 0.3 = 16.5; 120 x 0.08 - 5 x 0.1 = 9.1
    assert [p.profit_per_client for p in points] == pytest.approx([15.0, 16.5, 9.1])
    assert most_profitable(points).threshold == 0.5


def test_dear_contacts_move_the_best_threshold_up_and_free_ones_down() -> None:
    dear = profit_curve(CURVE, ContactEconomics(cost_per_contact=60, value_per_conversion=120))
    free = profit_curve(CURVE, ContactEconomics(cost_per_contact=0, value_per_conversion=120))

    assert most_profitable(dear).threshold == 0.7
    assert most_profitable(free).threshold == 0.5  # as many conversions as at 0.3: the higher one wins


def test_the_point_nearest_a_threshold_off_the_curve_stands_for_it() -> None:
    points = [ProfitPoint(t, 0.0, 0.0, 0.0) for t in (0.3, 0.5, 0.7)]
    assert nearest(points, 0.62).threshold == 0.7 and nearest(points, 0.41).threshold == 0.5


@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), max_size=60),
    st.lists(st.sampled_from([0.1, 0.25, 0.3, 0.5, 0.7, 0.9]), min_size=1, max_size=6),
)
def test_the_curve_of_known_outcomes_counts_what_each_threshold_selects(
    rows: list[tuple[float, bool]], thresholds: list[float]
) -> None:
    probabilities, bought = [p for p, _ in rows], [b for _, b in rows]

    curve = threshold_curve(probabilities, bought, thresholds)

    for threshold, point in zip(thresholds, curve, strict=True):
        selected = [b for p, b in rows if p >= threshold]
        assert point["threshold"] == threshold
        assert point["share_selected"] == pytest.approx(len(selected) / len(rows) if rows else 0.0)
        assert point["precision"] == pytest.approx(sum(selected) / len(selected) if selected else 0.0)
        assert point["recall"] == pytest.approx(sum(selected) / sum(bought) if any(bought) else 0.0)


def test_known_outcomes_are_priced_by_the_same_rule_as_the_hold_out() -> None:
    probabilities = [0.9, 0.8, 0.6, 0.4, 0.2]
    bought = [True, False, True, False, False]

    points = profit_curve(threshold_curve(probabilities, bought, [0.5, 0.7]), ContactEconomics(10, 100))

    # at 0.5: 3 of 5 contacted (cost 6 per client), 2 of 5 bought (40): 34; at 0.7: 2 contacted, 1 bought: 16
    assert [p.profit_per_client for p in points] == pytest.approx([34.0, 16.0])
