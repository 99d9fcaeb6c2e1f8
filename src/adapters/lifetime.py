"""The customer-lifetime sales forecast: BG/NBD expected orders times Gamma-Gamma expected order value.

It reads the columns of `domain.features.CLV_INPUTS`, in that order: purchase days so far, days since the
first and since the last purchase, the mean order value, and the length in days of the month forecast.
Time is counted in days throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapters.clv import BgNbd, GammaGamma, fit_bgnbd, fit_gamma_gamma


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
