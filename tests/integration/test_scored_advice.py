"""The retraining advice a batch scoring keeps is counted by its parts from the snapshots they score, and
equals the advice read afresh from the newest snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.clock import FixedClock
from adapters.joblib_store import JoblibModelStore
from adapters.sklearn_models import SklearnModelPredictor, SklearnModelTrainer
from adapters.sqlalchemy.engine import make_engine, make_session_factory
from adapters.sqlalchemy.tables import scored_client_list
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application import drift
from application.demo import seed_demo_company
from application.jobs import PartReport
from application.predicting import ActiveModels, predict_all
from application.training import activate_version, queue_training, run_training
from domain.predictions import ModelKind

CLOCK = FixedClock(datetime(2025, 11, 26, tzinfo=UTC))


@pytest.fixture
def trained(sqlite_url: str, tmp_path: Path) -> tuple[SqlAlchemyUnitOfWork, ActiveModels]:
    """A demo company of 600 clients whose newest month drifted, both models trained and active."""
    uow = SqlAlchemyUnitOfWork(make_session_factory(make_engine(sqlite_url)))
    seed_demo_company(uow, CLOCK, clients=600, months=5, seed=7, drift=True)
    store = JoblibModelStore(tmp_path / "models")
    for kind in ModelKind:
        run = queue_training(kind, "admin@example.com", uow, CLOCK)
        run = run_training(run.id, uow, SklearnModelTrainer(), store, CLOCK)
        activate_version(kind, run.version, "admin@example.com", uow, CLOCK)
    return uow, ActiveModels(store)


def kept_advice(uow: SqlAlchemyUnitOfWork) -> object:
    with uow:
        return uow.summaries.read(drift.KEPT_ADVICE, uow.summaries.state())


def read_afresh(uow: SqlAlchemyUnitOfWork) -> list[dict[str, object]]:
    return [drift._document_of(report) for report in drift.retraining_advice(uow)]


def not_read_again(uow: object) -> None:
    raise AssertionError("the advice was read afresh")


def test_a_scoring_in_parts_keeps_the_advice_its_parts_counted(
    trained: tuple[SqlAlchemyUnitOfWork, ActiveModels], monkeypatch: pytest.MonkeyPatch
) -> None:
    uow, models = trained
    monkeypatch.setattr(drift, "kept_retraining_advice", not_read_again)
    report = predict_all(uow, models, SklearnModelPredictor(), CLOCK, clients_per_part=150)

    kept = kept_advice(uow)
    assert report.clients_scored == 599  # one client has no activity
    assert kept == read_afresh(uow)
    assert any(document["reasons"] for document in kept), "the drifted month advises retraining"


@pytest.mark.parametrize(
    ("changed", "more_clients"),
    [(True, 0), (False, 1)],
    ids=["the snapshots changed during the scoring", "the parts counted fewer clients than they scored"],
)
def test_counts_that_cannot_be_taken_are_not_kept_and_the_advice_is_read_afresh(
    trained: tuple[SqlAlchemyUnitOfWork, ActiveModels], changed: bool, more_clients: int
) -> None:
    uow, _ = trained
    with uow:
        inputs = uow.summaries.scoring_inputs()
    clients, counted = _counted(uow)
    all_in_the_first_bin = {
        name: [counts[-1], *[0] * (len(counts) - 2), counts[-1]] for name, counts in counted.items()
    }

    scored = PartReport(clients + more_clients, all_in_the_first_bin)
    drift.keep_scored_advice(scored, [-1] if changed else inputs, uow)

    assert kept_advice(uow) == read_afresh(uow) != []


def test_counts_taken_from_the_parts_are_kept(
    trained: tuple[SqlAlchemyUnitOfWork, ActiveModels], monkeypatch: pytest.MonkeyPatch
) -> None:
    uow, _ = trained
    with uow:
        inputs = uow.summaries.scoring_inputs()
    clients, counted = _counted(uow)
    monkeypatch.setattr(drift, "kept_retraining_advice", not_read_again)

    drift.keep_scored_advice(PartReport(clients, counted), inputs, uow)

    assert kept_advice(uow) == read_afresh(uow) != []


def _counted(uow: SqlAlchemyUnitOfWork) -> tuple[int, dict[str, list[int]]]:
    """The clients the parts of a scoring of every client would have scored, and what they would have
    counted."""
    with uow:
        runs = drift._active_runs(uow)
        data = uow.activity.newest_columns(after_client_id=0, limit=10_000)
    countings = [drift.DriftCounting(run) for run in runs]
    computed: dict[str, object] = {}
    for counting in countings:
        counting.count(data, computed)  # type: ignore[arg-type]
    return len(data), {
        name: counts for counting in countings for name, counts in counting.as_counts().items()
    }


def test_a_batch_scoring_ends_with_the_scored_clients_list_written(
    trained: tuple[SqlAlchemyUnitOfWork, ActiveModels],
) -> None:
    uow, models = trained
    predict_all(uow, models, SklearnModelPredictor(), CLOCK, clients_per_part=150)

    with uow:
        assert uow.clients._scored_list_is_kept()  # type: ignore[attr-defined]
        listed = uow.session.scalar(select(func.count()).select_from(scored_client_list))
    assert listed == 599
