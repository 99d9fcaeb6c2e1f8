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
    realized_profit_curve,
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


THRESHOLDS = st.lists(st.sampled_from([0.1, 0.25, 0.3, 0.5, 0.7, 0.9]), min_size=1, max_size=6)


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans(), st.floats(0, 5_000)), max_size=60), THRESHOLDS)
def test_known_outcomes_earn_the_worth_of_the_selected_buyers_less_the_contacts(
    rows: list[tuple[float, bool, float]], thresholds: list[float]
) -> None:
    probabilities, bought, worth = ([row[i] for row in rows] for i in range(3))

    points = realized_profit_curve(probabilities, bought, worth, 7.0, thresholds)

    for threshold, point in zip(thresholds, points, strict=True):
        selected = [(b, value) for p, b, value in rows if p >= threshold]
        brought = sum(value for b, value in selected if b)
        assert point.threshold == threshold
        assert point.contacted == pytest.approx(len(selected) / len(rows) if rows else 0.0)
        assert point.converted == pytest.approx(sum(b for b, _ in selected) / len(rows) if rows else 0.0)
        expected = (brought - 7.0 * len(selected)) / len(rows) if rows else 0.0
        assert point.profit_per_client == pytest.approx(expected, abs=1e-6)


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans(), st.floats(0, 5_000)), min_size=1, max_size=40))
def test_the_best_realized_threshold_is_the_one_a_brute_force_search_finds(
    rows: list[tuple[float, bool, float]],
) -> None:
    probabilities, bought, worth = ([row[i] for row in rows] for i in range(3))
    thresholds = [0.1 * step for step in range(1, 10)]

    best = most_profitable(realized_profit_curve(probabilities, bought, worth, 12.0, thresholds))

    def earned(threshold: float) -> float:
        selected = [(b, value) for p, b, value in rows if p >= threshold]
        return sum(value for b, value in selected if b) - 12.0 * len(selected)

    assert earned(best.threshold) == pytest.approx(max(earned(t) for t in thresholds), abs=1e-6)


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), max_size=60), THRESHOLDS, st.floats(1, 5_000))
def test_clients_all_worth_the_same_are_priced_as_a_flat_value_per_conversion(
    rows: list[tuple[float, bool]], thresholds: list[float], value: float
) -> None:
    probabilities, bought = [p for p, _ in rows], [b for _, b in rows]

    each = realized_profit_curve(probabilities, bought, [value] * len(rows), 5.0, thresholds)
    flat = profit_curve(
        [
            {
                "threshold": point.threshold,
                "share_selected": point.contacted,
                "precision": point.converted / point.contacted if point.contacted else 0.0,
            }
            for point in each
        ],
        ContactEconomics(5.0, value),
    )

    for one, other in zip(each, flat, strict=True):
        assert one.profit_per_client == pytest.approx(other.profit_per_client, abs=1e-6)


def test_known_outcomes_are_priced_by_the_same_rule_as_the_hold_out() -> None:
    probabilities = [0.9, 0.8, 0.6, 0.4, 0.2]
    bought = [True, False, True, False, False]

    points = realized_profit_curve(probabilities, bought, [100.0] * 5, 10, [0.5, 0.7])

    # at 0.5: 3 of 5 contacted (cost 6 per client), 2 of 5 bought (40): 34; at 0.7: 2 contacted, 1 bought: 16
    assert [p.profit_per_client for p in points] == pytest.approx([34.0, 16.0])


def test_a_buyer_is_worth_their_own_forecast() -> None:
    probabilities = [0.9, 0.8, 0.6, 0.4, 0.2]
    bought = [True, False, True, False, False]
    forecasts = [300.0, 50.0, 20.0, 900.0, 10.0]

    points = realized_profit_curve(probabilities, bought, forecasts, 10, [0.5, 0.7])

    # at 0.5: (300 + 20 - 10 x 3) / 5 = 58; at 0.7: (300 - 10 x 2) / 5 = 56
    assert [p.profit_per_client for p in points] == pytest.approx([58.0, 56.0])
    assert most_profitable(points).threshold == 0.5
