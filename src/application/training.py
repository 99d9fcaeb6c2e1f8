"""Use cases that train models, and choose which trained version is active."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from application.ports import Clock, JobRunner, ModelStore, ModelTrainer, ScoringRow, UnitOfWork
from domain.errors import DomainError
from domain.features import FeatureSet, feature_set, target
from domain.model_runs import (
    MIN_TRAINING_ROWS,
    Activation,
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
    features: FeatureSet
    """The features known in every example: the ones the model learns from."""
    rows: list[tuple[float, ...]]
    targets: list[float]

    def refusal(self, kind: ModelKind) -> str | None:
        """Why these examples cannot make a trustworthy model, or None when they can."""
        if len(self.rows) < MIN_TRAINING_ROWS:
            return (
                f"Too little data: {len(self.rows)} labelled snapshots, "
                f"at least {MIN_TRAINING_ROWS} are needed."
            )
        if kind is ModelKind.PURCHASE and len(set(self.targets)) < 2:
            return "Only one outcome among the labelled snapshots: the model needs buyers and non-buyers."
        if not self.features.features:
            return "No feature is known in every labelled snapshot: there is nothing to learn from."
        return None


def build_training_set(features: FeatureSet, rows: list[ScoringRow]) -> TrainingSet:
    """The labelled examples, on the features known in all of them: an unknown is never made a zero."""
    examples = [
        (features.row(r.snapshot, r.registered_on), outcome)
        for r in rows
        if (outcome := target(features.kind, r.snapshot)) is not None
    ]
    known = features.known_throughout([x for x, _ in examples])
    if known.names != features.names:
        log.info(
            "features left out of training: unknown in some labelled snapshots",
            extra={"context": {"kind": features.kind.value, "used": list(known.names)}},
        )
    return TrainingSet(known, [features.project(known, x) for x, _ in examples], [y for _, y in examples])


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
    """Fit, evaluate on the hold-out, save and activate the model; a failure keeps the old one active."""
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
    model, evaluation = trainer.fit(
        run.kind, training_set.rows, training_set.targets, training_set.features.names, threshold
    )
    artifact = store.save(run.kind, run.version, model)
    finished = run.succeeded(evaluation, artifact, clock.now())
    with uow:
        uow.model_runs.update(finished)
        uow.model_runs.activate(Activation(run.kind, run.version, run.requested_by, clock.now()))
        uow.commit()
    return finished


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
