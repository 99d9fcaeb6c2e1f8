import math
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from application.ports import HoldOut
from application.training import (
    RunNotFound,
    TrainingSet,
    activate_version,
    build_training_set,
    get_run,
    list_runs,
    queue_training,
    run_training,
)
from domain.activity import BEHAVIOUR_FIELDS
from domain.features import PURCHASE_FEATURES, SALES_FEATURES
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
    hold_out = HoldOut([()] * 60, [0.0, 1.0] * 30, [()] * 20, [0.0, 1.0] * 10, {})
    training_set = TrainingSet(purchase_history_only, hold_out, None)
    assert "No feature is known and varies" in (training_set.refusal(PURCHASE) or "")


# --- the out-of-time hold-out, the baselines and the no-signal guard ----------------------------


def test_the_model_learns_from_the_months_before_the_newest_labelled_one_and_is_tested_on_it(
    uow, clock
) -> None:
    with_clients(uow, 60, months=4)  # labelled January to March; April is the newest, unlabelled
    trainer = FakeTrainer()

    run = train(SALES, uow, clock, trainer=trainer)

    assert run.status is RunStatus.SUCCEEDED and run.is_active
    assert (run.evaluation.train_size, run.evaluation.test_size) == (120, 60)
    assert set(trainer.data.baselines) == {"mean", "zero", "last_month"}
    assert all(len(values) == 60 for values in trainer.data.baselines.values())


def test_sales_baselines_are_the_training_mean_zero_and_what_the_client_spent_in_the_month_before(
    uow,
) -> None:
    with_clients(uow, 60, months=3)
    with uow:
        rows = list(uow.activity.training_rows())
    training_set = build_training_set(SALES_FEATURES, rows)
    hold_out = training_set.hold_out
    mean = sum(hold_out.train_targets) / len(hold_out.train_targets)

    assert training_set.test_month.month == 2
    assert hold_out.baselines["mean"] == [mean] * 60
    assert hold_out.baselines["zero"] == [0.0] * 60
    # Each client spends the same every month in the fakes: last month's spend is this month's.
    assert hold_out.baselines["last_month"] == hold_out.test_targets


def test_last_months_spend_falls_back_to_the_training_mean_when_the_month_before_is_unknown(uow) -> None:
    with_clients(uow, 60, months=3)
    with uow:
        rows = list(uow.activity.training_rows())
    newest_only_for_one = [
        r for r in rows if not (r.snapshot.client_id == 1 and r.snapshot.observed_on.month == 1)
    ]
    hold_out = build_training_set(SALES_FEATURES, newest_only_for_one).hold_out
    mean = sum(hold_out.train_targets) / len(hold_out.train_targets)

    assert hold_out.baselines["last_month"][0] == mean


def test_purchase_baselines_are_the_base_rate_and_bought_in_the_last_30_days(uow) -> None:
    with_clients(uow, 60, months=3)
    with uow:
        rows = list(uow.activity.training_rows())
    test_rows = [r for r in rows if r.snapshot.observed_on.month == 2]
    hold_out = build_training_set(PURCHASE_FEATURES, rows).hold_out
    base_rate = sum(hold_out.train_targets) / len(hold_out.train_targets)

    assert hold_out.baselines["base_rate"] == [base_rate] * 60
    assert hold_out.baselines["bought_last_30d"] == [
        1.0 if r.snapshot.purchases_30d > 0 else 0.0 for r in test_rows
    ]


def test_a_single_labelled_month_leaves_nothing_to_train_on_and_is_refused(uow, clock) -> None:
    with_clients(uow, 80, months=2)

    run = train(SALES, uow, clock)

    assert run.status is RunStatus.FAILED
    assert "0 labelled snapshots before the newest labelled month" in run.error


def test_too_few_clients_in_the_test_month_are_refused_with_the_reason() -> None:
    hold_out = HoldOut([(1.0,)] * 60, [1.0, 2.0] * 30, [(1.0,)] * 5, [1.0] * 5, {})
    training_set = TrainingSet(SALES_FEATURES.restricted_to(["purchases_30d"]), hold_out, None)
    assert "5 labelled snapshots in the newest labelled month" in (training_set.refusal(SALES) or "")


def test_one_outcome_in_the_test_month_is_refused_for_the_purchase_model() -> None:
    hold_out = HoldOut([(1.0,)] * 60, [0.0, 1.0] * 30, [(1.0,)] * 30, [0.0] * 30, {})
    training_set = TrainingSet(PURCHASE_FEATURES.restricted_to(["visits_7d"]), hold_out, None)
    assert "Only one outcome in the test month" in (training_set.refusal(PURCHASE) or "")


def test_a_feature_the_same_in_every_training_snapshot_is_left_out_with_a_warning_on_the_run(
    uow, clock
) -> None:
    with_clients(uow, 60)
    with uow:
        for snapshot in list(uow.working.activity.values()):  # every client: one ad click a week
            uow.working.activity[(snapshot.client_id, snapshot.observed_on)] = replace(
                snapshot, ad_clicks_7d=1
            )
        uow.commit()

    run = train(PURCHASE, uow, clock)

    assert run.status is RunStatus.SUCCEEDED
    assert "ad_clicks_7d" not in run.evaluation.features
    assert any("ad_clicks_7d" in w and "same in every training snapshot" in w for w in run.warnings)
    assert get_run(run.id, uow).warnings == run.warnings


def test_a_model_no_better_than_its_best_baseline_succeeds_but_is_not_made_active(uow, clock) -> None:
    with_clients(uow, 60)
    trainer = FakeTrainer()
    first = train(PURCHASE, uow, clock, trainer=trainer)
    trainer.score = 0.51  # the baselines score 0.5: not better by 0.02

    second = train(PURCHASE, uow, clock, trainer=trainer)

    assert second.status is RunStatus.SUCCEEDED and not second.is_active
    assert second.beats_baselines is False
    assert any(w.startswith("Not better than the baseline: ROC AUC 0.510") for w in second.warnings)
    assert active(uow, PURCHASE).version == first.version


def test_a_sales_model_with_the_baselines_r2_is_not_made_active(uow, clock) -> None:
    with_clients(uow, 60)
    trainer = FakeTrainer()
    trainer.score = 0.0

    run = train(SALES, uow, clock, trainer=trainer)

    assert run.status is RunStatus.SUCCEEDED and not run.is_active
    assert active(uow, SALES) is None


def test_an_admin_may_still_activate_a_model_not_better_than_the_baseline_and_it_keeps_its_warning(
    uow, clock
) -> None:
    with_clients(uow, 60)
    trainer = FakeTrainer()
    trainer.score = 0.5
    run = train(PURCHASE, uow, clock, trainer=trainer)

    activated = activate_version(PURCHASE, run.version, "boss@example.com", uow, clock)

    assert activated.is_active
    assert any("Not better than the baseline" in w for w in activated.warnings)
