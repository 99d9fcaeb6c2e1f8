"""Reads: each page's or endpoint's data in one query, and what the use cases return."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from adapters.clock import FixedClock
from adapters.memory import InMemoryUnitOfWork
from application.clients import delete_client
from application.predicting import ActiveModels, predict_client
from application.queries import (
    MonthlySales,
    PastPrediction,
    client_activity,
    client_overview,
    client_page,
    dashboard,
    ml_panel,
    prediction_history,
)
from application.training import queue_training, run_training
from domain.activity import ActivitySnapshot, SnapshotSource
from domain.clients import Client
from domain.errors import ClientNotFound
from domain.predictions import ModelKind
from domain.segments import Segment
from unit.ml_fakes import FakeModelStore, FakePredictor, FakeTrainer, add_client_with_history


@pytest.fixture
def scored(uow: InMemoryUnitOfWork, clock: FixedClock) -> int:
    """Sixty clients with history, both models trained, and one client predicted twice; its id."""
    ids = [add_client_with_history(uow, n).id for n in range(60)]
    store = FakeModelStore()
    for kind in ModelKind:
        run_training(
            queue_training(kind, "admin@example.com", uow, clock).id, uow, FakeTrainer(), store, clock
        )
    models = ActiveModels(store)
    for _ in range(2):
        predict_client(ids[7], uow, models, FakePredictor(), clock)
    return ids[7]


def test_a_client_page_holds_the_client_its_predictions_activity_history_and_threshold(
    uow: InMemoryUnitOfWork, scored: int
) -> None:
    page = client_page(scored, uow)

    assert page.client.id == scored
    assert page.overview.forecast is not None and page.overview.purchase is not None
    assert page.overview.segment is not None
    assert page.activity and page.activity[0].observed_on == page.overview.latest_observed_on
    assert [s.observed_on for s in page.activity] == sorted(
        (s.observed_on for s in page.activity), reverse=True
    )
    assert len(page.prediction_history) == 2
    assert all(isinstance(past, PastPrediction) for past in page.prediction_history)
    assert page.threshold.value == 0.70


def test_the_smaller_reads_agree_with_the_page(uow: InMemoryUnitOfWork, scored: int) -> None:
    page = client_page(scored, uow)

    assert client_overview(scored, uow) == page.overview
    assert client_activity(scored, uow) == page.activity
    assert prediction_history(scored, uow) == page.prediction_history


@pytest.mark.parametrize("read", [client_page, client_overview, client_activity, prediction_history])
def test_every_read_of_an_unknown_client_is_not_found(uow: InMemoryUnitOfWork, read) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientNotFound):
        read(404, uow)


def test_the_ml_panel_lists_both_models_runs_and_the_settings(uow: InMemoryUnitOfWork, scored: int) -> None:
    panel = ml_panel(uow)

    assert {run.kind for run in panel.runs} == set(ModelKind)
    assert {run.kind for run in panel.runs if run.is_active} == set(ModelKind)
    assert panel.threshold.value == 0.70
    assert panel.segment_rule.medium_from < panel.segment_rule.high_from


def test_the_dashboard_counts_clients_and_knows_the_models_are_trained(
    uow: InMemoryUnitOfWork, scored: int
) -> None:
    board = dashboard(uow)

    assert board.client_count == 60
    assert board.models_trained
    assert board.predictions.clients_scored == 1


def test_a_prediction_says_its_segment(uow: InMemoryUnitOfWork, clock: FixedClock, scored: int) -> None:
    store = FakeModelStore()
    for kind in ModelKind:
        run_training(
            queue_training(kind, "admin@example.com", uow, clock).id, uow, FakeTrainer(), store, clock
        )

    result = predict_client(scored, uow, ActiveModels(store), FakePredictor(), clock)

    assert isinstance(result.segment, Segment)
    assert result.segment is client_overview(scored, uow).segment


def test_deleting_a_client_returns_what_was_deleted(uow: InMemoryUnitOfWork, scored: int) -> None:
    before = client_overview(scored, uow).client

    assert delete_client(scored, uow) == before
    with pytest.raises(ClientNotFound):
        client_overview(scored, uow)


@pytest.mark.parametrize(
    ("source", "labelled", "newest"),
    [
        (SnapshotSource.ENTERED, date(1998, 6, 1), date(1998, 7, 1)),  # entered on the first of the month
        (SnapshotSource.DERIVED, date(1998, 5, 31), date(1998, 6, 30)),  # derived at month ends
    ],
)
def test_the_dashboard_puts_sales_in_the_month_each_snapshot_forecasts(
    uow: InMemoryUnitOfWork, source: SnapshotSource, labelled: date, newest: date
) -> None:
    with uow:
        client = uow.clients.add(Client("Anna", "Nowak", "anna@example.com", date(1997, 1, 1)))
        assert client.id is not None
        known = ActivitySnapshot(client.id, labelled, 1, 50.0, 3, 2, 1, True, 0, 4.0, 120.0, True, source)
        uow.activity.add(known)
        uow.activity.add(replace(known, observed_on=newest, sales_next_month=None, purchased_next_14d=None))
        uow.commit()

    board = dashboard(uow)

    assert board.monthly_sales == [MonthlySales(date(1998, 6, 1), 120.0)]
    assert board.forecast_month == date(1998, 7, 1)
