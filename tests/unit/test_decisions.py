"""The decision threshold priced in money."""

from __future__ import annotations

import pytest

from domain.decisions import ContactEconomics, ProfitPoint, most_profitable, nearest, profit_curve

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
