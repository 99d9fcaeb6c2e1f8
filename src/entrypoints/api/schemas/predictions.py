"""Predictions: a sales forecast and a purchase prediction, a fresh one with its reasons, the history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

from pydantic import Field, field_validator

from application.predicting import ClientPrediction
from domain.segments import Segment
from entrypoints.api.schemas.activity import SnapshotOut
from entrypoints.api.schemas.base import IN_CURRENCY, Schema


class SalesForecastOut(Schema):
    value: float = Field(description=f"Sales expected in the next month, {IN_CURRENCY}.")
    model_version: int
    made_at: datetime
    observed_on: date | None = Field(description="The date of the snapshot it was made from.")

    @field_validator("value")
    @classmethod
    def _to_the_grosz(cls, value: float) -> float:
        """Rounded as it is stored: a fresh answer and a later read agree."""
        return round(value, 2)


class PurchasePredictionOut(Schema):
    probability: float = Field(ge=0, le=1, description="Chance of a purchase within the next 14 days.")
    will_buy: bool = Field(description="probability >= threshold")
    threshold: float = Field(description="The decision threshold in force when the prediction was made.")
    model_version: int
    made_at: datetime
    observed_on: date | None = Field(description="The date of the snapshot it was made from.")


class FeatureReasonOut(Schema):
    feature: str = Field(
        description="The feature's name; for a client who never bought, `never_bought` stands for every "
        "feature of the purchase history together (value null), since only their sum says what never "
        "having bought does."
    )
    value: float | None = Field(
        description="The feature's value for this client; null when unknown (read as the training mean)."
    )
    contribution: float = Field(
        description="Its push on the prediction (+ up, - down): sales in the company's currency, purchase "
        "in probability (0.05: the chance is 5 percentage points higher than without it). Exact for a "
        "linear model; for the others an approximation: the change when the feature is set to its "
        "training mean."
    )
    approximate: bool = Field(description="True where `contribution` is an approximation (non-linear model).")


class ReasonsOut(Schema):
    sales: list[FeatureReasonOut] = Field(description="The features the model uses, strongest first.")
    purchase: list[FeatureReasonOut] = Field(description="The features the model uses, strongest first.")


class PredictionOut(Schema):
    """A fresh prediction for one client, now its current one, with the reasons behind it."""

    client_id: int
    forecast: SalesForecastOut
    purchase: PurchasePredictionOut
    segment: Segment
    reasons: ReasonsOut

    @classmethod
    def of(cls, result: ClientPrediction, **values: Any) -> Self:
        reasons = ReasonsOut.reading(sales=result.sales_reasons, purchase=result.purchase_reasons)
        return cls.reading(result, client_id=result.forecast.client_id, reasons=reasons, **values)


class WhatIfOut(PredictionOut):
    """The predictions a client would have with some values of its newest snapshot changed, with the
    reasons behind them; nothing is stored."""

    snapshot: SnapshotOut = Field(
        description="The values scored: the newest snapshot with the changes applied (`url` is the "
        "stored snapshot they were applied to)."
    )


class PastPredictionOut(Schema):
    forecast: SalesForecastOut
    purchase: PurchasePredictionOut | None = Field(
        description="The purchase prediction made with the forecast."
    )


class PredictionHistoryOut(Schema):
    items: list[PastPredictionOut] = Field(description="Newest first.")
