"""A client's customer lifetime: what the newest customer-lifetime model expects of it, and how sure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

from pydantic import Field

from application.lifetime import ClientLifetime
from domain.lifetime import LifetimeUnavailable
from domain.model_runs import ModelRun
from entrypoints.api.schemas.base import IN_CURRENCY, Schema


class LifetimeModelOut(Schema):
    """The customer-lifetime model read, and its backtest: how far its expectations can be trusted."""

    version: int = Field(description="The sales model version (family `clv`).")
    is_active: bool = Field(description="Whether it is the active sales model; it is read either way.")
    finished_at: datetime | None = Field(description="When it was trained.")
    hold_out_r2: float | None = Field(description="R² of its monthly sales forecasts on the hold-out month.")
    hold_out_mae: float | None = Field(description=f"Mean absolute error there, {IN_CURRENCY}.")
    backtest_r2: float | None = Field(description="Its mean R² over the backtest's months.")

    @classmethod
    def of(cls, run: ModelRun) -> Self:
        metrics = {} if run.evaluation is None else run.evaluation.metrics
        return cls.reading(
            run,
            hold_out_r2=metrics.get("r2"),
            hold_out_mae=metrics.get("mae"),
            backtest_r2=None if run.evaluation is None else run.evaluation.backtest_score,
        )


class LikelyRangeOut(Schema):
    """The middle 80% of the model's predictive distribution under its fitted parameters (their own
    estimation error not counted)."""

    low: float
    high: float


class LifetimeOut(Schema):
    """Expectations of a BG/NBD x Gamma-Gamma model as of the client's newest snapshot; null where
    `unavailable` says why there are none. The likely ranges take the fitted parameters as exact; the
    backtest (`model`) says how well the model forecast monthly sales; P(alive) is itself a probability."""

    client_id: int
    observed_on: date | None = Field(description="The newest snapshot's date: days count from it.")
    model: LifetimeModelOut | None = Field(description="The newest trained customer-lifetime model.")
    unavailable: LifetimeUnavailable | None = Field(
        description="Why there is no estimate: `no_lifetime_model` (none trained), `no_snapshot`, "
        "`no_order_history` (the newest snapshot was entered, not derived from orders), `never_bought`."
    )
    probability_alive: float | None = Field(
        ge=0,
        le=1,
        description="The chance the client has not dropped out for good (BG/NBD); 1 without a repeat "
        "purchase, since the model lets a client drop out only right after one.",
    )
    repeat_purchases: int | None = Field(description="Purchase days after the first one, up to the snapshot.")
    expected_orders_90d: float | None = Field(
        description="Orders expected in the 90 days after the snapshot."
    )
    expected_orders_365d: float | None = Field(description="Orders expected in the 365 days after it.")
    expected_order_value: float | None = Field(description=f"Per order (Gamma-Gamma), {IN_CURRENCY}.")
    value_12m: float | None = Field(
        description=f"expected_orders_365d x expected_order_value, {IN_CURRENCY}: the 12-month value."
    )
    orders_90d_likely: LikelyRangeOut | None = Field(
        description="The orders in 90 days the model gives 8 chances in 10 (its 10th to 90th percentile)."
    )
    value_12m_likely: LikelyRangeOut | None = Field(
        description=f"The spend in 365 days the model gives 8 chances in 10, {IN_CURRENCY}."
    )
    next_order_by: date | None = Field(
        description="The first day by which the expected number of orders reaches 1; null when it does "
        "not within 365 days of the snapshot (or there is no estimate)."
    )

    @classmethod
    def of(cls, lifetime: ClientLifetime) -> Self:
        estimate = lifetime.estimate
        return cls.reading(
            lifetime,
            model=None if lifetime.run is None else LifetimeModelOut.of(lifetime.run),
            probability_alive=None if estimate is None else estimate.probability_alive,
            repeat_purchases=None if estimate is None else estimate.repeat_purchases,
            expected_orders_90d=None if estimate is None else estimate.expected_orders_90d,
            expected_orders_365d=None if estimate is None else estimate.expected_orders_365d,
            expected_order_value=None if estimate is None else round(estimate.expected_order_value, 2),
            value_12m=None if estimate is None else round(estimate.value_12m, 2),
            orders_90d_likely=_likely(None if estimate is None else estimate.orders_90d_likely),
            value_12m_likely=_likely(None if estimate is None else estimate.value_12m_likely, money=True),
            next_order_by=lifetime.next_order_on,
        )


def _likely(bounds: tuple[float, float] | None, *, money: bool = False) -> LikelyRangeOut | None:
    if bounds is None:
        return None
    low, high = (round(bound, 2) for bound in bounds) if money else bounds
    return LikelyRangeOut(low=low, high=high)
