import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activity import ActivitySnapshot
from domain.columns import SnapshotColumns
from domain.errors import InvalidValue
from domain.features import (
    NEVER_BOUGHT,
    NEVER_BOUGHT_DAYS,
    PURCHASE_FEATURES,
    SALES_FEATURES,
    feature_set,
    never_bought_as_one,
    targets,
)
from domain.predictions import DecisionThreshold, ModelKind
from domain.segments import Segment, SegmentRule

counts = st.integers(min_value=0, max_value=10_000)
amounts = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)


@st.composite
def snapshots(draw: st.DrawFn) -> ActivitySnapshot:
    site_visits = draw(counts)
    return ActivitySnapshot(
        client_id=1,
        observed_on=draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 1, 1))),
        purchases_30d=draw(counts),
        avg_basket_value=draw(amounts),
        site_visits_30d=site_visits,
        days_since_last_purchase=draw(st.none() | st.integers(min_value=0, max_value=3650)),
        visits_7d=draw(st.integers(min_value=0, max_value=site_visits)),
        newsletter_opened=draw(st.booleans()),
        ad_clicks_7d=draw(counts),
        time_on_site_7d=draw(st.floats(min_value=0, max_value=10_080)),
        sales_next_month=draw(st.none() | amounts),
        purchased_next_14d=draw(st.none() | st.booleans()),
    )


@given(snapshots(), st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 1, 1)))
def test_feature_rows_follow_the_one_definition_in_order(snapshot, registered_on) -> None:
    sales = SALES_FEATURES.row(snapshot, registered_on)
    purchase = PURCHASE_FEATURES.row(snapshot, registered_on)
    assert len(sales) == len(SALES_FEATURES.names) == 5
    assert len(purchase) == len(PURCHASE_FEATURES.names) == 5
    assert all(value >= 0 for value in sales + purchase)
    assert sales[0] == snapshot.purchases_30d and purchase[0] == snapshot.visits_7d
    expected_days = (
        NEVER_BOUGHT_DAYS if snapshot.days_since_last_purchase is None else snapshot.days_since_last_purchase
    )
    assert sales[3] == expected_days
    assert purchase[3] == float(snapshot.has_purchase_history)


def test_tenure_is_whole_months_from_registration_to_the_observation() -> None:
    snapshot = ActivitySnapshot(1, date(2026, 3, 14), 0, 0.0, 0, None, 0, False, 0, 0.0)
    assert SALES_FEATURES.row(snapshot, date(2025, 3, 15))[4] == 11
    assert SALES_FEATURES.row(snapshot, date(2025, 3, 14))[4] == 12
    assert SALES_FEATURES.row(snapshot, date(2026, 5, 1))[4] == 0


@given(snapshots())
def test_targets_are_the_known_outcomes(snapshot) -> None:
    data = SnapshotColumns.of([(snapshot, date(2020, 1, 1))])
    [sales] = targets(ModelKind.SALES, data)
    [purchase] = targets(ModelKind.PURCHASE, data)
    assert math.isnan(sales) if snapshot.sales_next_month is None else sales == snapshot.sales_next_month
    assert (
        math.isnan(purchase)
        if snapshot.purchased_next_14d is None
        else purchase == float(snapshot.purchased_next_14d)
    )
    assert feature_set(ModelKind.PURCHASE) is PURCHASE_FEATURES


@given(
    st.floats(min_value=0.001, max_value=0.999),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_a_decision_is_yes_exactly_when_the_probability_reaches_the_threshold(threshold, probability) -> None:
    assert DecisionThreshold(threshold).decide(probability) is (probability >= threshold)


@given(
    st.floats(min_value=0.05, max_value=0.95),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
)
def test_raising_the_threshold_never_turns_a_no_into_a_yes(threshold, probability, raise_by) -> None:
    higher = min(0.999, threshold + raise_by * (0.999 - threshold))
    if not DecisionThreshold(threshold).decide(probability):
        assert not DecisionThreshold(higher).decide(probability)


@pytest.mark.parametrize("value", [0, 1, -0.1, 1.5, float("nan"), float("inf"), True])
def test_a_threshold_must_lie_strictly_between_zero_and_one(value) -> None:
    with pytest.raises(InvalidValue) as error:
        DecisionThreshold(value)
    assert error.value.field == "threshold"


def test_segments_follow_the_pln_bands_read_in_words() -> None:
    rule = SegmentRule(medium_from=300, high_from=1000)
    assert [rule.segment_of(v) for v in (0, 299.99, 300, 999.99, 1000, 5000)] == [
        Segment.LOW,
        Segment.LOW,
        Segment.MEDIUM,
        Segment.MEDIUM,
        Segment.HIGH,
        Segment.HIGH,
    ]
    assert rule.bounds(Segment.MEDIUM) == (300, 1000)
    with pytest.raises(InvalidValue):
        SegmentRule(medium_from=1000, high_from=300)


def test_the_purchase_history_of_a_client_who_never_bought_is_one_effect_their_sum() -> None:
    effects = [
        ("visits_7d", 3.0, 0.5),
        ("purchases_30d", 0.0, -2.0),
        ("days_since_last_purchase", 365.0, 1.5),
    ]

    merged = never_bought_as_one(effects)

    assert merged[1] == ("visits_7d", 3.0, 0.5)
    assert merged[0][0] == NEVER_BOUGHT and math.isnan(merged[0][1]) and merged[0][2] == pytest.approx(-0.5)
    assert sum(effect for *_, effect in merged) == pytest.approx(sum(effect for *_, effect in effects))


def test_effects_without_a_purchase_history_feature_are_left_as_they_are() -> None:
    effects = [("visits_7d", 3.0, 0.5), ("time_on_site_7d", 1.0, -0.2)]
    assert never_bought_as_one(effects) == effects
