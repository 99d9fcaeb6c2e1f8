"""Predictions: a sales forecast and a purchase prediction, a fresh one with its reasons, the history."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from application import queries
from application.predicting import ClientPrediction, FeatureContribution
from domain import predictions
from domain.segments import Segment
from entrypoints.api.schemas.base import Schema


class SalesForecast(Schema):
    value_pln: float = Field(description="Sales expected in the next month, PLN.")
    model_version: int
    made_at: datetime

    @classmethod
    def of(cls, forecast: predictions.SalesForecast) -> SalesForecast:
        # To the grosz, as it is stored: a fresh answer and a later read agree.
        value = round(forecast.value_pln, 2)
        return cls(value_pln=value, model_version=forecast.model_version, made_at=forecast.made_at)


class PurchasePrediction(Schema):
    probability: float = Field(ge=0, le=1, description="Chance of a purchase within the next 14 days.")
    will_buy: bool = Field(description="probability >= threshold")
    threshold: float = Field(description="The decision threshold in force when the prediction was made.")
    model_version: int
    made_at: datetime

    @classmethod
    def of(cls, prediction: predictions.PurchasePrediction) -> PurchasePrediction:
        return cls(
            probability=prediction.probability,
            will_buy=prediction.will_buy,
            threshold=prediction.threshold,
            model_version=prediction.model_version,
            made_at=prediction.made_at,
        )


class FeatureReason(Schema):
    feature: str
    value: float = Field(description="The feature's value for this client.")
    contribution: float = Field(
        description="Its push on the prediction, in standardized units (+ up, - down)."
    )

    @classmethod
    def of(cls, reason: FeatureContribution) -> FeatureReason:
        return cls(feature=reason.feature, value=reason.value, contribution=reason.contribution)


class Reasons(Schema):
    sales: list[FeatureReason] = Field(description="Strongest first.")
    purchase: list[FeatureReason] = Field(description="Strongest first.")


class Prediction(Schema):
    """A fresh prediction for one client, now its current one, with the reasons behind it."""

    client_id: int
    forecast: SalesForecast
    purchase: PurchasePrediction
    segment: Segment
    reasons: Reasons

    @classmethod
    def of(cls, result: ClientPrediction) -> Prediction:
        return cls(
            client_id=result.forecast.client_id,
            forecast=SalesForecast.of(result.forecast),
            purchase=PurchasePrediction.of(result.purchase),
            segment=result.segment,
            reasons=Reasons(
                sales=[FeatureReason.of(r) for r in result.sales_reasons],
                purchase=[FeatureReason.of(r) for r in result.purchase_reasons],
            ),
        )


class PastPrediction(Schema):
    forecast: SalesForecast
    purchase: PurchasePrediction | None = Field(description="The purchase prediction made with the forecast.")


class PredictionHistory(Schema):
    items: list[PastPrediction] = Field(description="Newest first.")

    @classmethod
    def of(cls, history: list[queries.PastPrediction]) -> PredictionHistory:
        return cls(
            items=[
                PastPrediction(
                    forecast=SalesForecast.of(past.forecast),
                    purchase=None if past.purchase is None else PurchasePrediction.of(past.purchase),
                )
                for past in history
            ]
        )
