"""Realized metrics: by hand on a tiny example, and against scikit-learn's on random data."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    brier_score_loss,
    mean_absolute_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)

from domain.performance import falls_short, month_of, purchase_performance, roc_auc, sales_performance

money = st.floats(0, 10_000, allow_nan=False).map(lambda v: round(v, 2))
chances = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.7, 0.9, 1.0]) | st.floats(0, 1)


def test_sales_metrics_by_hand() -> None:
    performance = sales_performance([(100.0, 120.0), (50.0, 40.0), (0.0, 20.0)])

    assert performance.count == 3
    assert performance.mae == pytest.approx((20 + 10 + 20) / 3)
    # actual mean 60: spread 3600 + 400 + 1600 = 5600; squared errors 400 + 100 + 400 = 900
    assert performance.r2 == pytest.approx(1 - 900 / 5600)
    assert performance.revenue_bias == pytest.approx(150 / 180 - 1)
    assert (performance.forecast_total, performance.actual_total) == (150.0, 180.0)


def test_sales_metrics_left_undefined_say_so() -> None:
    one = sales_performance([(10.0, 0.0)])
    same_spend = sales_performance([(10.0, 0.0), (20.0, 0.0)])

    assert (one.r2, one.revenue_bias) == (None, None)
    assert same_spend.r2 is None
    assert same_spend.key_metric is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(money, money), min_size=2, max_size=60))
def test_sales_metrics_agree_with_scikit_learn(pairs: list[tuple[float, float]]) -> None:
    forecasts, actuals = [f for f, _ in pairs], [a for _, a in pairs]
    performance = sales_performance(pairs)

    assert performance.mae == pytest.approx(mean_absolute_error(actuals, forecasts))
    if len(set(actuals)) > 1:
        assert performance.r2 == pytest.approx(r2_score(actuals, forecasts), abs=1e-9)
    if sum(actuals) > 0:
        assert performance.revenue_bias == pytest.approx(sum(forecasts) / sum(actuals) - 1)


def test_purchase_metrics_by_hand() -> None:
    rows = [(0.9, True, True), (0.8, True, False), (0.4, False, True), (0.1, False, False)]

    performance = purchase_performance(rows)

    assert (performance.count, performance.base_rate) == (4, 0.5)
    assert (performance.precision, performance.recall) == (0.5, 0.5)
    # buyer/non-buyer pairs ranked right: (0.9 > 0.8), (0.9 > 0.1), (0.4 > 0.1); wrong: (0.4 < 0.8)
    assert performance.roc_auc == pytest.approx(3 / 4)
    assert performance.brier == pytest.approx((0.01 + 0.64 + 0.36 + 0.01) / 4)
    firsts = performance.deciles[:4]
    assert [tenth.clients for tenth in performance.deciles] == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert [tenth.buyer_share for tenth in firsts] == [1.0, 0.0, 1.0, 0.0]
    assert [tenth.lift for tenth in firsts] == [2.0, 0.0, 2.0, 0.0]
    assert performance.deciles[-1].buyer_share is None


def test_each_prediction_is_judged_at_its_own_threshold() -> None:
    # The same chance said yes at a threshold of 0.5 and no at 0.7.
    performance = purchase_performance([(0.6, True, True), (0.6, False, True), (0.2, False, False)])

    assert (performance.precision, performance.recall) == (1.0, 0.5)


def test_one_class_only_has_no_roc_auc_and_no_lift_over_nobody() -> None:
    nobody = purchase_performance([(0.3, False, False), (0.8, True, False)])

    assert nobody.roc_auc is None
    assert nobody.recall is None
    assert nobody.precision == 0.0
    assert all(tenth.lift is None for tenth in nobody.deciles)


def test_ties_count_half() -> None:
    assert roc_auc([0.5, 0.5, 0.5], [True, False, False]) == 0.5


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(chances, st.booleans(), st.booleans()), min_size=1, max_size=80))
def test_purchase_metrics_agree_with_scikit_learn(rows: list[tuple[float, bool, bool]]) -> None:
    chance = [p for p, _, _ in rows]
    said = [w for _, w, _ in rows]
    bought = [b for _, _, b in rows]

    performance = purchase_performance(rows)

    assert performance.brier == pytest.approx(brier_score_loss(bought, chance, pos_label=True))
    assert performance.base_rate == pytest.approx(sum(bought) / len(rows))
    if any(said):
        assert performance.precision == pytest.approx(precision_score(bought, said, zero_division=0))
    if any(bought):
        assert performance.recall == pytest.approx(recall_score(bought, said))
    if len(set(bought)) == 2:
        assert performance.roc_auc == pytest.approx(roc_auc_score(bought, chance))
    else:
        assert performance.roc_auc is None
    assert sum(tenth.clients for tenth in performance.deciles) == len(rows)
    sizes = [tenth.clients for tenth in performance.deciles]
    assert max(sizes) - min(sizes) <= 1
    if any(bought):
        shares = [t.buyer_share * t.clients for t in performance.deciles if t.buyer_share is not None]
        assert math.isclose(sum(shares), sum(bought))


def test_a_version_falls_short_by_more_than_the_margin() -> None:
    assert falls_short(0.70, 0.80)
    assert not falls_short(0.76, 0.80)
    assert not falls_short(None, 0.80)
    assert not falls_short(0.5, None)


def test_month_of_a_snapshot() -> None:
    assert month_of(date(2024, 3, 31)) == date(2024, 3, 1)
