"""A client's customer lifetime: what a BG/NBD x Gamma-Gamma model expects of it from a snapshot's date.

The models describe a client from its first purchase on: how many purchases a client still alive makes,
the chance it has not dropped out for good, and what each purchase is worth. Days are counted from the
snapshot's date, the moment the client's order history is known up to.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

ORDERS_HORIZON_DAYS = 90
"""The horizon of the expected number of orders shown beside the chance of being alive."""
YEAR_DAYS = 365
"""The horizon of the 12-month value, and how far ahead the next order is looked for."""
LIKELY_SHARE = 0.8
"""The share of the model's predictive distribution a likely range holds: from its 10th to its 90th
percentile."""


class LifetimeUnavailable(enum.StrEnum):
    """Why there is no lifetime estimate for a client."""

    NO_MODEL = "no_lifetime_model"
    """No customer-lifetime model has been trained."""
    NO_SNAPSHOT = "no_snapshot"
    """The client has no snapshot to read its order history from."""
    NO_ORDER_HISTORY = "no_order_history"
    """The newest snapshot was entered, not derived from orders: its order history is unknown."""
    NEVER_BOUGHT = "never_bought"
    """The client has not bought yet: the lifetime models start at a first purchase."""


@dataclass(frozen=True, slots=True)
class LifetimeEstimate:
    """Expectations, with the ranges the model's own predictive distribution gives where it can."""

    probability_alive: float
    """The chance that the client has not dropped out for good (itself a probability)."""
    expected_orders_90d: float
    expected_orders_365d: float
    expected_order_value: float
    """In the company's currency: the client's own mean order value shrunk toward every client's."""
    days_to_next_order: int | None
    """The first day after the snapshot by which one order is expected (the expected number of orders
    reaches 1); None when that is not within a year."""
    orders_90d_likely: tuple[float, float] | None = None
    """The orders in 90 days the model gives 8 chances in 10 (`LIKELY_SHARE`), from its 10th to its 90th
    percentile, under its fitted parameters (their own estimation error is not counted)."""
    value_12m_likely: tuple[float, float] | None = None
    """The same range of what the client spends in 365 days, orders and their values together."""
    repeat_purchases: int = 0
    """Purchase days after the first. Without any, the BG/NBD holds the client alive (P(alive) = 1): it
    lets a client drop out only right after a repeat purchase."""

    @property
    def value_12m(self) -> float:
        """The expected orders in the next 365 days times the expected order value."""
        return self.expected_orders_365d * self.expected_order_value


def day_one_order_is_expected(expected_orders_by_day: Sequence[float]) -> int | None:
    """The first day d (1-based) whose expected number of orders up to d reaches 1, from the expected
    orders up to each day 1, 2, ... (non-decreasing); None when none does."""
    return next((day for day, orders in enumerate(expected_orders_by_day, 1) if orders >= 1), None)
