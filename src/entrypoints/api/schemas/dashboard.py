"""The dashboard's numbers: the client base, the current predictions, and the monthly sales trend."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from application.queries import Dashboard
from domain.segments import Segment
from entrypoints.api.schemas.base import IN_CURRENCY, Schema
from entrypoints.api.schemas.settings import SegmentRuleOut


class MonthlySalesOut(Schema):
    month: date = Field(description="The first day of the month.")
    total: float


class SalesTrendOut(Schema):
    actual: list[MonthlySalesOut] = Field(description="Actual sales per month, oldest first.")
    forecast: MonthlySalesOut | None = Field(
        description="The month after the last actual one, with the sum of the current forecasts."
    )


class SegmentCountsOut(Schema):
    high: int
    medium: int
    low: int


class DashboardOut(Schema):
    client_count: int
    clients_scored: int = Field(description="Clients with a current prediction.")
    average_forecast: float | None = Field(
        description=f"Mean over scored clients, {IN_CURRENCY}; null when none is scored."
    )
    forecast_total: float = Field(description=f"The sum of current forecasts, {IN_CURRENCY}.")
    likely_buyers: int = Field(description="Scored clients at or above the threshold in force now.")
    likely_buyer_share: float | None = Field(description="likely_buyers / clients_scored.")
    threshold: float
    segment_counts: SegmentCountsOut
    segment_rule: SegmentRuleOut
    currency: str = Field(description="ISO 4217 code of every amount here.")
    trend: SalesTrendOut
    models_trained: bool = Field(description="Both models have an active version.")

    @classmethod
    def of(cls, board: Dashboard) -> DashboardOut:
        """The board's own numbers and its prediction summary's, with the settings and the trend."""
        summary = board.predictions
        counts = {segment.value: summary.segment_counts.get(segment, 0) for segment in Segment}
        forecast = (
            MonthlySalesOut(month=board.forecast_month, total=summary.forecast_total)
            if board.forecast_month is not None and summary.clients_scored > 0
            else None
        )
        trend = SalesTrendOut.reading(actual=board.monthly_sales, forecast=forecast)
        return cls.reading(
            board,
            summary,
            threshold=board.threshold.value,
            segment_counts=SegmentCountsOut.model_validate(counts),
            segment_rule=SegmentRuleOut.of(board.segment_rule, board.currency),
            currency=board.currency.code,
            trend=trend,
        )
