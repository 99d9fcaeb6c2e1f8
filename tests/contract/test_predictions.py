"""The prediction repository: new predictions become current, history is kept, the dashboard's summary."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta, timezone
from typing import Any

import pytest

from contract.examples import (
    MORNING,
    UnitOfWorkFactory,
    a_client,
    a_forecast,
    a_purchase_prediction,
    a_snapshot,
    id_of,
    later,
)
from domain.clients import Client
from domain.errors import ClientNotFound
from domain.predictions import DecisionThreshold, ModelKind, PurchasePrediction, SalesForecast, ScoredBatch
from domain.segments import Segment, SegmentRule


@pytest.fixture
def clients(uow_factory: UnitOfWorkFactory) -> list[Client]:
    with uow_factory() as uow:
        stored = uow.clients.add_many([a_client(name) for name in ("Anna", "Beata", "Celina", "Dorota")])
        uow.commit()
    return stored


@pytest.fixture
def ids(clients: list[Client]) -> list[int]:
    return [id_of(client) for client in clients]


def without_ids(
    predictions: tuple[SalesForecast | None, PurchasePrediction | None],
) -> tuple[SalesForecast | None, PurchasePrediction | None]:
    return tuple(None if p is None else replace(p, id=None) for p in predictions)  # type: ignore[return-value]


def predict(
    uow_factory: UnitOfWorkFactory,
    forecasts: list[SalesForecast],
    purchases: list[PurchasePrediction] | None = None,
) -> None:
    with uow_factory() as uow:
        uow.predictions.add_many(forecasts, purchases or [])
        uow.commit()


def test_stored_predictions_become_the_clients_current_ones(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata = ids[:2]
    predict(
        uow_factory,
        [a_forecast(anna, 420.5), a_forecast(beata, 99.99)],
        [a_purchase_prediction(anna, 0.81), a_purchase_prediction(beata, 0.12)],
    )

    with uow_factory() as uow:
        assert without_ids(uow.predictions.current(anna)) == (
            a_forecast(anna, 420.5),
            a_purchase_prediction(anna, 0.81),
        )
        assert without_ids(uow.predictions.current(beata)) == (
            a_forecast(beata, 99.99),
            a_purchase_prediction(beata, 0.12),
        )


def test_stored_predictions_get_ids(uow_factory: UnitOfWorkFactory, ids: list[int]) -> None:
    predict(uow_factory, [a_forecast(ids[0])], [a_purchase_prediction(ids[0])])

    with uow_factory() as uow:
        forecast, purchase = uow.predictions.current(ids[0])
    assert forecast is not None and forecast.id is not None
    assert purchase is not None and purchase.id is not None


def test_a_client_never_predicted_has_no_current_predictions(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    predict(uow_factory, [a_forecast(ids[0])], [a_purchase_prediction(ids[0])])

    with uow_factory() as uow:
        assert uow.predictions.current(ids[1]) == (None, None)
        assert uow.predictions.current(424242) == (None, None)
        assert uow.predictions.history(ids[1]) == []


def test_a_new_batch_replaces_the_current_predictions_and_keeps_the_old_ones_in_history(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna = ids[0]
    predict(uow_factory, [a_forecast(anna, 100.0)], [a_purchase_prediction(anna, 0.2)])
    predict(
        uow_factory,
        [a_forecast(anna, 250.0, model_version=2, made_at=later(24))],
        [a_purchase_prediction(anna, 0.9, model_version=2, made_at=later(24))],
    )

    with uow_factory() as uow:
        forecast, purchase = uow.predictions.current(anna)
        history = uow.predictions.history(anna)

    assert forecast is not None and (forecast.value, forecast.model_version) == (250.0, 2)
    assert purchase is not None and (purchase.probability, purchase.model_version) == (0.9, 2)
    assert [(f.value, p and p.probability) for f, p in history] == [(250.0, 0.9), (100.0, 0.2)]


def test_a_second_batch_changes_the_current_predictions_of_its_clients_only(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata, celina, _ = ids
    first = {anna: (100.0, 0.1), beata: (200.0, 0.2), celina: (300.0, 0.3)}
    predict(
        uow_factory,
        [a_forecast(c, value) for c, (value, _) in first.items()],
        [a_purchase_prediction(c, chance) for c, (_, chance) in first.items()],
    )
    predict(uow_factory, [a_forecast(beata, 999.0, made_at=later(1))], [a_purchase_prediction(beata, 0.99)])

    with uow_factory() as uow:
        current = {c: uow.predictions.current(c) for c in (anna, beata, celina)}

    assert {c: (f and f.value, p and p.probability) for c, (f, p) in current.items()} == {
        anna: (100.0, 0.1),
        beata: (999.0, 0.99),
        celina: (300.0, 0.3),
    }


def test_of_two_predictions_of_one_client_in_a_batch_the_later_is_current(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna = ids[0]
    predict(uow_factory, [a_forecast(anna, 1.0), a_forecast(anna, 2.0)])

    with uow_factory() as uow:
        forecast, _ = uow.predictions.current(anna)
        assert forecast is not None and forecast.value == 2.0
        assert len(uow.predictions.history(anna)) == 2


def test_forecasts_are_kept_to_the_grosz(uow_factory: UnitOfWorkFactory, ids: list[int]) -> None:
    predict(uow_factory, [a_forecast(ids[0], 1234.5678), a_forecast(ids[1], 0.0)])

    with uow_factory() as uow:
        assert [uow.predictions.current(c)[0].value for c in ids[:2]] == [1234.57, 0.0]  # type: ignore[union-attr]


def test_the_moment_of_a_prediction_reads_back_as_the_same_moment_in_utc(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    in_warsaw = MORNING.astimezone(timezone(timedelta(hours=2)))
    predict(
        uow_factory,
        [a_forecast(ids[0], made_at=in_warsaw)],
        [a_purchase_prediction(ids[0], made_at=in_warsaw)],
    )

    with uow_factory() as uow:
        forecast, purchase = uow.predictions.current(ids[0])
    assert forecast is not None and purchase is not None
    assert forecast.made_at == purchase.made_at == MORNING
    assert forecast.made_at.utcoffset() == purchase.made_at.utcoffset() == timedelta(0)


def test_a_purchase_prediction_keeps_its_decision_and_the_threshold_it_was_made_with(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    made = a_purchase_prediction(ids[0], 0.55, will_buy=True, threshold=0.5)
    predict(uow_factory, [a_forecast(ids[0])], [made])

    with uow_factory() as uow:
        _, purchase = uow.predictions.current(ids[0])
    assert purchase is not None and (purchase.probability, purchase.will_buy, purchase.threshold) == (
        0.55,
        True,
        0.5,
    )


def test_predictions_of_a_client_that_does_not_exist_refuse_the_whole_batch(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    with uow_factory() as uow:
        with pytest.raises(ClientNotFound):
            uow.predictions.add_many(
                [a_forecast(ids[0]), a_forecast(424242)], [a_purchase_prediction(ids[0])]
            )
        uow.clients.add(a_client("Ewa"))
        uow.commit()

    with uow_factory() as uow:
        assert uow.predictions.current(ids[0]) == (None, None)
        assert uow.clients.count() == len(ids) + 1


def test_a_refused_batch_leaves_the_earlier_current_predictions_in_place(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    predict(uow_factory, [a_forecast(ids[0], 100.0)], [a_purchase_prediction(ids[0], 0.3)])

    with uow_factory() as uow:
        with pytest.raises(ClientNotFound):
            uow.predictions.add_many([a_forecast(ids[0], 500.0)], [a_purchase_prediction(424242)])
        forecast, purchase = uow.predictions.current(ids[0])
        uow.commit()

    assert forecast is not None and forecast.value == 100.0
    assert purchase is not None and purchase.probability == 0.3


def test_predictions_not_committed_are_rolled_back(uow_factory: UnitOfWorkFactory, ids: list[int]) -> None:
    predict(uow_factory, [a_forecast(ids[0], 100.0)])
    with uow_factory() as uow:
        uow.predictions.add_many([a_forecast(ids[0], 500.0, made_at=later(1))], [])

    with uow_factory() as uow:
        forecast, _ = uow.predictions.current(ids[0])
        assert forecast is not None and forecast.value == 100.0
        assert len(uow.predictions.history(ids[0])) == 1


def test_deleting_a_client_deletes_its_predictions_and_no_one_elses(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata = ids[:2]
    predict(uow_factory, [a_forecast(anna), a_forecast(beata)], [a_purchase_prediction(anna)])

    with uow_factory() as uow:
        uow.clients.delete(anna)
        uow.commit()

    with uow_factory() as uow:
        assert uow.predictions.current(anna) == (None, None)
        assert uow.predictions.history(anna) == []
        assert uow.predictions.current(beata)[0] is not None
        assert uow.predictions.summary(DecisionThreshold(), SegmentRule()).clients_scored == 1


# --- History ----------------------------------------------------------------------------------


def test_history_pairs_each_forecast_with_the_purchase_prediction_made_with_it_newest_first(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna = ids[0]
    for hour, (value, chance) in enumerate([(100.0, 0.1), (200.0, 0.2), (300.0, 0.3)]):
        predict(
            uow_factory,
            [a_forecast(anna, value, made_at=later(hour))],
            [a_purchase_prediction(anna, chance, made_at=later(hour))],
        )

    with uow_factory() as uow:
        history = uow.predictions.history(anna)

    assert [(f.value, p and p.probability, f.made_at) for f, p in history] == [
        (300.0, 0.3, later(2)),
        (200.0, 0.2, later(1)),
        (100.0, 0.1, later(0)),
    ]
    assert all(p is not None and p.made_at == f.made_at for f, p in history)


def test_history_shows_none_for_a_forecast_made_without_a_purchase_prediction(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna = ids[0]
    predict(uow_factory, [a_forecast(anna, 100.0, made_at=later(0))], [a_purchase_prediction(anna, 0.5)])
    predict(uow_factory, [a_forecast(anna, 200.0, made_at=later(1))])

    with uow_factory() as uow:
        history = uow.predictions.history(anna)

    assert [(f.value, p and p.probability) for f, p in history] == [(200.0, None), (100.0, 0.5)]


def test_history_gives_the_newest_forecasts_up_to_the_limit(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna = ids[0]
    for hour in range(5):
        predict(uow_factory, [a_forecast(anna, 10.0 * hour, made_at=later(hour))])

    with uow_factory() as uow:
        history = uow.predictions.history(anna, limit=3)

    assert [f.value for f, _ in history] == [40.0, 30.0, 20.0]


def test_history_of_a_client_shows_only_that_clients_predictions(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata = ids[:2]
    predict(uow_factory, [a_forecast(anna, 1.0), a_forecast(beata, 2.0)], [a_purchase_prediction(beata, 0.4)])

    with uow_factory() as uow:
        history = uow.predictions.history(anna)

    assert [(f.client_id, f.value, p) for f, p in history] == [(anna, 1.0, None)]


# --- Summary ----------------------------------------------------------------------------------


def test_the_summary_of_no_predictions_is_empty_with_every_segment_at_zero(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    with uow_factory() as uow:
        summary = uow.predictions.summary(DecisionThreshold(), SegmentRule())

    assert (
        summary.clients_scored,
        summary.average_forecast,
        summary.forecast_total,
        summary.likely_buyers,
    ) == (
        0,
        None,
        0.0,
        0,
    )
    assert summary.segment_counts == {Segment.HIGH: 0, Segment.MEDIUM: 0, Segment.LOW: 0}


def test_the_summary_counts_sums_and_averages_the_current_forecasts_only(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata, celina, _ = ids
    predict(uow_factory, [a_forecast(anna, 5000.0), a_forecast(beata, 7000.0)])
    predict(
        uow_factory,
        [a_forecast(anna, 100.0, made_at=later(1)), a_forecast(beata, 400.0), a_forecast(celina, 1000.0)],
    )

    with uow_factory() as uow:
        summary = uow.predictions.summary(DecisionThreshold(), SegmentRule(medium_from=300, high_from=1000))

    assert summary.clients_scored == 3
    assert summary.forecast_total == pytest.approx(1500.0)
    assert summary.average_forecast == pytest.approx(500.0)
    assert summary.segment_counts == {Segment.HIGH: 1, Segment.MEDIUM: 1, Segment.LOW: 1}


def test_segment_bounds_belong_to_the_higher_segment(uow_factory: UnitOfWorkFactory, ids: list[int]) -> None:
    values = [0.0, 299.99, 300.0, 1000.0]
    predict(uow_factory, [a_forecast(c, v) for c, v in zip(ids, values, strict=True)])

    with uow_factory() as uow:
        summary = uow.predictions.summary(DecisionThreshold(), SegmentRule(medium_from=300, high_from=1000))

    assert summary.segment_counts == {Segment.HIGH: 1, Segment.MEDIUM: 1, Segment.LOW: 2}


def test_the_summary_segments_by_the_rule_it_is_given(uow_factory: UnitOfWorkFactory, ids: list[int]) -> None:
    predict(uow_factory, [a_forecast(c, v) for c, v in zip(ids, [50.0, 150.0, 250.0, 350.0], strict=True)])

    with uow_factory() as uow:
        summary = uow.predictions.summary(DecisionThreshold(), SegmentRule(medium_from=100, high_from=300))

    assert summary.segment_counts == {Segment.HIGH: 1, Segment.MEDIUM: 2, Segment.LOW: 1}


def test_likely_buyers_are_counted_under_the_threshold_in_force_now_not_the_one_recorded(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    chances = [0.2, 0.5, 0.69, 0.7]
    predict(
        uow_factory,
        [a_forecast(c) for c in ids],
        [
            a_purchase_prediction(c, p, threshold=0.9, will_buy=False)
            for c, p in zip(ids, chances, strict=True)
        ],
    )

    with uow_factory() as uow:
        at_default = uow.predictions.summary(DecisionThreshold(), SegmentRule())
        at_half = uow.predictions.summary(DecisionThreshold(0.5), SegmentRule())

    assert (at_default.likely_buyers, at_half.likely_buyers) == (1, 3)


def test_likely_buyers_count_current_purchase_predictions_only(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    predict(uow_factory, [a_forecast(ids[0])], [a_purchase_prediction(ids[0], 0.95)])
    predict(uow_factory, [a_forecast(ids[0], made_at=later(1))], [a_purchase_prediction(ids[0], 0.05)])

    with uow_factory() as uow:
        assert uow.predictions.summary(DecisionThreshold(), SegmentRule()).likely_buyers == 0


def test_out_of_date_predictions_are_counted_by_the_domain_rule(uow_factory: UnitOfWorkFactory, ids) -> None:
    """Anna's are current; Beata has a newer snapshot, Celina an older sales version, Dorota's decision
    was made at another threshold. An older (not newer) snapshot and an unrecorded one change nothing."""
    march, april = date(2024, 3, 31), date(2024, 4, 30)
    anna, beata, celina, dorota = ids
    with uow_factory() as uow:
        uow.activity.add_many(
            [a_snapshot(client_id, march) for client_id in ids]
            + [a_snapshot(beata, april), a_snapshot(anna, date(2024, 2, 29))]
        )
        uow.predictions.add_many(
            [
                a_forecast(anna, model_version=3, observed_on=march),
                a_forecast(beata, model_version=3, observed_on=march),
                a_forecast(celina, model_version=2, observed_on=march),
                a_forecast(dorota, model_version=3, observed_on=None),
            ],
            [
                a_purchase_prediction(client_id, model_version=5, observed_on=march, threshold=0.7)
                for client_id in (anna, beata, celina)
            ]
            + [a_purchase_prediction(dorota, model_version=5, threshold=0.6)],
        )
        uow.commit()

    active = {ModelKind.SALES: 3, ModelKind.PURCHASE: 5}
    with uow_factory() as uow:
        assert uow.predictions.count_out_of_date(active, DecisionThreshold(0.7)) == 3
        assert uow.predictions.count_out_of_date(active, DecisionThreshold(0.6)) == 3  # Anna, not Dorota
        assert (
            uow.predictions.count_out_of_date({**active, ModelKind.PURCHASE: 6}, DecisionThreshold(0.7)) == 4
        )
        assert uow.predictions.count_out_of_date({ModelKind.SALES: None}, DecisionThreshold(0.7)) == 2


# --- Batch scoring's bulk path --------------------------------------------------------------------


def a_batch(client_ids: list[int], sales: list[float], chances: list[float], **changes: Any) -> ScoredBatch:
    observed_on = [float(date(2024, 3, 31).toordinal())] * len(client_ids)
    arguments: dict[str, Any] = {"threshold": DecisionThreshold(0.7), "versions": (3, 4), "made_at": MORNING}
    arguments |= changes
    return ScoredBatch.of(client_ids, observed_on, sales, chances, **arguments)


def test_a_batch_is_stored_as_the_same_predictions_one_by_one_would_be(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata = ids[:2]
    batch = a_batch(
        [anna, beata], [420.504, -3.0], [0.81, 0.12], made_at=MORNING.astimezone(timezone(timedelta(hours=2)))
    )

    with uow_factory() as uow:
        uow.predictions.add_batch(batch)
        uow.commit()

    forecasts, purchases = batch.as_predictions()
    with uow_factory() as uow:
        assert [without_ids(uow.predictions.current(client)) for client in (anna, beata)] == list(
            zip(forecasts, purchases, strict=True)
        )
    assert [f.value for f in forecasts] == [420.5, 0.0]
    assert [(p.will_buy, p.expected_value) for p in purchases] == [(True, 0.81 * 420.5), (False, 0.0)]
    assert forecasts[0].made_at == MORNING and forecasts[0].observed_on == date(2024, 3, 31)


def test_a_batch_replaces_its_clients_current_predictions_only_and_keeps_the_old_ones_in_history(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata = ids[:2]
    predict(uow_factory, [a_forecast(anna, 100.0), a_forecast(beata, 200.0)])
    with uow_factory() as uow:
        uow.predictions.add_batch(a_batch([anna], [250.0], [0.9], made_at=later(24)))
        uow.commit()

    with uow_factory() as uow:
        assert [f.value for f, _ in uow.predictions.history(anna)] == [250.0, 100.0]
        assert uow.predictions.current(anna)[0].value == 250.0  # type: ignore[union-attr]
        assert uow.predictions.current(beata)[0].value == 200.0  # type: ignore[union-attr]
        summary = uow.predictions.summary(DecisionThreshold(0.7), SegmentRule())
    assert (summary.clients_scored, summary.forecast_total, summary.likely_buyers) == (2, 450.0, 1)


# --- The summary, kept between calls until what it sums changes -----------------------------------


def test_a_kept_summary_follows_every_change_of_what_it_sums(
    uow_factory: UnitOfWorkFactory, ids: list[int]
) -> None:
    anna, beata = ids[:2]

    def summary(threshold: float = 0.7, bands: SegmentRule | None = None) -> tuple[Any, ...]:
        bands = bands or SegmentRule()
        with uow_factory() as uow:  # committed: an adapter that keeps the summary keeps it now
            found = uow.predictions.summary(DecisionThreshold(threshold), bands)
            uow.commit()
        counts = tuple(found.segment_counts[segment] for segment in Segment)
        return found.clients_scored, found.forecast_total, found.likely_buyers, counts

    predict(uow_factory, [a_forecast(anna, 100.0)], [a_purchase_prediction(anna, 0.8)])
    assert summary() == summary() == (1, 100.0, 1, (0, 0, 1))
    predict(uow_factory, [a_forecast(beata, 500.0)], [a_purchase_prediction(beata, 0.75)])
    assert summary() == (2, 600.0, 2, (0, 1, 1))
    assert summary(threshold=0.78) == (2, 600.0, 1, (0, 1, 1))
    assert summary(bands=SegmentRule(50, 400)) == (2, 600.0, 2, (1, 1, 0))
    predict(uow_factory, [a_forecast(anna, 20.0, made_at=later(1))], [a_purchase_prediction(anna, 0.1)])
    assert summary() == (2, 520.0, 1, (0, 1, 1))
    with uow_factory() as uow:
        uow.clients.delete(beata)
        uow.commit()
    assert summary() == (1, 20.0, 0, (0, 0, 1))
