"""The customer-lifetime sales forecast: BG/NBD expected orders times Gamma-Gamma expected order value.

It reads the columns of `domain.features.CLV_INPUTS`, in that order: purchase days so far, days since the
first and since the last purchase, the mean order value, and the length in days of the month forecast.
Time is counted in days throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adapters.clv import BgNbd, GammaGamma, fit_bgnbd, fit_gamma_gamma
from domain.lifetime import (
    LIKELY_SHARE,
    ORDERS_HORIZON_DAYS,
    YEAR_DAYS,
    LifetimeEstimate,
    day_one_order_is_expected,
)

PREDICTIVE_DRAWS = 10_000
"""Futures drawn for one client's likely ranges: their percentiles then move by well under one order."""
PREDICTIVE_SEED = 7
"""A fixed seed: a client's page shows the same ranges at every visit."""


@dataclass(frozen=True, slots=True)
class _Inputs:
    bought: np.ndarray
    """Clients with at least one purchase: the ones the lifetime models describe."""
    repeat: np.ndarray
    """x: purchase days after the first."""
    last: np.ndarray
    """t_x: days from the first purchase to the last."""
    age: np.ndarray
    """T: days since the first purchase."""
    order_value: np.ndarray
    horizon: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray) -> _Inputs:
        purchase_days, first, since_last, order_value, horizon = (x[:, i] for i in range(5))
        # Whole purchase days: a reason probes the model with each input set to its (fractional) mean.
        purchase_days = np.rint(purchase_days)
        bought = purchase_days >= 1
        repeat, age = purchase_days[bought] - 1, np.maximum(first[bought], 0)
        last = np.where(repeat > 0, np.clip(age - since_last[bought], 0, age), 0.0)
        return cls(bought, repeat, last, age, np.maximum(order_value[bought], 0), horizon[bought])


class CustomerLifetimeForecaster:
    """Fitted on one cross-section of clients: BG/NBD on the buyers' purchase days, Gamma-Gamma on the
    order values of the buyers who came back. A client who never bought is forecast the mean sales of
    such clients in the training data (the lifetime models start at a first purchase)."""

    purchases: BgNbd
    order_value: GammaGamma
    never_bought_sales: float

    def fit(self, x: np.ndarray, sales: np.ndarray) -> CustomerLifetimeForecaster:
        inputs = _Inputs.of(x)
        if not inputs.bought.any():
            raise ValueError("no client in the training month has bought: nothing to fit a lifetime model on")
        self.purchases = fit_bgnbd(inputs.repeat, inputs.last, inputs.age)
        returning = (inputs.repeat >= 1) & (inputs.order_value > 0)
        if not returning.any():
            raise ValueError("no client in the training month has bought twice: no order values to fit")
        self.order_value = fit_gamma_gamma(inputs.repeat[returning], inputs.order_value[returning])
        never = sales[~inputs.bought]
        self.never_bought_sales = float(never.mean()) if len(never) else 0.0
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        inputs = _Inputs.of(x)
        forecast = np.full(len(x), self.never_bought_sales)
        orders = self.purchases.expected_purchases(inputs.horizon, inputs.repeat, inputs.last, inputs.age)
        value = self.order_value.expected_order_value(inputs.repeat, inputs.order_value)
        forecast[inputs.bought] = np.nan_to_num(orders * value)
        return forecast

    def lifetime(self, row: Sequence[float]) -> LifetimeEstimate | None:
        """One client's lifetime from its inputs (a row of `CLV_INPUTS`); None for a client who never
        bought. Every figure is the fitted models' formula: P(alive) and the conditional expected orders
        of the BG/NBD (Fader, Hardie and Lee 2005) and the Gamma-Gamma expected order value."""
        inputs = _Inputs.of(np.asarray([row], dtype=float))
        if not inputs.bought[0]:
            return None
        history = (inputs.repeat, inputs.last, inputs.age)
        days = np.arange(1, YEAR_DAYS + 1, dtype=float)
        by_day = self.purchases.expected_purchases(days, *history)
        (orders_90d, _), (_, spent_12m) = self._futures(inputs, (ORDERS_HORIZON_DAYS, YEAR_DAYS))
        return LifetimeEstimate(
            probability_alive=float(self.purchases.probability_alive(*history)[0]),
            expected_orders_90d=float(by_day[ORDERS_HORIZON_DAYS - 1]),
            expected_orders_365d=float(by_day[YEAR_DAYS - 1]),
            expected_order_value=float(
                self.order_value.expected_order_value(inputs.repeat, inputs.order_value)[0]
            ),
            days_to_next_order=day_one_order_is_expected([float(orders) for orders in by_day]),
            orders_90d_likely=_likely(orders_90d),
            value_12m_likely=_likely(spent_12m),
            repeat_purchases=int(inputs.repeat[0]),
        )

    def _futures(self, inputs: _Inputs, horizons: Sequence[float]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Orders and spend in each horizon's days after the snapshot, drawn from the models' predictive
        distribution for one client (the same draws of the client for every horizon). Given its history,
        the client is alive with P(alive), and then its purchase rate is Gamma(r + x, alpha + T) and its
        drop-out chance Beta(a, b + x), independently (the posteriors eq. 10 integrates over); it buys at
        that rate and after each purchase drops out with that chance, so its orders are the smaller of a
        Poisson count and a geometric one. Each order's value is Gamma(p, nu), nu given its mean order m
        over x orders Gamma(q + p x, gamma + x m)."""
        rng = np.random.default_rng(PREDICTIVE_SEED)
        bgnbd, spend = self.purchases, self.order_value
        x, age, m = float(inputs.repeat[0]), float(inputs.age[0]), float(inputs.order_value[0])
        alive_chance = bgnbd.probability_alive(inputs.repeat, inputs.last, inputs.age)[0]
        alive = rng.random(PREDICTIVE_DRAWS) < alive_chance
        rate = rng.gamma(bgnbd.r + x, 1 / (bgnbd.alpha + age), PREDICTIVE_DRAWS)
        last_order = rng.geometric(rng.beta(bgnbd.a, bgnbd.b + x, PREDICTIVE_DRAWS))
        scale = rng.gamma(spend.q + spend.p * x, 1 / (spend.gamma + x * m), PREDICTIVE_DRAWS)
        futures = []
        for days in horizons:
            orders = np.minimum(rng.poisson(rate * days), last_order) * alive
            spent = np.where(orders > 0, rng.gamma(np.maximum(orders, 1) * spend.p, 1 / scale), 0.0)
            futures.append((orders.astype(float), spent))
        return futures


def _likely(draws: np.ndarray) -> tuple[float, float]:
    """The middle `LIKELY_SHARE` of the draws: from the 10th to the 90th percentile."""
    tail = (1 - LIKELY_SHARE) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    return float(low), float(high)


class BgNbdLifetimeEstimator:
    """Reads a client's lifetime from a trained customer-lifetime model (the estimator a model file holds)."""

    def estimate(self, model: object, row: Sequence[float]) -> LifetimeEstimate | None:
        forecaster = getattr(model, "estimator", model)
        if not isinstance(forecaster, CustomerLifetimeForecaster):
            raise TypeError(f"expected a customer-lifetime model, got {type(forecaster).__name__}")
        return forecaster.lifetime(row)
