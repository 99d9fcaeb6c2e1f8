"""Use cases that train models, and choose which trained version is active."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from application.ports import Clock, HoldOut, JobRunner, ModelStore, ModelTrainer, ScoringRow, UnitOfWork
from domain.errors import DomainError
from domain.features import FeatureSet, feature_set, target
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
    TrainingAlreadyRunning,
)
from domain.predictions import ModelKind

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """The labelled examples split by time: trained on the months before the newest labelled one,
    tested on that month (every client in it)."""

    features: FeatureSet
    """The features known in every example and varying in the training months: what the model learns."""
    hold_out: HoldOut
    test_month: date | None
    """The first day of the month tested on; None when there is nothing labelled."""
    warnings: list[str] = field(default_factory=list)

    def refusal(self, kind: ModelKind) -> str | None:
        """Why these examples cannot make a trustworthy model, or None when they can."""
        train, test = self.hold_out.train_targets, self.hold_out.test_targets
        if len(train) < MIN_TRAINING_ROWS:
            return (
                f"Too little data: {len(train)} labelled snapshots before the newest labelled month "
                f"(the training months), at least {MIN_TRAINING_ROWS} are needed."
            )
        if len(test) < MIN_TEST_ROWS:
            return (
                f"Too little data: {len(test)} labelled snapshots in the newest labelled month "
                f"(the test month), at least {MIN_TEST_ROWS} are needed."
            )
        if kind is ModelKind.PURCHASE:
            if len(set(train)) < 2:
                return "Only one outcome in the training months: the model needs buyers and non-buyers."
            if len(set(test)) < 2:
                return "Only one outcome in the test month: the model cannot be scored on it."
        if not self.features.features:
            return "No feature is known and varies in the training months: there is nothing to learn from."
        return None


def _month(day: date) -> date:
    return day.replace(day=1)


def _previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def build_training_set(features: FeatureSet, rows: list[ScoringRow]) -> TrainingSet:
    """Split the labelled examples by time, leave out the features without signal (with a warning),
    and forecast the test month with the naive baselines. An unknown is never made a zero."""
    kind = features.kind
    labelled = [(r, outcome) for r in rows if (outcome := target(kind, r.snapshot)) is not None]
    test_month = max((_month(r.snapshot.observed_on) for r, _ in labelled), default=None)
    train = [(r, y) for r, y in labelled if _month(r.snapshot.observed_on) != test_month]
    test = [(r, y) for r, y in labelled if _month(r.snapshot.observed_on) == test_month]
    used, warnings = _with_signal(
        features,
        [features.row(r.snapshot, r.registered_on) for r, _ in labelled],
        [features.row(r.snapshot, r.registered_on) for r, _ in train],
    )

    def matrix(examples: list[tuple[ScoringRow, float]]) -> list[tuple[float, ...]]:
        return [features.project(used, features.row(r.snapshot, r.registered_on)) for r, _ in examples]

    train_targets = [y for _, y in train]
    hold_out = HoldOut(
        train_rows=matrix(train),
        train_targets=train_targets,
        test_rows=matrix(test),
        test_targets=[y for _, y in test],
        baselines=_baselines(kind, labelled, [r for r, _ in test], train_targets),
    )
    return TrainingSet(used, hold_out, test_month, warnings)


def _with_signal(
    features: FeatureSet, labelled: list[tuple[float, ...]], train: list[tuple[float, ...]]
) -> tuple[FeatureSet, list[str]]:
    """The features known in every labelled example and not the same in all training examples."""
    known = features.known_throughout(labelled)
    warnings = [
        f"Feature {name} left out: it is unknown in some labelled snapshots."
        for name in features.names
        if name not in known.names
    ]
    varying = []
    for i, feature in enumerate(features.features):
        if feature.name not in known.names:
            continue
        values = {row[i] for row in train}
        if len(values) <= 1:
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


def _baselines(
    kind: ModelKind,
    labelled: list[tuple[ScoringRow, float]],
    test: list[ScoringRow],
    train_targets: list[float],
) -> dict[str, list[float]]:
    """Naive forecasts of the test rows, each from what is known at their observation date."""
    mean = sum(train_targets) / len(train_targets) if train_targets else 0.0
    if kind is ModelKind.PURCHASE:
        return {
            "base_rate": [mean] * len(test),
            "bought_last_30d": [1.0 if r.snapshot.purchases_30d > 0 else 0.0 for r in test],
        }
    # What each client spent in the month ending on an observation date: its previous month's outcome.
    spent = {(r.snapshot.client_id, _month(r.snapshot.observed_on)): y for r, y in labelled}

    def last_month(r: ScoringRow) -> float:
        key = (r.snapshot.client_id, _previous_month(_month(r.snapshot.observed_on)))
        return spent.get(key, mean)

    return {
        "mean": [mean] * len(test),
        "zero": [0.0] * len(test),
        "last_month": [last_month(r) for r in test],
    }


def queue_training(kind: ModelKind, requested_by: str, uow: UnitOfWork, clock: Clock) -> ModelRun:
    """Record a queued run with the next version number; refuse while one of this kind is in progress."""
    with uow:
        running = uow.model_runs.in_progress(kind)
        if running is not None:
            raise TrainingAlreadyRunning(kind, running.version)
        version = uow.model_runs.next_version(kind)
        run = uow.model_runs.add(ModelRun(kind, version, requested_by, queued_at=clock.now()))
        uow.commit()
    return run


def run_training(
    run_id: int, uow: UnitOfWork, trainer: ModelTrainer, store: ModelStore, clock: Clock
) -> ModelRun:
    """Fit, evaluate on the test month, save the model and activate it when it beats its baselines;
    a failure, or a model no better than its baselines, keeps the old one active."""
    run = _mark_started(run_id, uow, clock)
    try:
        finished = _train(run, uow, trainer, store, clock)
    except Exception as error:  # a failed run must be recorded whatever went wrong
        reason = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        log.warning(
            "training failed: %s", reason, extra={"context": {"kind": run.kind.value, "version": run.version}}
        )
        finished = run.failed(reason, clock.now())
        with uow:
            uow.model_runs.update(finished)
            uow.commit()
    return finished


def _mark_started(run_id: int, uow: UnitOfWork, clock: Clock) -> ModelRun:
    with uow:
        run = uow.model_runs.get(run_id)
        if run is None:
            raise RunNotFound(run_id)
        run = run.started(clock.now())
        uow.model_runs.update(run)
        uow.commit()
    return run


def _train(
    run: ModelRun, uow: UnitOfWork, trainer: ModelTrainer, store: ModelStore, clock: Clock
) -> ModelRun:
    with uow:
        training_set = build_training_set(feature_set(run.kind), list(uow.activity.training_rows()))
        threshold = uow.settings.threshold().value
    refusal = training_set.refusal(run.kind)
    if refusal:
        raise InsufficientTrainingData(refusal)
    model, evaluation = trainer.fit(run.kind, training_set.hold_out, training_set.features.names, threshold)
    artifact = store.save(run.kind, run.version, model)
    warnings = list(training_set.warnings)
    better = evaluation.beats_baselines(run.kind)
    if not better:
        warnings.append(_not_better(run.kind, evaluation))
        log.warning(
            "model not better than its baselines: left inactive",
            extra={"context": {"kind": run.kind.value, "version": run.version}},
        )
    finished = run.succeeded(evaluation, artifact, clock.now(), warnings)
    with uow:
        uow.model_runs.update(finished)
        if better:
            uow.model_runs.activate(Activation(run.kind, run.version, run.requested_by, clock.now()))
        uow.commit()
        return uow.model_runs.get(run.id or 0) or finished


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
        uow.model_runs.activate(Activation(kind, version, activated_by, clock.now()))
        uow.commit()
        return uow.model_runs.get_version(kind, version) or run


def get_run(run_id: int, uow: UnitOfWork) -> ModelRun:
    with uow:
        run = uow.model_runs.get(run_id)
    if run is None:
        raise RunNotFound(run_id)
    return run


def active_run(kind: ModelKind, uow: UnitOfWork) -> ModelRun | None:
    """The version of this model in use, if one has been trained."""
    with uow:
        return uow.model_runs.active(kind)


def list_runs(kind: ModelKind | None, uow: UnitOfWork) -> list[ModelRun]:
    with uow:
        return uow.model_runs.list(kind)


def start_training(
    kind: ModelKind,
    requested_by: str,
    uow_factory: Callable[[], UnitOfWork],
    trainer: ModelTrainer,
    store: ModelStore,
    clock: Clock,
    jobs: JobRunner,
) -> ModelRun:
    """Queue a run and train it in the background; poll the run (by its id) for its status."""
    run = queue_training(kind, requested_by, uow_factory(), clock)
    run_id = run.id or 0
    jobs.submit(
        lambda: run_training(run_id, uow_factory(), trainer, store, clock),
        f"train the {kind.value} model, version {run.version}",
    )
    return run
