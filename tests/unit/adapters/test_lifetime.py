"""One client's lifetime from a fitted customer-lifetime model: the BG/NBD's P(alive) and conditional
expected orders, the Gamma-Gamma's expected order value, checked on the published CDNOW estimates."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.clv import BgNbd, GammaGamma
from adapters.lifetime import BgNbdLifetimeEstimator, CustomerLifetimeForecaster, _Inputs
from domain.lifetime import LifetimeEstimate

WEEK = 7.0
R, ALPHA, A, B = 0.243, 4.414, 0.793, 2.426
"""Fader, Hardie and Lee's (2005) BG/NBD estimates for the CDNOW cohort, alpha per week."""
P, Q, GAMMA = 6.25, 3.74, 15.44
"""Fader and Hardie's (2013) Gamma-Gamma estimates for the CDNOW cohort, in dollars."""
X, T_X, T = 2, 30.43, 38.86
"""The paper's customer: 2 repeat purchases, the last at 30.43 weeks, observed for 38.86 weeks."""
MEAN_ORDER = 35.0


def cdnow_in_days() -> CustomerLifetimeForecaster:
    """The CDNOW estimates with time counted in days, as Prognoza counts it: alpha, a rate's scale, x 7."""
    forecaster = CustomerLifetimeForecaster()
    forecaster.purchases = BgNbd(r=R, alpha=ALPHA * WEEK, a=A, b=B)
    forecaster.order_value = GammaGamma(p=P, q=Q, gamma=GAMMA)
    forecaster.never_bought_sales = 0.0
    return forecaster


def the_papers_customer(purchase_days: float = X + 1) -> list[float]:
    """Its CLV_INPUTS row: purchase days, days since the first and since the last, mean order, month."""
    return [purchase_days, T * WEEK, (T - T_X) * WEEK, MEAN_ORDER, 30.0]


def estimate() -> LifetimeEstimate:
    found = BgNbdLifetimeEstimator().estimate(cdnow_in_days(), the_papers_customer())
    assert found is not None
    return found


def test_probability_alive_is_the_bgnbd_formula_worked_by_hand() -> None:
    by_hand = 1 / (1 + A / (B + X - 1) * ((ALPHA + T) / (ALPHA + T_X)) ** (R + X))

    assert by_hand == pytest.approx(0.7266, abs=1e-4)
    assert estimate().probability_alive == pytest.approx(by_hand, rel=1e-9)
    assert estimate().repeat_purchases == X


def test_without_a_repeat_purchase_a_client_is_alive_by_the_models_assumption() -> None:
    once = BgNbdLifetimeEstimator().estimate(cdnow_in_days(), [1.0, 200.0, 200.0, MEAN_ORDER, 30.0])

    assert once is not None and (once.probability_alive, once.repeat_purchases) == (1.0, 0)


def test_expected_orders_are_the_papers_conditional_expectation_whatever_the_unit_of_time() -> None:
    in_weeks = BgNbd(r=R, alpha=ALPHA, a=A, b=B)

    assert estimate().expected_orders_90d == pytest.approx(
        float(in_weeks.expected_purchases(90 / WEEK, X, T_X, T))
    )
    assert estimate().expected_orders_365d == pytest.approx(
        float(in_weeks.expected_purchases(365 / WEEK, X, T_X, T))
    )
    assert float(in_weeks.expected_purchases(39, X, T_X, T)) == pytest.approx(1.226, abs=1e-2)  # the paper's


def test_the_next_order_is_due_on_the_first_day_one_order_is_expected() -> None:
    in_weeks = BgNbd(r=R, alpha=ALPHA, a=A, b=B)
    day = estimate().days_to_next_order

    assert day is not None and day < 39 * WEEK  # 1.226 orders are expected within 39 weeks
    assert estimate().expected_orders_90d < 1 and day > 90
    assert float(in_weeks.expected_purchases((day - 1) / WEEK, X, T_X, T)) < 1
    assert float(in_weeks.expected_purchases(day / WEEK, X, T_X, T)) >= 1


def test_the_order_value_is_the_gamma_gamma_conditional_mean_and_the_12_month_value_its_product() -> None:
    by_hand = P * (GAMMA + X * MEAN_ORDER) / (P * X + Q - 1)

    assert estimate().expected_order_value == pytest.approx(by_hand)
    assert by_hand == pytest.approx(35.04, abs=0.01)
    assert estimate().value_12m == pytest.approx(estimate().expected_orders_365d * by_hand)


def test_a_client_fading_away_is_not_expected_to_order_within_a_year() -> None:
    gone = BgNbdLifetimeEstimator().estimate(cdnow_in_days(), [3.0, 700.0, 650.0, MEAN_ORDER, 30.0])

    assert gone is not None and gone.days_to_next_order is None
    assert gone.probability_alive < 0.2 and gone.expected_orders_365d < 1


def test_a_client_who_never_bought_has_no_lifetime_estimate() -> None:
    assert BgNbdLifetimeEstimator().estimate(cdnow_in_days(), [0.0, 0.0, 0.0, 0.0, 30.0]) is None


def test_only_a_customer_lifetime_model_is_read() -> None:
    with pytest.raises(TypeError):
        BgNbdLifetimeEstimator().estimate(object(), the_papers_customer())


def test_the_likely_ranges_come_from_futures_whose_means_are_the_closed_forms() -> None:
    forecaster = cdnow_in_days()
    inputs = _Inputs.of(np.asarray([the_papers_customer()]))
    [(orders, spent)] = forecaster._futures(inputs, [365])
    standard_error = orders.std() / np.sqrt(orders.size)

    assert abs(orders.mean() - estimate().expected_orders_365d) < 4 * standard_error
    assert abs(spent.mean() - estimate().value_12m) < 4 * spent.std() / np.sqrt(spent.size)


def test_the_likely_ranges_hold_eight_futures_in_ten_around_the_expectations() -> None:
    found = estimate()
    assert found.orders_90d_likely is not None and found.value_12m_likely is not None
    low, high = found.value_12m_likely

    assert found.orders_90d_likely == (0.0, 1.0)  # mostly no order in 90 days, at times one
    assert low <= found.value_12m <= high
    assert found.orders_90d_likely == estimate().orders_90d_likely  # drawn the same way every time
