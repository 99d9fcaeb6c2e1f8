"""Models: a training run, its hold-out evaluation, and a run just queued."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from pydantic import Field

from domain.model_runs import ModelRun, RunStatus
from domain.predictions import ModelKind
from entrypoints.api.schemas.base import Schema


class TrainingStartedOut(Schema):
    """A queued training run: poll `url` for its status and metrics."""

    id: int
    kind: ModelKind
    version: int
    status: RunStatus
    url: str

    @classmethod
    def of(cls, run: ModelRun) -> TrainingStartedOut:
        return cls.reading(run, url=run_url(run))


def run_url(run: ModelRun) -> str:
    return url_for("api.get_run", kind=run.kind.value, run_id=run.id)


class EvaluationOut(Schema):
    """Scores on the test month only (the newest labelled month; the model learnt from the months
    before it), next to naive baselines scored on the same rows."""

    train_size: int
    test_size: int
    metrics: dict[str, float | None] = Field(
        description="R², MSE, MAE, revenue bias (sales); accuracy … ROC AUC (purchase)."
    )
    baseline_metrics: dict[str, dict[str, float | None]] = Field(
        description="Each baseline's metrics by its name: mean, zero, last_month (sales); "
        "base_rate, bought_last_30d (purchase)."
    )
    coefficients: dict[str, float] = Field(description="Per feature, on standardized inputs.")
    intercept: float
    confusion_matrix: list[list[int]] | None = Field(
        description="[[TN, FP], [FN, TP]] at the threshold (purchase)."
    )
    threshold: float | None
    threshold_curve: list[dict[str, float | None]] | None = Field(
        description="Precision and recall on the hold-out at other thresholds (purchase)."
    )


class ModelRunOut(Schema):
    """One training of a model: its status, and once it succeeded, its metrics and artifact."""

    id: int
    kind: ModelKind
    version: int
    status: RunStatus
    requested_by: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why the run failed or was refused.")
    is_active: bool = Field(description="The version predictions use now.")
    warnings: list[str] = Field(
        description="Features left out for carrying no signal; a model not better than its baselines."
    )
    beats_baselines: bool | None = Field(
        description="Better than every baseline on the test month; such a model is made active on its own."
    )
    evaluation: EvaluationOut | None
    artifact_sha256: str | None = Field(description="SHA-256 of the saved model; checked on every load.")
    url: str

    @classmethod
    def of(cls, run: ModelRun) -> ModelRunOut:
        sha256 = None if run.artifact is None else run.artifact.sha256
        return cls.reading(run, artifact_sha256=sha256, url=run_url(run))


class ModelRunListOut(Schema):
    items: list[ModelRunOut] = Field(description="Newest first.")
