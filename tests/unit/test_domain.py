"""Rules of the domain that hold whatever entrypoint a value came through."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.activity import ActivitySnapshot
from domain.clients import NAME_MAX_LENGTH, Client, email_key, months_between
from domain.errors import InvalidValue
from domain.predictions import DecisionThreshold, PurchasePrediction, in_probability
from domain.segments import Segment, SegmentRule
from domain.users import Permission, Role, User
from unit.conftest import SNAPSHOT


def a_client(**changes: Any) -> Client:
    return replace(Client("Anna", "Nowak", "anna.nowak@example.com", date(2023, 1, 15)), **changes)


def a_snapshot(**changes: Any) -> ActivitySnapshot:
    fields = {**SNAPSHOT, "observed_on": date.fromisoformat(SNAPSHOT["observed_on"])}
    return replace(ActivitySnapshot(client_id=1, **fields), **changes)


# --- clients -----------------------------------------------------------------------------------


def test_emails_compare_regardless_of_case_and_surrounding_space() -> None:
    assert email_key("  Anna.Nowak@Example.COM ") == email_key("anna.nowak@example.com")


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2023, 1, 15), date(2023, 1, 31), 0),
        (date(2023, 1, 15), date(2023, 2, 14), 0),
        (date(2023, 1, 15), date(2023, 2, 15), 1),
        (date(2023, 1, 31), date(2024, 2, 29), 12),
        (date(2023, 1, 15), date(2025, 3, 20), 26),
        (date(2024, 5, 1), date(2024, 1, 1), 0),
    ],
)
def test_tenure_counts_whole_calendar_months(start: date, end: date, months: int) -> None:
    assert months_between(start, end) == months


def test_tenure_is_derived_at_the_time_of_each_observation() -> None:
    client = a_client(registered_on=date(2023, 1, 15))

    assert client.tenure_months(date(2023, 7, 15)) == 6
    assert client.tenure_months(date(2024, 7, 15)) == 18


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize("value", ["", "   ", "x" * (NAME_MAX_LENGTH + 1)])
def test_a_client_needs_a_name_of_sensible_length(field: str, value: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        a_client(**{field: value})

    assert refused.value.field == field


@pytest.mark.parametrize("email", ["", "anna", "anna@", "@example.com", "anna@example", "an na@example.com"])
def test_a_client_needs_an_email_address(email: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        a_client(email=email)

    assert refused.value.field == "email"


def test_changing_a_client_checks_the_new_values_too() -> None:
    with pytest.raises(InvalidValue) as refused:
        a_client().with_changes(last_name=" ")

    assert refused.value.field == "last_name"


# --- activity snapshots ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["purchases_30d", "site_visits_30d", "visits_7d", "ad_clicks_7d", "days_since_last_purchase"]
)
def test_counts_are_not_negative(field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        a_snapshot(**{field: -1})

    assert refused.value.field == field


@pytest.mark.parametrize("field", ["purchases_30d", "site_visits_30d", "visits_7d", "ad_clicks_7d"])
@pytest.mark.parametrize("value", [1.5, True, "3"])
def test_counts_are_whole_numbers(field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        a_snapshot(**{field: value})

    assert refused.value.field == field


@pytest.mark.parametrize("field", ["avg_basket_value", "time_on_site_7d", "sales_next_month"])
@pytest.mark.parametrize("value", [-0.01, math.nan, math.inf, -math.inf])
def test_money_and_minutes_are_finite_and_not_negative(field: str, value: float) -> None:
    with pytest.raises(InvalidValue) as refused:
        a_snapshot(**{field: value})

    assert refused.value.field == field


def test_a_week_is_part_of_the_month() -> None:
    with pytest.raises(InvalidValue) as refused:
        a_snapshot(visits_7d=10, site_visits_30d=9)

    assert refused.value.field == "visits_7d"


def test_a_client_with_no_purchase_and_no_last_purchase_never_bought() -> None:
    assert not a_snapshot(purchases_30d=0, days_since_last_purchase=None).has_purchase_history
    assert a_snapshot(purchases_30d=0, days_since_last_purchase=40).has_purchase_history
    assert a_snapshot(purchases_30d=1, days_since_last_purchase=None).has_purchase_history


def test_outcomes_fill_in_without_forgetting_one_already_known() -> None:
    snapshot = a_snapshot().with_outcomes(sales_next_month=250.0, purchased_next_14d=None)

    later = snapshot.with_outcomes(sales_next_month=None, purchased_next_14d=True)

    assert (later.sales_next_month, later.purchased_next_14d) == (250.0, True)
    assert later.has_known_sales and later.has_known_purchase


def test_a_snapshot_awaits_its_outcomes_until_they_are_known() -> None:
    snapshot = a_snapshot()

    assert not snapshot.has_known_sales and not snapshot.has_known_purchase


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    purchases=st.integers(-5, 50),
    basket=st.floats(allow_nan=True, allow_infinity=True),
    visits_30d=st.integers(-5, 200),
    visits_7d=st.integers(-5, 200),
    days=st.none() | st.integers(-5, 5000),
    minutes=st.floats(allow_nan=True, allow_infinity=True),
)
def test_a_snapshot_is_either_valid_or_refused_naming_its_field(
    purchases: int, basket: float, visits_30d: int, visits_7d: int, days: int | None, minutes: float
) -> None:
    try:
        snapshot = a_snapshot(
            purchases_30d=purchases,
            avg_basket_value=basket,
            site_visits_30d=visits_30d,
            visits_7d=visits_7d,
            days_since_last_purchase=days,
            time_on_site_7d=minutes,
        )
    except InvalidValue as refused:
        assert refused.field in {
            "purchases_30d",
            "avg_basket_value",
            "site_visits_30d",
            "visits_7d",
            "days_since_last_purchase",
            "time_on_site_7d",
        }
        return
    assert 0 <= snapshot.visits_7d <= snapshot.site_visits_30d
    assert math.isfinite(snapshot.avg_basket_value) and snapshot.avg_basket_value >= 0
    assert math.isfinite(snapshot.time_on_site_7d) and snapshot.time_on_site_7d >= 0


# --- users and thresholds ----------------------------------------------------------------------


def test_an_admin_may_do_everything_and_an_analyst_may_not_train_or_manage() -> None:
    admin = User("boss@example.com", "hash", Role.ADMIN)
    analyst = User("ola@example.com", "hash", Role.ANALYST)

    assert all(admin.can(p) for p in Permission)
    assert analyst.can(Permission.EDIT_CLIENTS) and analyst.can(Permission.RUN_PREDICTIONS)
    assert not any(
        analyst.can(p)
        for p in (Permission.TRAIN_MODELS, Permission.CHANGE_THRESHOLD, Permission.MANAGE_USERS)
    )


def test_a_deactivated_user_may_do_nothing() -> None:
    user = User("boss@example.com", "hash", Role.ADMIN).deactivated()

    assert not any(user.can(p) for p in Permission)


def test_a_user_needs_an_email_address() -> None:
    with pytest.raises(InvalidValue) as refused:
        User("boss", "hash", Role.ADMIN)

    assert refused.value.field == "email"


def test_the_default_threshold_is_seventy_percent_inclusive() -> None:
    threshold = DecisionThreshold()

    assert threshold.value == 0.70
    assert threshold.decide(0.70) and not threshold.decide(0.6999)


@pytest.mark.parametrize("value", [0.0, 1.0, -0.1, 1.5, math.nan, math.inf, True])
def test_a_threshold_lies_strictly_between_zero_and_one(value: float) -> None:
    with pytest.raises(InvalidValue) as refused:
        DecisionThreshold(value)

    assert refused.value.field == "threshold"


@pytest.mark.parametrize("probability", [-0.01, 1.01])
def test_a_probability_lies_between_zero_and_one(probability: float) -> None:
    with pytest.raises(InvalidValue) as refused:
        PurchasePrediction(1, probability, False, 0.7, 1, made_at=datetime(2024, 4, 1, tzinfo=UTC))

    assert refused.value.field == "probability"


def test_a_log_odds_effect_is_the_change_of_chance_it_makes_at_this_chance() -> None:
    # At 50% (log-odds 0) an effect of +ln(3) took the chance from 25% to 50%: +25 points.
    assert in_probability(0.5, [math.log(3), -math.log(3), 0.0]) == pytest.approx([0.25, -0.25, 0.0])
    # The same effect is worth less near the ends, and a chance of exactly 1 is still read.
    assert abs(in_probability(0.99, [math.log(3)])[0]) < 0.02
    assert in_probability(1.0, [1.0])[0] == pytest.approx(0.0, abs=1e-8)


@given(st.floats(0.001, 0.999), st.lists(st.floats(-8, 8), max_size=6))
def test_an_effect_in_probability_has_the_sign_of_its_log_odds_and_stays_within_the_chance(
    probability: float, effects: list[float]
) -> None:
    for effect, points in zip(effects, in_probability(probability, effects), strict=True):
        assert math.copysign(1, points) == math.copysign(1, effect) or abs(points) < 1e-12
        assert probability - 1 <= points <= probability


def test_segment_bands_fitted_to_forecasts_put_a_fifth_high_and_half_below_medium() -> None:
    forecasts = [float(value) for value in range(1, 1001)]  # 1 .. 1000

    rule = SegmentRule.fitted_to(forecasts)

    assert rule == SegmentRule(medium_from=500.0, high_from=800.0)
    shares = Counter(rule.segment_of(value) for value in forecasts)
    assert (shares[Segment.HIGH], shares[Segment.MEDIUM]) == (201, 300)


def test_fitted_bounds_are_rounded_to_two_significant_figures() -> None:
    rule = SegmentRule.fitted_to([12.345] * 8 + [768.4] * 5 + [31.27] * 7)
    assert rule is not None and (rule.medium_from, rule.high_from) == (31.0, 770.0)


@pytest.mark.parametrize("forecasts", [[10.0] * 19, [0.0] * 50, [7.0] * 100, [0.0] * 60 + [5.0] * 40])
def test_no_bands_are_fitted_to_too_few_or_too_alike_forecasts(forecasts: list[float]) -> None:
    assert SegmentRule.fitted_to(forecasts) is None
