"""Contact tiers: the expected value of contacting a client, and the cut points that rank it."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.tiers import ContactTier, TierCuts, expected_value

CUTS = TierCuts(top_above=900.0, next_above=500.0, third_above=100.0)


def test_the_expected_value_is_the_purchase_chance_times_the_forecast() -> None:
    assert expected_value(0.25, 1200.0) == 300.0


@pytest.mark.parametrize(
    ("value", "tier"),
    [
        (5000.0, ContactTier.TOP),
        (900.01, ContactTier.TOP),
        (900.0, ContactTier.NEXT),
        (500.01, ContactTier.NEXT),
        (500.0, ContactTier.THIRD),
        (100.01, ContactTier.THIRD),
        (100.0, ContactTier.REST),
        (0.0, ContactTier.REST),
    ],
)
def test_a_client_above_a_cut_point_reaches_its_tier_and_one_at_it_stays_below(
    value: float, tier: ContactTier
) -> None:
    assert CUTS.tier_of(value) is tier


def test_a_client_without_both_predictions_has_no_tier() -> None:
    assert CUTS.tier_of(None) is None


def test_each_tier_is_the_range_its_bounds_say() -> None:
    assert [CUTS.bounds(tier) for tier in ContactTier] == [
        (900.0, None),
        (500.0, 900.0),
        (100.0, 500.0),
        (None, 100.0),
    ]


def test_cut_points_out_of_order_are_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        TierCuts(top_above=100.0, next_above=500.0, third_above=50.0)
    assert refused.value.error.code == "tiers_out_of_order"


def test_there_are_no_cut_points_without_predictions() -> None:
    assert TierCuts.fitted_to([]) is None


def test_cut_points_are_the_90th_70th_and_40th_percentiles_by_nearest_rank() -> None:
    assert TierCuts.fitted_to([float(v) for v in range(1, 101)]) == TierCuts(90.0, 70.0, 40.0)


def test_fitted_tiers_hold_10_20_30_and_40_percent_of_distinct_values() -> None:
    values = [math.sqrt(v) for v in range(2000)]
    cuts = TierCuts.fitted_to(values)
    assert cuts is not None

    assert Counter(cuts.tier_of(v) for v in values) == {
        ContactTier.TOP: 200,
        ContactTier.NEXT: 400,
        ContactTier.THIRD: 600,
        ContactTier.REST: 800,
    }


def test_equal_values_share_a_tier_and_clients_worth_nothing_are_the_rest() -> None:
    values = [0.0] * 70 + [float(v) for v in range(1, 31)]
    cuts = TierCuts.fitted_to(values)
    assert cuts is not None

    assert Counter(cuts.tier_of(v) for v in values) == {
        ContactTier.TOP: 10,
        ContactTier.NEXT: 20,
        ContactTier.REST: 70,
    }


def test_one_client_alone_is_the_rest() -> None:
    cuts = TierCuts.fitted_to([250.0])
    assert cuts is not None and cuts.tier_of(250.0) is ContactTier.REST


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=300))
def test_the_top_tiers_together_never_hold_more_than_their_shares(values: list[float]) -> None:
    cuts = TierCuts.fitted_to(values)
    assert cuts is not None
    tiers = Counter(cuts.tier_of(v) for v in values)
    top, top_two = tiers[ContactTier.TOP], tiers[ContactTier.TOP] + tiers[ContactTier.NEXT]

    assert top <= 0.1 * len(values)
    assert top_two <= 0.3 * len(values)
    assert top_two + tiers[ContactTier.THIRD] <= 0.6 * len(values)
    assert sum(tiers.values()) == len(values)
