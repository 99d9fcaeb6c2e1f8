"""Use cases that train models, and choose which trained version is active."""

from __future__ import annotations

import functools
import logging
import math
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import date

from application.drift import training_profile
from application.jobs import TRAIN, submit_job
from application.leases import fail_abandoned_runs_in
from application.ports import (
    Clock,
    JobProgress,
    JobRunner,
    ModelStore,
    ModelTrainer,
    RunLease,
    TrainingTable,
    UnitOfWork,
)
from domain.candidates import DEFAULT_CANDIDATE, Candidate, ModelFamily, candidates
from domain.columns import SnapshotColumns
from domain.errors import DomainError
from domain.features import FeatureSet, feature_set, spend_30d, targets
from domain.model_runs import (
    MIN_TEST_ROWS,
    MIN_TRAINING_ROWS,
    PURCHASE_AUC_MARGIN,
    Activation,
    Evaluation,
    InsufficientTrainingData,
    ModelRun,
    RunNotActivatable,
    RunNotFound,
    RunStatus,
    TrainingAlreadyRunning,
)
from domain.predictions import ModelKind

log = logging.getLogger(__name__)


BACKTEST_MONTHS = 3
"""How many of the newest labelled months the rolling backtest tests on, one after the other."""


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """The labelled examples of one candidate, ready for the backtest, or why they cannot make a
    trustworthy model."""

    features: FeatureSet
    """The features known in every example and varying in the training months: what the model learns."""
    table: TrainingTable
    test_month: date | None
    """The first day of the hold-out month (the newest labelled one); None when nothing is labelled."""
    warnings: list[str] = field(default_factory=list)
    refusal: str | None = None


def month_numbers(observed_on: Sequence[float]) -> array:
    """The calendar month of each observation date (ordinals), as year * 12 + month."""
    months: dict[float, float] = {}

    def month(ordinal: float) -> float:
        found = months.get(ordinal)
        if found is None:
            day = date.fromordinal(int(ordinal))
            found = months[ordinal] = float(day.year * 12 + day.month)
        return found

    return array("d", (month(ordinal) for ordinal in observed_on))


def _first_day(month: float) -> date:
    return date(int(month - 1) // 12, int(month - 1) % 12 + 1, 1)


@dataclass(slots=True)
class _MonthCounts:
    """Labelled examples per month and, for purchases, the buyers among them."""

    examples: Counter[float] = field(default_factory=Counter)
    positives: Counter[float] = field(default_factory=Counter)

    @classmethod
    def of(cls, months: Sequence[float], outcomes: Sequence[float]) -> _MonthCounts:
        counts = cls()
        for month, outcome in zip(months, outcomes, strict=True):
            if outcome == outcome:  # NaN is the only value unequal to itself: not labelled
                counts.examples[month] += 1
                counts.positives[month] += outcome > 0
        return counts

    def before(self, month: float) -> tuple[int, int]:
        """Examples and positives observed before `month`."""
        earlier = [m for m in self.examples if m < month]
        return sum(self.examples[m] for m in earlier), sum(self.positives[m] for m in earlier)

    def refusal(self, kind: ModelKind, month: float) -> str | None:
        """Why `month` cannot be tested on, training on the months before it; None when it can."""
        train, train_positive = self.before(month)
        test, test_positive = self.examples[month], self.positives[month]
        if train < MIN_TRAINING_ROWS:
            return (
                f"Too little data: {train} labelled snapshots before the newest labelled month "
                f"(the training months), at least {MIN_TRAINING_ROWS} are needed."
            )
        if test < MIN_TEST_ROWS:
            return (
                f"Too little data: {test} labelled snapshots in the newest labelled month "
                f"(the test month), at least {MIN_TEST_ROWS} are needed."
            )
        if kind is ModelKind.PURCHASE:
            if train_positive in (0, train):
                return "Only one outcome in the training months: the model needs buyers and non-buyers."
            if test_positive in (0, test):
                return "Only one outcome in the test month: the model cannot be scored on it."
        return None


def build_training_set(
    kind: ModelKind,
    candidate: Candidate,
    data: SnapshotColumns,
    computed: dict[str, Sequence[float]] | None = None,
) -> TrainingSet:
    """Choose the backtest's months, leave out the features without signal (with a warning), and
    forecast every example with the naive baselines. An unknown is never made a zero. `computed`
    holds feature columns already computed on the same data (see `FeatureSet.columns`)."""
    outcomes, months = targets(kind, data), month_numbers(data["observed_on"])
    counts = _MonthCounts.of(months, outcomes)
    all_features = feature_set(kind, candidate)
    if not counts.examples:
        empty = TrainingTable(all_features.names, [], outcomes, months, (), {})
        return TrainingSet(all_features, empty, None, [], counts.refusal(kind, 0.0))
    newest = max(counts.examples)
    refusal = counts.refusal(kind, newest)
    test_months = tuple(
        int(month)
        for month in sorted(counts.examples)[-BACKTEST_MONTHS:]
        if month == newest or counts.refusal(kind, month) is None
    )
    columns = all_features.columns(data, computed)
    used, warnings = _with_signal(all_features, columns, outcomes, months, newest)
    if candidate.family is ModelFamily.CLV and used.names != all_features.names:
        refusal = refusal or (
            "The customer-lifetime model needs every client's order history: import orders and build the "
            "snapshots from them."
        )
        used, warnings = all_features, []
    elif not used.features:
        refusal = refusal or (
            "No feature is known and varies in the training months: there is nothing to learn from."
        )
    kept = set(used.names)
    table = TrainingTable(
        used.names,
        [column for name, column in zip(all_features.names, columns, strict=True) if name in kept],
        outcomes,
        months,
        test_months,
        _baselines(kind, data),
    )
    return TrainingSet(used, table, _first_day(newest), warnings, refusal)


def _with_signal(
    features: FeatureSet,
    columns: list[Sequence[float]],
    outcomes: Sequence[float],
    months: Sequence[float],
    newest: float,
) -> tuple[FeatureSet, list[str]]:
    """The features known in every labelled example and not the same in all training examples."""
    warnings, varying = [], []
    for feature, column in zip(features.features, columns, strict=True):
        known, values = _signal_of(column, outcomes, months, newest)
        if not known:
            warnings.append(f"Feature {feature.name} left out: it is unknown in some labelled snapshots.")
        elif len(values) <= 1:
            value = f" ({next(iter(values)):g} in each)" if values else ""
            warnings.append(
                f"Feature {feature.name} left out: it is the same in every training snapshot{value}, "
                "so it carries no signal."
            )
        else:
            varying.append(feature.name)
    if warnings:
        log.info(
            "features left out of training",
            extra={"context": {"kind": features.kind.value, "used": varying, "warnings": warnings}},
        )
    return features.restricted_to(varying), warnings


def _signal_of(
    column: Sequence[float], outcomes: Sequence[float], months: Sequence[float], newest: float
) -> tuple[bool, set[float]]:
    """Whether the feature is known in every labelled example, and up to two of its distinct values in
    the training months (two are enough to know it varies)."""
    values: set[float] = set()
    for value, outcome, month in zip(column, outcomes, months, strict=True):
        if outcome != outcome:
            continue
        if value != value:
            return False, values
        if month < newest and len(values) < 2:
            values.add(value)
    return True, values


def _baselines(kind: ModelKind, data: SnapshotColumns) -> dict[str, Sequence[float] | None]:
    """Naive forecasts of every example from what is known at its observation date: the training
    months' mean (None), and for sales zero and the client's spend in the 30 days before (persistence),
    for purchases whether the client bought in those 30 days."""
    if kind is ModelKind.PURCHASE:
        return {
            "base_rate": None,
            "bought_last_30d": array("d", (float(count > 0) for count in data["purchases_30d"])),
        }
    return {"mean": None, "zero": array("d", bytes(8 * len(data))), "last_month": spend_30d(data)}


def queue_training(
    kind: ModelKind,
    requested_by: str,
    uow: UnitOfWork,
    clock: Clock,
    candidate: Candidate = DEFAULT_CANDIDATE,
) -> ModelRun:
    """Record a queued run with the next version number; refuse while one of this kind is in progress."""
    return queue_comparison(kind, requested_by, uow, clock, [candidate])[0]


def queue_comparison(
    kind: ModelKind,
    requested_by: str,
    uow: UnitOfWork,
    clock: Clock,
    compared: Sequence[Candidate],
    lease: RunLease | None = None,
) -> list[ModelRun]:
    """Record one queued run per candidate, with consecutive versions; several candidates make one
    comparison, named by its first run's id. With a `lease`, a run whose process is known to have
    stopped no longer holds the kind."""
    for candidate in compared:
        candidate.check_for(kind)
    with uow:
        fail_abandoned_runs_in(uow, clock, lease)
        running = uow.model_runs.in_progress(kind)
        if running is not None:
            raise TrainingAlreadyRunning(kind, running.version)
        runs: list[ModelRun] = []
        for candidate in compared:
            version = uow.model_runs.next_version(kind)
            run = ModelRun(kind, version, requested_by, clock.now(), candidate=candidate)
            if runs:
                run = replace(run, comparison=runs[0].id)
            runs.append(uow.model_runs.add(run))
        if len(runs) > 1:
            runs[0] = replace(runs[0], comparison=runs[0].id)
            uow.model_runs.update(runs[0])
        uow.commit()
    return runs


def run_training(
    run_id: int,
    uow: UnitOfWork,
    trainer: ModelTrainer,
    store: ModelStore,
    clock: Clock,
    lease: RunLease | None = None,
) -> ModelRun:
    """Fit, backtest, save the model and activate it when it beats its baselines on the hold-out;
    a failure, or a model no better than its baselines, keeps the old one active: a comparison of
    one candidate."""
    return run_comparison([run_id], uow, trainer, store, clock, lease)[0]


def run_comparison(
    run_ids: Sequence[int],
    uow: UnitOfWork,
    trainer: ModelTrainer,
    store: ModelStore,
    clock: Clock,
    lease: RunLease | None = None,
    progress: JobProgress | None = None,
) -> list[ModelRun]:
    """Train every candidate of a comparison on the same examples and backtest, then activate the one
    with the best backtest score among those beating their baselines on the hold-out (none otherwise).
    A purchase model is calibrated when its backtest shows that helps: a lone candidate as it is
    trained, the best of several once chosen (see `_calibrate_chosen`). With a `lease`, every run of
    the comparison carries a heartbeat until the last one is trained; `progress` is told the runs
    trained so far."""
    examples = functools.cache(lambda: _read_examples(uow))  # read once, when the first run starts
    alone = len(run_ids) == 1
    runs: list[ModelRun] = []
    with _holding(lease, run_ids):
        for run_id in run_ids:
            runs.append(_train_recorded(run_id, uow, trainer, store, clock, examples, lease, calibrate=alone))
            if progress is not None:
                progress(len(runs), len(run_ids))
    best = best_of(runs)
    if best is None:
        log.warning("no candidate beat its baselines: none activated", extra={"context": {"runs": run_ids}})
        return runs
    if not alone:
        best = _calibrate_chosen(best, uow, trainer, store, clock, examples())
    chosen = _activate(best, best.requested_by, uow, clock)
    return [chosen if run.id == chosen.id else run for run in runs]


def best_of(runs: Sequence[ModelRun], *, beating_baselines: bool = True) -> ModelRun | None:
    """The succeeded run (beating its baselines, unless told otherwise) with the highest backtest
    score; the earliest on a tie."""
    eligible = [
        run
        for run in runs
        if run.status is RunStatus.SUCCEEDED and (run.beats_baselines or not beating_baselines)
    ]
    return max(eligible, key=_backtest_score, default=None)


def _backtest_score(run: ModelRun) -> float:
    score = None if run.evaluation is None else run.evaluation.backtest_score
    return -math.inf if score is None else score


@dataclass(frozen=True, slots=True)
class _Examples:
    data: SnapshotColumns
    threshold: float
    computed: dict[str, Sequence[float]] = field(default_factory=dict)
    """Feature columns computed so far, shared by the candidates trained on these examples."""


def _read_examples(uow: UnitOfWork) -> _Examples:
    with uow:
        return _Examples(uow.activity.training_columns(), uow.settings.threshold().value)


def _holding(lease: RunLease | None, run_ids: Collection[int]) -> AbstractContextManager[None]:
    return nullcontext() if lease is None else lease.holding(run_ids)


def _train_recorded(
    run_id: int,
    uow: UnitOfWork,
    trainer: ModelTrainer,
    store: ModelStore,
    clock: Clock,
    examples: Callable[[], _Examples],
    lease: RunLease | None = None,
    calibrate: bool = True,
) -> ModelRun:
    """Train one recorded run, running from before its examples are read; whatever goes wrong is
    recorded on it as its failure."""
    run = _mark_started(run_id, uow, clock, None if lease is None else lease.worker)
    try:
        finished = _train(run, trainer, store, clock, examples(), calibrate)
    except Exception as error:  # a failed run must be recorded whatever went wrong
        reason = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        log.warning(
            "training failed: %s", reason, extra={"context": {"kind": run.kind.value, "version": run.version}}
        )
        finished = run.failed(reason, clock.now())
    with uow:
        recorded = uow.model_runs.finish(finished)
        stored = finished if recorded else uow.model_runs.get(run_id) or finished
        uow.commit()
    if not recorded:
        log.warning(
            "training ended after its run was declared abandoned: its result is not recorded",
            extra={"context": {"kind": run.kind.value, "version": run.version}},
        )
    return stored


def _mark_started(run_id: int, uow: UnitOfWork, clock: Clock, worker: str | None) -> ModelRun:
    with uow:
        run = uow.model_runs.get(run_id)
        if run is None:
            raise RunNotFound(run_id)
        run = run.started(clock.now(), worker)
        uow.model_runs.update(run)
        uow.commit()
    return run


def _train(
    run: ModelRun,
    trainer: ModelTrainer,
    store: ModelStore,
    clock: Clock,
    examples: _Examples,
    calibrate: bool = True,
) -> ModelRun:
    training_set = build_training_set(run.kind, run.candidate, examples.data, examples.computed)
    if training_set.refusal:
        raise InsufficientTrainingData(training_set.refusal)
    model, evaluation = trainer.fit(
        run.kind, run.candidate, training_set.table, examples.threshold, calibrate=calibrate
    )
    evaluation = replace(evaluation, training_profile=training_profile(training_set.table))
    return _saved(run, model, evaluation, training_set.warnings, store, clock)


def _saved(
    run: ModelRun,
    model: object,
    evaluation: Evaluation,
    training_warnings: list[str],
    store: ModelStore,
    clock: Clock,
) -> ModelRun:
    artifact = store.save(run.kind, run.version, model)
    warnings = list(training_warnings)
    if not evaluation.beats_baselines(run.kind):
        warnings.append(_not_better(run.kind, evaluation))
        log.warning(
            "model not better than its baselines: left inactive",
            extra={"context": {"kind": run.kind.value, "version": run.version}},
        )
    return run.succeeded(evaluation, artifact, clock.now(), warnings)


def _calibrate_chosen(
    run: ModelRun,
    uow: UnitOfWork,
    trainer: ModelTrainer,
    store: ModelStore,
    clock: Clock,
    examples: _Examples,
) -> ModelRun:
    """The purchase model chosen among several, trained again with its calibrations compared: once,
    rather than for every candidate. A calibrated model replaces its file only when the backtest keeps
    a calibration and the model still beats its baselines; otherwise the comparison is recorded beside
    the model as fitted. A failure leaves the run as it was."""
    if run.kind is not ModelKind.PURCHASE or run.evaluation is None:
        return run
    try:
        training_set = build_training_set(run.kind, run.candidate, examples.data, examples.computed)
        model, evaluation = trainer.fit(run.kind, run.candidate, training_set.table, examples.threshold)
    except Exception as error:  # the chosen model stays usable as fitted whatever went wrong
        log.warning(
            "calibration of the chosen model failed: %s",
            error,
            extra={"context": {"kind": run.kind.value, "version": run.version}},
        )
        return run
    if evaluation.calibration_method is not None and evaluation.beats_baselines(run.kind):
        calibrated = _saved(run, model, evaluation, training_set.warnings, store, clock)
    else:
        compared = {**(evaluation.calibration or {}), "method": None}
        calibrated = replace(run, evaluation=replace(run.evaluation, calibration=compared))
    with uow:
        uow.model_runs.update(calibrated)
        uow.commit()
    return calibrated


def _activate(run: ModelRun, activated_by: str, uow: UnitOfWork, clock: Clock) -> ModelRun:
    with uow:
        uow.model_runs.activate(Activation(run.kind, run.version, activated_by, clock.now()))
        uow.commit()
        return uow.model_runs.get(run.id or 0) or run


NOT_BETTER = "Not better than the baseline"


def _not_better(kind: ModelKind, evaluation: Evaluation) -> str:
    metric, label = ("r2", "R²") if kind is ModelKind.SALES else ("roc_auc", "ROC AUC")
    best = evaluation.best_baseline(metric)
    name, value = best if best is not None else ("-", float("nan"))
    score = evaluation.metrics.get(metric, float("nan"))
    needed = "" if kind is ModelKind.SALES else f" (it must be higher by at least {PURCHASE_AUC_MARGIN})"
    return (
        f"{NOT_BETTER}: {label} {score:.3f} on the test month against {value:.3f} for the {name} "
        f"baseline{needed}. It is not made active on its own; an admin may activate it."
    )


def activate_version(
    kind: ModelKind, version: int, activated_by: str, uow: UnitOfWork, clock: Clock
) -> ModelRun:
    """Make an earlier (or later) successful version the active one: rollback and roll forward."""
    with uow:
        run = uow.model_runs.get_version(kind, version)
        if run is None:
            raise RunNotFound(f"{kind.value} v{version}")
        if not run.can_be_activated:
            raise RunNotActivatable(kind, version)
    return _activate(run, activated_by, uow, clock)


def get_run(run_id: int, uow: UnitOfWork, clock: Clock | None = None) -> ModelRun:
    """A run by its id; with a `clock`, a run whose worker stopped is failed first."""
    with uow:
        if clock is not None:
            fail_abandoned_runs_in(uow, clock)
        run = uow.model_runs.get(run_id)
    if run is None:
        raise RunNotFound(run_id)
    return run


def active_run(kind: ModelKind, uow: UnitOfWork) -> ModelRun | None:
    """The version of this model in use, if one has been trained."""
    with uow:
        return uow.model_runs.active(kind)


def list_runs(kind: ModelKind | None, uow: UnitOfWork, clock: Clock | None = None) -> list[ModelRun]:
    """Runs, newest first; with a `clock`, those whose worker stopped are failed first."""
    with uow:
        if clock is not None:
            fail_abandoned_runs_in(uow, clock)
        return uow.model_runs.list(kind)


def start_training(
    kind: ModelKind,
    requested_by: str,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    jobs: JobRunner,
    candidate: Candidate = DEFAULT_CANDIDATE,
    lease: RunLease | None = None,
) -> ModelRun:
    """Queue a run and train it in the background; poll the run (by its id) for its status."""
    return _start([candidate], kind, requested_by, uow_factory, clock, jobs, lease)[0]


def start_comparison(
    kind: ModelKind,
    requested_by: str,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    jobs: JobRunner,
    lease: RunLease | None = None,
) -> list[ModelRun]:
    """Queue every candidate of the kind and compare them in the background; poll the runs."""
    return _start(candidates(kind), kind, requested_by, uow_factory, clock, jobs, lease)


def _start(
    compared: Sequence[Candidate],
    kind: ModelKind,
    requested_by: str,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    jobs: JobRunner,
    lease: RunLease | None,
) -> list[ModelRun]:
    runs = queue_comparison(kind, requested_by, uow_factory(), clock, compared, lease)
    run_ids = [run.id or 0 for run in runs]
    first, last = runs[0], runs[-1]
    described = (
        f"train the {kind.value} model, version {first.version} ({first.candidate.name})"
        if len(runs) == 1
        else f"compare {len(runs)} {kind.value} models, versions {first.version}-{last.version}"
    )
    submit_job(TRAIN, {"run_ids": run_ids}, described, uow_factory(), clock, jobs, requested_by)
    return runs
