"""Model runs: each training of a model, its hold-out metrics, its artifact, and which version is active."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import Conflict, DomainError, NotFound
from domain.predictions import ModelKind

MIN_TRAINING_ROWS = 50


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def is_finished(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED)


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
    """What a fitted model scored on the hold-out set, next to a naive baseline on the same rows."""

    train_size: int
    test_size: int
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    coefficients: dict[str, float]
    intercept: float
    confusion_matrix: list[list[int]] | None = None
    threshold: float | None = None
    threshold_curve: list[dict[str, float]] | None = None
    """Precision and recall on the hold-out at other thresholds: what moving the threshold would do."""

    @property
    def features(self) -> tuple[str, ...]:
        """The features the model was trained on (and predicts from): one coefficient each."""
        return tuple(self.coefficients)


@dataclass(frozen=True, slots=True)
class Artifact:
    path: str
    sha256: str


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
    id: int | None = None

    def started(self, at: datetime) -> ModelRun:
        return replace(self, status=RunStatus.RUNNING, started_at=at)

    def succeeded(self, evaluation: Evaluation, artifact: Artifact, at: datetime) -> ModelRun:
        return replace(
            self, status=RunStatus.SUCCEEDED, evaluation=evaluation, artifact=artifact, finished_at=at
        )

    def failed(self, reason: str, at: datetime) -> ModelRun:
        return replace(self, status=RunStatus.FAILED, error=reason, finished_at=at, is_active=False)

    @property
    def can_be_activated(self) -> bool:
        return self.status is RunStatus.SUCCEEDED and self.artifact is not None


@dataclass(frozen=True, slots=True)
class Activation:
    """A moment a version became the active one: the history behind rollbacks."""

    kind: ModelKind
    version: int
    activated_by: str
    activated_at: datetime
