"""Predictions: a sales forecast and a purchase prediction, a fresh one with its reasons, the history."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from application import queries
from application.predicting import ClientPrediction, FeatureContribution
from domain import predictions
from domain.segments import Segment
from entrypoints.api.schemas.base import Schema


class SalesForecastOut(Schema):
    value_pln: float = Field(description="Sales expected in the next month, PLN.")
    model_version: int
    made_at: datetime

    @classmethod
    def of(cls, forecast: predictions.SalesForecast) -> SalesForecastOut:
        # To the grosz, as it is stored: a fresh answer and a later read agree.
        value = round(forecast.value_pln, 2)
        return cls(value_pln=value, model_version=forecast.model_version, made_at=forecast.made_at)


class PurchasePredictionOut(Schema):
    probability: float = Field(ge=0, le=1, description="Chance of a purchase within the next 14 days.")
    will_buy: bool = Field(description="probability >= threshold")
    threshold: float = Field(description="The decision threshold in force when the prediction was made.")
    model_version: int
    made_at: datetime

    @classmethod
    def of(cls, prediction: predictions.PurchasePrediction) -> PurchasePredictionOut:
        return cls(
            probability=prediction.probability,
            will_buy=prediction.will_buy,
            threshold=prediction.threshold,
            model_version=prediction.model_version,
            made_at=prediction.made_at,
        )


class FeatureReasonOut(Schema):
    feature: str
    value: float = Field(description="The feature's value for this client.")
    contribution: float = Field(
        description="Its push on the prediction, in standardized units (+ up, - down)."
    )

    @classmethod
    def of(cls, reason: FeatureContribution) -> FeatureReasonOut:
        return cls(feature=reason.feature, value=reason.value, contribution=reason.contribution)


class ReasonsOut(Schema):
    sales: list[FeatureReasonOut] = Field(description="Strongest first.")
    purchase: list[FeatureReasonOut] = Field(description="Strongest first.")


class PredictionOut(Schema):
    """A fresh prediction for one client, now its current one, with the reasons behind it."""

    client_id: int
    forecast: SalesForecastOut
    purchase: PurchasePredictionOut
    segment: Segment
    reasons: ReasonsOut

    @classmethod
    def of(cls, result: ClientPrediction) -> PredictionOut:
        return cls(
            client_id=result.forecast.client_id,
            forecast=SalesForecastOut.of(result.forecast),
            purchase=PurchasePredictionOut.of(result.purchase),
            segment=result.segment,
            reasons=ReasonsOut(
                sales=[FeatureReasonOut.of(r) for r in result.sales_reasons],
                purchase=[FeatureReasonOut.of(r) for r in result.purchase_reasons],
            ),
        )


class PastPredictionOut(Schema):
    forecast: SalesForecastOut
    purchase: PurchasePredictionOut | None = Field(
        description="The purchase prediction made with the forecast."
    )


class PredictionHistoryOut(Schema):
    items: list[PastPredictionOut] = Field(description="Newest first.")

    @classmethod
    def of(cls, history: list[queries.PastPrediction]) -> PredictionHistoryOut:
        return cls(
            items=[
                PastPredictionOut(
                    forecast=SalesForecastOut.of(past.forecast),
                    purchase=None if past.purchase is None else PurchasePredictionOut.of(past.purchase),
                )
                for past in history
            ]
        )
