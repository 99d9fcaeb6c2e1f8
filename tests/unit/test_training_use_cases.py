import functools
import math
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from application.training import (
    RunNotFound,
    activate_version,
    build_training_set,
    get_run,
    list_runs,
    queue_comparison,
    queue_training,
    run_comparison,
    run_training,
)
from domain.activity import BEHAVIOUR_FIELDS
from domain.candidates import DEFAULT_CANDIDATE, Candidate, FeatureSetName, ModelFamily, candidates, clv
from domain.features import PURCHASE_FEATURES
from domain.model_runs import RunNotActivatable, RunStatus, TrainingAlreadyRunning
from domain.predictions import ModelKind
from unit.ml_fakes import NOW, FakeModelStore, FakeTrainer, add_client_with_history

SALES = ModelKind.SALES
PURCHASE = ModelKind.PURCHASE


def train(kind, uow, clock, trainer=None, store=None):
    run = queue_training(kind, "admin@example.com", uow, clock)
    return run_training(run.id, uow, trainer or FakeTrainer(), store or FakeModelStore(), clock)


def train_candidate(kind, candidate, uow, clock, trainer=None):
    run = queue_training(kind, "admin@example.com", uow, clock, candidate)
    return run_training(run.id, uow, trainer or FakeTrainer(), FakeModelStore(), clock)


def training_set(uow, kind, candidate=DEFAULT_CANDIDATE):
    with uow:
        return build_training_set(kind, candidate, uow.activity.training_columns())


def change_snapshots(uow, change):
    """Replace every stored snapshot by `change(snapshot)`."""
    with uow:
        for key, snapshot in list(uow.working.activity.items()):
            uow.working.activity[key] = change(snapshot)
        uow.commit()


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


class StallingTrainer(FakeTrainer):
    """Fits so slowly that, meanwhile, another process declares the run abandoned."""

    def __init__(self, uow) -> None:
        super().__init__()
        self.uow = uow

    def fit(self, kind, candidate, table, threshold, calibrate=True):
        with self.uow:
            running = self.uow.model_runs.in_progress(kind)
            self.uow.model_runs.update(running.failed("Its worker stopped sending heartbeats.", NOW))
            self.uow.commit()
        return super().fit(kind, candidate, table, threshold, calibrate)


def test_a_training_that_ends_after_its_run_was_declared_abandoned_neither_records_nor_activates(
    uow, clock
) -> None:
    with_clients(uow, 60)
    good = train(SALES, uow, clock)
    late = train(SALES, uow, clock, trainer=StallingTrainer(uow))
    assert (late.status, late.error) == (RunStatus.FAILED, "Its worker stopped sending heartbeats.")
    assert late.artifact is None
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
    from application.jobs import TRAIN, get_job
    from application.training import run_comparison, start_training
    from unit.job_fakes import inline_jobs

    with_clients(uow, 60)
    train_runs = functools.partial(
        run_comparison, uow=uow, trainer=FakeTrainer(), store=FakeModelStore(), clock=clock
    )
    runner = inline_jobs(lambda: uow, clock, **{TRAIN: train_runs})

    run = start_training(SALES, "admin@example.com", lambda: uow, clock, runner)

    assert run.status is RunStatus.QUEUED
    assert get_run(run.id, uow).status is RunStatus.SUCCEEDED
    [job] = uow.committed.jobs.values()
    assert (job.name, job.parameters, job.state) == (TRAIN, {"run_ids": [run.id]}, "succeeded")
    assert (job.done, job.total, job.submitted_by) == (1, 1, "admin@example.com")
    assert get_job(job.id, uow, clock) == job


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


def test_training_set_without_any_known_feature_is_refused_with_the_reason(uow) -> None:
    with_clients(uow, 60, unknown=BEHAVIOUR_FIELDS)
    change_snapshots(uow, lambda s: replace(s, purchases_30d=0, days_since_last_purchase=None))
    assert "No feature is known and varies" in (training_set(uow, PURCHASE).refusal or "")


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


def test_sales_baselines_are_the_training_mean_zero_and_what_the_client_spent_in_the_30_days_before(
    uow,
) -> None:
    with_clients(uow, 60, months=3)
    examples = training_set(uow, SALES)
    with uow:
        data = uow.activity.training_columns()

    assert examples.test_month.month == 2
    assert examples.table.baselines["mean"] is None  # the training months' mean, per backtest month
    assert list(examples.table.baselines["zero"]) == [0.0] * len(data)
    assert list(examples.table.baselines["last_month"]) == [
        purchases * basket
        for purchases, basket in zip(data["purchases_30d"], data["avg_basket_value"], strict=True)
    ]


def test_purchase_baselines_are_the_base_rate_and_bought_in_the_last_30_days(uow) -> None:
    with_clients(uow, 60, months=3)
    examples = training_set(uow, PURCHASE)
    with uow:
        data = uow.activity.training_columns()

    assert examples.table.baselines["base_rate"] is None
    assert list(examples.table.baselines["bought_last_30d"]) == [
        1.0 if purchases > 0 else 0.0 for purchases in data["purchases_30d"]
    ]


def test_the_backtest_tests_on_each_of_the_last_three_labelled_months_that_has_earlier_data(uow) -> None:
    with_clients(uow, 60, months=6)  # labelled January to May

    months = training_set(uow, SALES).table.test_months

    assert [(m - 1) % 12 + 1 for m in months] == [3, 4, 5]


def test_a_backtest_month_with_too_little_before_it_is_left_out_but_the_newest_stays(uow) -> None:
    with_clients(uow, 60, months=4)  # labelled January to March: January has nothing before it

    months = training_set(uow, SALES).table.test_months

    assert [(m - 1) % 12 + 1 for m in months] == [2, 3]


def test_a_single_labelled_month_leaves_nothing_to_train_on_and_is_refused(uow, clock) -> None:
    with_clients(uow, 80, months=2)

    run = train(SALES, uow, clock)

    assert run.status is RunStatus.FAILED
    assert "0 labelled snapshots before the newest labelled month" in run.error


def test_too_few_clients_in_the_test_month_are_refused_with_the_reason(uow) -> None:
    with_clients(uow, 60, months=3)
    kept = iter(range(60))
    change_snapshots(
        uow,
        lambda s: replace(s, sales_next_month=None) if s.observed_on.month == 2 and next(kept) >= 5 else s,
    )
    assert "5 labelled snapshots in the newest labelled month" in (training_set(uow, SALES).refusal or "")


def test_one_outcome_in_the_test_month_is_refused_for_the_purchase_model(uow) -> None:
    with_clients(uow, 60, months=3)
    change_snapshots(uow, lambda s: replace(s, purchased_next_14d=False) if s.observed_on.month == 2 else s)
    assert "Only one outcome in the test month" in (training_set(uow, PURCHASE).refusal or "")


def test_the_customer_lifetime_model_is_refused_without_an_order_history(uow, clock) -> None:
    with_clients(uow, 60)  # entered snapshots: no order history

    run = train_candidate(SALES, clv(), uow, clock)

    assert run.status is RunStatus.FAILED
    assert "needs every client's order history" in run.error


def test_the_customer_lifetime_model_forecasts_sales_only(uow, clock) -> None:
    from domain.candidates import CandidateNotAvailable

    with pytest.raises(CandidateNotAvailable):
        queue_training(PURCHASE, "admin@example.com", uow, clock, clv())


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


# --- comparing candidates --------------------------------------------------------------------------


def compare(kind, uow, clock, trainer):
    runs = queue_comparison(kind, "admin@example.com", uow, clock, candidates(kind))
    return run_comparison([run.id for run in runs], uow, trainer, FakeModelStore(), clock)


def test_a_comparison_trains_every_candidate_records_all_and_activates_the_best_backtest(uow, clock) -> None:
    with_clients(uow, 60, months=4)
    trainer = FakeTrainer()
    trainer.scores = {"boosted/basic": 0.8, "linear/extended": 0.75}

    runs = compare(SALES, uow, clock, trainer)

    assert [run.candidate for run in runs] == candidates(SALES)
    assert trainer.candidates == candidates(SALES)[:-1]  # the lifetime model is refused before a fit
    assert len({run.comparison for run in runs}) == 1 and runs[0].comparison == runs[0].id
    chosen = [run for run in runs if run.is_active]
    assert [run.candidate for run in chosen] == [Candidate(FeatureSetName.BASIC, ModelFamily.BOOSTED)]
    assert active(uow, SALES).version == chosen[0].version
    # The lifetime model has no order history to learn from here: recorded as failed, with the reason.
    assert runs[-1].candidate == clv() and runs[-1].status is RunStatus.FAILED


def test_a_comparison_in_which_no_candidate_beats_its_baselines_activates_none(uow, clock) -> None:
    with_clients(uow, 60, months=4)
    trainer = FakeTrainer()
    trainer.score = 0.51

    runs = compare(PURCHASE, uow, clock, trainer)

    assert all(run.status is RunStatus.SUCCEEDED and not run.is_active for run in runs)
    assert active(uow, PURCHASE) is None


def test_a_comparison_reads_the_examples_once(uow, clock, monkeypatch) -> None:
    from adapters.memory.activity import InMemoryActivityRepository

    with_clients(uow, 60, months=4)
    reads = []
    original = InMemoryActivityRepository.training_columns

    def counted(self):
        reads.append(1)
        return original(self)

    monkeypatch.setattr(InMemoryActivityRepository, "training_columns", counted)
    compare(PURCHASE, uow, clock, FakeTrainer())
    assert len(reads) == 1


# --- calibrating the purchase model ----------------------------------------------------------------


def test_a_purchase_model_trained_alone_compares_its_calibrations_as_it_is_trained(uow, clock) -> None:
    with_clients(uow, 60)
    trainer = FakeTrainer()
    trainer.calibration = "sigmoid"

    run = train(PURCHASE, uow, clock, trainer=trainer)

    assert trainer.calibrated == [True]
    assert run.evaluation.calibration_method == "sigmoid" and run.is_active


def compare_purchase_models(uow, clock, trainer, store):
    queued = queue_comparison(PURCHASE, "admin@example.com", uow, clock, candidates(PURCHASE))
    runs = run_comparison([run.id for run in queued], uow, trainer, store, clock)
    return next(run for run in runs if run.is_active), runs


def test_a_comparison_calibrates_only_the_purchase_candidate_it_chooses(uow, clock) -> None:
    with_clients(uow, 60, months=4)
    trainer, store = FakeTrainer(), FakeModelStore()
    trainer.scores = {"linear/extended": 0.9}
    trainer.calibration = "isotonic"

    chosen, runs = compare_purchase_models(uow, clock, trainer, store)

    assert chosen.candidate == Candidate(FeatureSetName.EXTENDED, ModelFamily.LINEAR)
    assert trainer.calibrated == [False] * len(candidates(PURCHASE)) + [True]
    assert trainer.candidates[-1] == chosen.candidate
    assert chosen.evaluation.calibration_method == "isotonic"
    assert uow.model_runs.get(chosen.id).evaluation.calibration_method == "isotonic"
    # Its file is the calibrated model, the last one fitted, and its recorded hash matches it.
    assert store.files[chosen.artifact.path]["weight"] == pytest.approx(0.01 * trainer.fits)
    assert store.load(chosen.artifact) == store.files[chosen.artifact.path]
    assert all(run.evaluation.calibration is None for run in runs if run.id != chosen.id)


def test_a_chosen_model_no_calibration_helps_keeps_its_file_and_records_the_comparison(uow, clock) -> None:
    with_clients(uow, 60, months=4)
    trainer, store = FakeTrainer(), FakeModelStore()
    trainer.scores = {"linear/extended": 0.9}

    chosen, _ = compare_purchase_models(uow, clock, trainer, store)

    assert chosen.evaluation.calibration == {
        "method": None,
        "compared": {"none": {"brier": 0.2, "roc_auc": 0.9}},
    }
    assert store.files[chosen.artifact.path]["weight"] != pytest.approx(0.01 * trainer.fits)
    assert store.load(chosen.artifact) == store.files[chosen.artifact.path]


def test_a_sales_comparison_trains_each_candidate_once(uow, clock) -> None:
    with_clients(uow, 60, months=4)
    trainer = FakeTrainer()

    compare(SALES, uow, clock, trainer)

    assert trainer.calibrated == [False] * (len(candidates(SALES)) - 1)  # the lifetime model is refused
