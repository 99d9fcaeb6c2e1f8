"""Model runs: each training of a model, its hold-out metrics, its artifact, and which version is active."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from domain.calibration import Reliability
from domain.candidates import DEFAULT_CANDIDATE, Candidate
from domain.drift import FeatureProfile
from domain.errors import Conflict, DomainError, NotFound
from domain.leases import WorkStatus, has_lapsed
from domain.predictions import ModelKind

MIN_TRAINING_ROWS = 50
"""Labelled snapshots needed in the training months."""
MIN_TEST_ROWS = 20
"""Labelled snapshots needed in the test month, the newest labelled one."""
PURCHASE_AUC_MARGIN = 0.02
"""How much higher than its best baseline a purchase model's ROC AUC must be to be made active."""
RUN_LEASE = timedelta(seconds=60)
"""How long a run's worker may go without a heartbeat before the run counts as abandoned."""
QUEUE_GRACE = timedelta(minutes=15)
"""How long a run may wait in the queue, unclaimed by any worker, before it counts as abandoned."""
HEARTBEAT_INTERVAL = timedelta(seconds=10)
"""How often a worker renews the lease of the runs it trains: several times within `RUN_LEASE`."""


def main_metric(kind: ModelKind) -> str:
    """The metric models of a kind are judged by, higher being better: R² for sales, ROC AUC for purchase."""
    return "r2" if kind is ModelKind.SALES else "roc_auc"


RunStatus = WorkStatus
"""Where a run's training stands."""


class RunNotFound(NotFound):
    code = "run_not_found"

    def __init__(self, ref: object) -> None:
        super().__init__(f"Model run {ref} not found.", run=str(ref))


class ModelNotTrained(DomainError):
    code = "model_not_trained"

    def __init__(self, kind: ModelKind) -> None:
        super().__init__(
            f"The {kind.value} model is not trained yet: an admin has to train it first.", kind=kind.value
        )
        self.kind = kind


class InsufficientTrainingData(DomainError):
    """Training refused: too few labelled rows, or only one class to learn from."""

    code = "insufficient_training_data"


class TrainingAlreadyRunning(Conflict):
    code = "training_running"

    def __init__(self, kind: ModelKind, version: int) -> None:
        super().__init__(
            f"Training of the {kind.value} model (version {version}) is already in progress.",
            kind=kind.value,
            version=version,
        )


class ArtifactTampered(DomainError):
    code = "artifact_tampered"

    def __init__(self, path: str) -> None:
        super().__init__(f"The model file {path} does not match its recorded SHA-256; refusing to load it.")


class ArtifactMissing(DomainError):
    code = "artifact_missing"

    def __init__(self, path: str) -> None:
        super().__init__(f"The model file {path} is missing; retrain or activate another version.")


class RunNotActivatable(Conflict):
    code = "run_not_activatable"

    def __init__(self, kind: ModelKind, version: int) -> None:
        super().__init__(
            f"Version {version} of the {kind.value} model did not train successfully.",
            kind=kind.value,
            version=version,
        )


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What a fitted model scored on the hold-out (the newest labelled month), next to naive baselines
    scored on the same rows: `baseline_metrics` holds each baseline's metrics under its name."""

    train_size: int
    test_size: int
    metrics: dict[str, float]
    baseline_metrics: dict[str, dict[str, float]]
    coefficients: dict[str, float]
    intercept: float
    confusion_matrix: list[list[int]] | None = None
    threshold: float | None = None
    threshold_curve: list[dict[str, float]] | None = None
    """Precision and recall on the hold-out at other thresholds: what moving the threshold would do."""
    backtest: list[dict[str, Any]] = field(default_factory=list)
    """The rolling backtest, oldest test month first, the hold-out last: per month (`month`, YYYY-MM)
    the rows trained and tested on, the model's score on the kind's main metric (`metric`, `score`) and
    each baseline's (`baselines`, by name)."""
    training_profile: dict[str, dict[str, Any]] | None = None
    """Per feature, the profile of the values the model learnt from (`FeatureProfile.as_document`): what
    the newest snapshots are compared with to measure drift. None for a model trained before it was kept."""

    @property
    def profiles(self) -> dict[str, FeatureProfile]:
        """The training profile of each feature, by name; empty when none was kept."""
        documents = self.training_profile or {}
        return {name: FeatureProfile.from_document(document) for name, document in documents.items()}

    reliability: list[dict[str, Any]] | None = None
    """Purchase: the hold-out's reliability curve, its bins as records (see `Reliability.records`)."""
    calibration: dict[str, Any] | None = None
    """Purchase: the calibrations compared on the backtest (`compared`: the mean `brier` and `roc_auc`
    of the model as fitted, `none`, and of each calibration, by method) and the one kept (`method`,
    None for the model as fitted)."""

    @property
    def hold_out_reliability(self) -> Reliability | None:
        """The hold-out's reliability curve with its Brier score; None before runs recorded it."""
        if self.reliability is None:
            return None
        return Reliability.from_records(self.reliability, self.metrics.get("brier"))

    @property
    def calibration_method(self) -> str | None:
        """The calibration the model carries, None when it is used as fitted."""
        return None if self.calibration is None else self.calibration.get("method")

    @property
    def backtest_score(self) -> float | None:
        """The model's mean score over the backtest's months: how candidates are compared."""
        scores = [fold["score"] for fold in self.backtest or () if fold.get("score") is not None]
        return sum(scores) / len(scores) if scores else None

    @property
    def features(self) -> tuple[str, ...]:
        """The features the model was trained on (and predicts from): one coefficient each."""
        return tuple(self.coefficients)

    def best_baseline(self, metric: str) -> tuple[str, float] | None:
        """The baseline scoring highest on `metric` (one where higher is better), with its score."""
        scored = [(name, m[metric]) for name, m in self.baseline_metrics.items() if m.get(metric) is not None]
        return max(scored, key=lambda pair: pair[1]) if scored else None

    def beats_baselines(self, kind: ModelKind) -> bool:
        """Sales: a higher R² than every baseline; purchase: a ROC AUC higher than every baseline's by
        at least PURCHASE_AUC_MARGIN."""
        metric = main_metric(kind)
        best, score = self.best_baseline(metric), self.metrics.get(metric)
        if best is None:
            return True
        if score is None:
            return False
        if kind is ModelKind.SALES:
            return score > best[1]
        return score >= best[1] + PURCHASE_AUC_MARGIN - 1e-9


@dataclass(frozen=True, slots=True)
class Artifact:
    path: str
    sha256: str


COMMAND_LINE_PREFIX = "cli:"
"""Who started a run from the command line is stored as `cli:<system user>`; from the panel or the API,
as the user's email."""


def command_line_operator(system_user: str) -> str:
    return f"{COMMAND_LINE_PREFIX}{system_user}"


def is_command_line_operator(requested_by: str) -> bool:
    return requested_by.startswith(COMMAND_LINE_PREFIX)


@dataclass(frozen=True, slots=True)
class ModelRun:
    kind: ModelKind
    version: int
    requested_by: str
    queued_at: datetime
    status: RunStatus = RunStatus.QUEUED
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    evaluation: Evaluation | None = None
    artifact: Artifact | None = None
    is_active: bool = False
    warnings: list[str] = field(default_factory=list)
    """What the training noticed: features left out, a model no better than its baselines."""
    candidate: Candidate = DEFAULT_CANDIDATE
    comparison: int | None = None
    """The id of the first run of the comparison this run was trained in (`train --auto`), if any."""
    heartbeat_at: datetime | None = None
    """When the worker training the run (or holding it queued) last said it was alive."""
    worker: str | None = None
    """The process that holds the run: host and process id."""
    id: int | None = None

    def started(self, at: datetime, worker: str | None = None) -> ModelRun:
        return replace(self, status=RunStatus.RUNNING, started_at=at, heartbeat_at=at, worker=worker)

    def is_abandoned(
        self,
        now: datetime,
        lease: timedelta = RUN_LEASE,
        grace: timedelta = QUEUE_GRACE,
        worker_stopped: bool = False,
    ) -> bool:
        """In progress, but its worker stopped: known to have stopped (`worker_stopped`), no heartbeat
        within the lease (a run claimed by a worker), or never claimed within the queue's grace."""
        if self.status.is_finished:
            return False
        if worker_stopped and self.worker is not None:
            return True
        if self.heartbeat_at is None and self.status is RunStatus.RUNNING:  # started before heartbeats
            return now - (self.started_at or self.queued_at) > lease
        return has_lapsed(now, self.heartbeat_at, self.queued_at, lease, grace)

    def abandoned(self, at: datetime) -> ModelRun:
        """Failed, saying why: the worker that held it stopped."""
        if self.heartbeat_at is None and self.status is RunStatus.QUEUED:
            reason = f"No process started it (queued since {_moment(self.queued_at)})."
        else:
            last = self.heartbeat_at or self.started_at or self.queued_at
            holder = f" ({self.worker})" if self.worker else ""
            reason = f"The process training it{holder} stopped (no heartbeat since {_moment(last)})."
        return self.failed(reason, at)

    def succeeded(
        self, evaluation: Evaluation, artifact: Artifact, at: datetime, warnings: list[str] | None = None
    ) -> ModelRun:
        return replace(
            self,
            status=RunStatus.SUCCEEDED,
            evaluation=evaluation,
            artifact=artifact,
            finished_at=at,
            warnings=list(warnings or []),
        )

    def failed(self, reason: str, at: datetime) -> ModelRun:
        return replace(self, status=RunStatus.FAILED, error=reason, finished_at=at, is_active=False)

    @property
    def beats_baselines(self) -> bool | None:
        """Whether the model did better than its baselines on the hold-out; None before it succeeded."""
        return None if self.evaluation is None else self.evaluation.beats_baselines(self.kind)

    @property
    def can_be_activated(self) -> bool:
        return self.status is RunStatus.SUCCEEDED and self.artifact is not None


def _moment(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


@dataclass(frozen=True, slots=True)
class Activation:
    """A moment a version became the active one: the history behind rollbacks."""

    kind: ModelKind
    version: int
    activated_by: str
    activated_at: datetime
