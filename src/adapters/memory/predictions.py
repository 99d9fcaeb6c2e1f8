"""Predictions in memory: each client's history, the last one stored being the current one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from adapters.memory.store import InMemoryStore, P, current_of, in_utc
from application.queries import PredictionSummary
from domain.errors import ClientNotFound
from domain.performance import RealizedPurchase, RealizedSales
from domain.predictions import (
    DecisionThreshold,
    ModelKind,
    PurchasePrediction,
    SalesForecast,
    ScoredBatch,
    out_of_date,
)
from domain.segments import Segment, SegmentRule


class InMemoryPredictionRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    def add_batch(self, batch: ScoredBatch) -> None:
        self.add_many(*batch.as_predictions())

    def current_values(self) -> tuple[list[float], list[float]]:
        forecasts = [history[-1].value for history in self.store.forecasts.values() if history]
        purchases = [history[-1] for history in self.store.purchase_predictions.values() if history]
        return forecasts, [p.expected_value for p in purchases if p.expected_value is not None]

    def add_many(self, forecasts: Sequence[SalesForecast], predictions: Sequence[PurchasePrediction]) -> None:
        """All or nothing: an unknown client refuses the whole batch. Money is kept to the grosz."""
        client_ids = [f.client_id for f in forecasts] + [p.client_id for p in predictions]
        unknown = next((c for c in client_ids if c not in self.store.clients), None)
        if unknown is not None:
            raise ClientNotFound(unknown)
        for forecast in forecasts:
            self._append(self.store.forecasts, replace(forecast, value=round(forecast.value, 2)))
        for prediction in predictions:
            self._append(self.store.purchase_predictions, prediction)

    def _append(self, history: dict[int, tuple[P, ...]], prediction: P) -> None:
        stored: P = replace(in_utc(prediction), id=self.store.next_id())
        history[prediction.client_id] = (*history.get(prediction.client_id, ()), stored)

    def current(self, client_id: int) -> tuple[SalesForecast | None, PurchasePrediction | None]:
        forecast = current_of(self.store.forecasts, client_id)
        return forecast, current_of(self.store.purchase_predictions, client_id)

    def history(
        self, client_id: int, limit: int = 50
    ) -> list[tuple[SalesForecast, PurchasePrediction | None]]:
        forecasts = sorted(self.store.forecasts.get(client_id, ()), key=_newest, reverse=True)[:limit]
        # In the order they were stored: of two made at the same moment, the later one wins.
        made_at = {p.made_at: p for p in self.store.purchase_predictions.get(client_id, ())}
        return [(forecast, made_at.get(forecast.made_at)) for forecast in forecasts]

    def count_out_of_date(
        self, active_versions: Mapping[ModelKind, int | None], threshold: DecisionThreshold
    ) -> int:
        newest: dict[int, date] = {}
        for client_id, observed_on in self.store.activity:
            newest[client_id] = max(observed_on, newest.get(client_id, observed_on))
        return sum(
            1
            for client_id, forecasts in self.store.forecasts.items()
            if (purchase := current_of(self.store.purchase_predictions, client_id)) is not None
            and out_of_date(forecasts[-1], purchase, newest.get(client_id), active_versions, threshold)
        )

    def realized_sales(self) -> Iterator[RealizedSales]:
        for forecast in _last_per_snapshot_and_version(self.store.forecasts):
            assert forecast.observed_on is not None
            snapshot = self.store.activity.get((forecast.client_id, forecast.observed_on))
            if snapshot is not None and snapshot.sales_next_month is not None:
                yield RealizedSales(
                    forecast.model_version, forecast.observed_on, forecast.value, snapshot.sales_next_month
                )

    def realized_purchases(self) -> Iterator[RealizedPurchase]:
        for prediction in _last_per_snapshot_and_version(self.store.purchase_predictions):
            assert prediction.observed_on is not None
            snapshot = self.store.activity.get((prediction.client_id, prediction.observed_on))
            if snapshot is not None and snapshot.purchased_next_14d is not None:
                yield RealizedPurchase(
                    prediction.model_version,
                    prediction.observed_on,
                    prediction.probability,
                    prediction.will_buy,
                    snapshot.purchased_next_14d,
                    self._forecast_made_with(prediction),
                )

    def _forecast_made_with(self, prediction: PurchasePrediction) -> float | None:
        """The sales forecast made at the same moment from the same snapshot: of two, the later stored."""
        same = [
            forecast.value
            for forecast in self.store.forecasts.get(prediction.client_id, ())
            if forecast.made_at == prediction.made_at and forecast.observed_on == prediction.observed_on
        ]
        return same[-1] if same else None

    def summary(self, threshold: DecisionThreshold, segments: SegmentRule) -> PredictionSummary:
        values = [history[-1].value for history in self.store.forecasts.values()]
        chances = [history[-1].probability for history in self.store.purchase_predictions.values()]
        return PredictionSummary(
            clients_scored=len(values),
            average_forecast=sum(values) / len(values) if values else None,
            forecast_total=sum(values),
            likely_buyers=sum(1 for chance in chances if chance >= threshold.value),
            segment_counts={
                segment: sum(1 for value in values if within(value, segments, segment)) for segment in Segment
            },
        )


def _newest(prediction: SalesForecast | PurchasePrediction) -> tuple[datetime, int]:
    return prediction.made_at, prediction.id or 0


def within(value: float, rule: SegmentRule, segment: Segment) -> bool:
    low, high = rule.bounds(segment)
    return (low is None or value >= low) and (high is None or value < high)


def _last_per_snapshot_and_version(history: dict[int, tuple[P, ...]]) -> list[P]:
    """The last stored prediction of each client, snapshot and model version, by version then snapshot
    date then storing order; those with no snapshot date are left out."""
    last: dict[tuple[int, date, int], P] = {}
    for predictions in history.values():
        for prediction in predictions:
            if prediction.observed_on is not None:
                last[prediction.client_id, prediction.observed_on, prediction.model_version] = prediction
    return sorted(last.values(), key=lambda p: (p.model_version, p.observed_on, p.id or 0))
