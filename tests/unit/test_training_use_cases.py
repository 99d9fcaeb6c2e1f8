import math
from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from application.training import (
    RunNotFound,
    TrainingSet,
    activate_version,
    get_run,
    list_runs,
    queue_training,
    run_training,
)
from domain.activity import BEHAVIOUR_FIELDS
from domain.features import PURCHASE_FEATURES
from domain.model_runs import RunNotActivatable, RunStatus, TrainingAlreadyRunning
from domain.predictions import ModelKind
from unit.ml_fakes import NOW, FakeModelStore, FakeTrainer, add_client_with_history

SALES = ModelKind.SALES
PURCHASE = ModelKind.PURCHASE


def train(kind, uow, clock, trainer=None, store=None):
    run = queue_training(kind, "admin@example.com", uow, clock)
    return run_training(run.id, uow, trainer or FakeTrainer(), store or FakeModelStore(), clock)


def with_clients(uow, count, **kwargs):
    for n in range(count):
        add_client_with_history(uow, n, **kwargs)


def active(uow, kind):
    with uow:
        return uow.model_runs.active(kind)


def test_queued_runs_get_increasing_versions_per_kind(uow, clock) -> None:
    first = queue_training(SALES, "a@example.com", uow, clock)
    run_training(first.id, uow, FakeTrainer(), FakeModelStore(), clock)
    second = queue_training(SALES, "a@example.com", uow, clock)
    purchase = queue_training(PURCHASE, "a@example.com", uow, clock)
    assert (first.version, second.version, purchase.version) == (1, 2, 1)
    assert second.status is RunStatus.QUEUED


def test_a_second_training_of_the_same_kind_is_refused_while_one_is_in_progress(uow, clock) -> None:
    queue_training(SALES, "a@example.com", uow, clock)
    with pytest.raises(TrainingAlreadyRunning):
        queue_training(SALES, "a@example.com", uow, clock)
    queue_training(PURCHASE, "a@example.com", uow, clock)


def test_too_little_data_is_a_failed_run_with_the_reason_and_no_active_model(uow, clock) -> None:
    with_clients(uow, 10)
    run = train(SALES, uow, clock)
    assert run.status is RunStatus.FAILED
    assert "Too little data: 10 labelled snapshots" in (run.error or "")
    assert active(uow, SALES) is None


def test_a_single_class_is_refused_for_the_purchase_model(uow, clock) -> None:
    for n in range(0, 180, 3):  # every third client buys: keep only buyers
        add_client_with_history(uow, n)
    run = train(PURCHASE, uow, clock)
    assert run.status is RunStatus.FAILED
    assert "Only one outcome" in (run.error or "")


def test_unlabelled_snapshots_are_not_training_examples(uow, clock) -> None:
    with_clients(uow, 60, labelled=False)
    run = train(SALES, uow, clock)
    assert "0 labelled snapshots" in (run.error or "")


def test_a_successful_run_records_metrics_and_artifact_and_becomes_active(uow, clock) -> None:
    with_clients(uow, 60)
    store = FakeModelStore()
    run = train(SALES, uow, clock, store=store)
    assert run.status is RunStatus.SUCCEEDED
    assert run.evaluation and run.evaluation.metrics["r2"] == 0.7
    assert run.artifact and run.artifact.path in store.files
    assert active(uow, SALES).version == run.version
    assert get_run(run.id, uow).is_active


def test_purchase_training_uses_the_threshold_in_force(uow, clock) -> None:
    with_clients(uow, 60)
    run = train(PURCHASE, uow, clock)
    assert run.evaluation and run.evaluation.threshold == 0.70


def test_a_failed_training_leaves_the_previous_model_active(uow, clock) -> None:
    with_clients(uow, 60)
    store = FakeModelStore()
    good = train(SALES, uow, clock, store=store)
    broken = FakeTrainer()
    broken.fail_with = RuntimeError("numerical trouble")
    failed = train(SALES, uow, clock, trainer=broken, store=store)
    assert failed.status is RunStatus.FAILED
    assert failed.error == "RuntimeError: numerical trouble"
    assert active(uow, SALES).version == good.version


def test_two_versions_can_be_switched_back_and_forth(uow, clock) -> None:
    with_clients(uow, 60)
    store = FakeModelStore()
    first = train(SALES, uow, clock, store=store)
    second = train(SALES, uow, clock, store=store)
    assert active(uow, SALES).version == second.version
    activate_version(SALES, first.version, "admin@example.com", uow, FixedClock(NOW + timedelta(hours=1)))
    assert active(uow, SALES).version == first.version
    activate_version(SALES, second.version, "admin@example.com", uow, FixedClock(NOW + timedelta(hours=2)))
    assert active(uow, SALES).version == second.version
    with uow:
        history = uow.model_runs.activations(SALES)
    assert [a.version for a in history] == [second.version, first.version, second.version, first.version]


def test_a_failed_version_cannot_be_activated(uow, clock) -> None:
    failed = train(SALES, uow, clock)
    with pytest.raises(RunNotActivatable):
        activate_version(SALES, failed.version, "admin@example.com", uow, clock)


def test_an_unknown_version_is_not_found(uow, clock) -> None:
    with pytest.raises(RunNotFound):
        activate_version(SALES, 42, "admin@example.com", uow, clock)
    with pytest.raises(RunNotFound):
        get_run(999, uow)


def test_runs_are_listed_newest_first(uow, clock) -> None:
    with_clients(uow, 60)
    train(SALES, uow, clock)
    train(PURCHASE, uow, clock)
    train(SALES, uow, clock)
    assert [(r.kind, r.version) for r in list_runs(SALES, uow)] == [(SALES, 2), (SALES, 1)]
    assert len(list_runs(None, uow)) == 3


def test_training_started_in_the_background_is_polled_by_its_run(uow, clock) -> None:
    from adapters.jobs import InlineJobRunner
    from application.training import start_training

    with_clients(uow, 60)
    run = start_training(
        SALES, "admin@example.com", lambda: uow, FakeTrainer(), FakeModelStore(), clock, InlineJobRunner()
    )
    assert run.status is RunStatus.QUEUED
    assert get_run(run.id, uow).status is RunStatus.SUCCEEDED


def test_a_feature_unknown_in_any_labelled_snapshot_is_left_out_and_the_run_says_which_it_used(
    uow, clock
) -> None:
    with_clients(uow, 59)
    add_client_with_history(uow, 59, unknown=("site_visits_30d",))
    trainer = FakeTrainer()

    run = train(SALES, uow, clock, trainer=trainer)

    assert run.status is RunStatus.SUCCEEDED
    assert run.evaluation.features == (
        "purchases_30d",
        "avg_basket_value",
        "days_since_last_purchase",
        "tenure_months",
    )
    assert all(len(row) == 4 and not any(math.isnan(v) for v in row) for row in trainer.rows)


def test_an_unknown_in_an_unlabelled_snapshot_does_not_drop_the_feature(uow, clock) -> None:
    for n in range(60):
        add_client_with_history(uow, n, unknown_in_newest=BEHAVIOUR_FIELDS)
    run = train(PURCHASE, uow, clock)
    assert run.evaluation.features == PURCHASE_FEATURES.names


def test_a_purchase_model_knowing_only_the_purchase_history_still_trains(uow, clock) -> None:
    with_clients(uow, 60, unknown=BEHAVIOUR_FIELDS)
    trainer = FakeTrainer()

    run = train(PURCHASE, uow, clock, trainer=trainer)

    assert run.status is RunStatus.SUCCEEDED
    assert run.evaluation.features == ("has_purchase_history",)
    assert {row for row in trainer.rows} <= {(0.0,), (1.0,)}


def test_training_set_without_any_known_feature_is_refused_with_the_reason() -> None:
    purchase_history_only = PURCHASE_FEATURES.restricted_to(())
    training_set = TrainingSet(purchase_history_only, [()] * 60, [0.0, 1.0] * 30)
    assert "No feature is known in every labelled snapshot" in (training_set.refusal(PURCHASE) or "")
