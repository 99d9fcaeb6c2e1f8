"""Models: a training run, its hold-out evaluation, and a run just queued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from pydantic import Field

from domain.candidates import FeatureSetName, ModelFamily
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


class ComparisonStartedOut(Schema):
    """The queued runs of a comparison, one per candidate: poll each `url`."""

    comparison: int = Field(description="The id of the comparison's first run, which names it.")
    runs: list[TrainingStartedOut]

    @classmethod
    def of(cls, runs: list[ModelRun]) -> ComparisonStartedOut:
        return cls(comparison=runs[0].comparison or 0, runs=[TrainingStartedOut.of(run) for run in runs])


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
    coefficients: dict[str, float] = Field(
        description="Per feature: the coefficient on standardized inputs (linear models), else the mean "
        "absolute change of a prediction when the feature is set to its training mean (an approximation)."
    )
    intercept: float
    confusion_matrix: list[list[int]] | None = Field(
        description="[[TN, FP], [FN, TP]] at the threshold (purchase)."
    )
    threshold: float | None
    threshold_curve: list[dict[str, float | None]] | None = Field(
        description="Precision and recall on the hold-out at other thresholds (purchase)."
    )
    backtest: list[dict[str, Any]] | None = Field(
        description="The rolling backtest, oldest test month first, the test month above last: per month "
        "`month` (YYYY-MM), `train_size`, `test_size`, the main `metric` (r2 or roc_auc), the model's "
        "`score` and each baseline's (`baselines`)."
    )
    backtest_score: float | None = Field(description="The model's mean score over the backtest's months.")


class ModelRunOut(Schema):
    """One training of a model: its status, and once it succeeded, its metrics and artifact."""

    id: int
    kind: ModelKind
    version: int
    status: RunStatus
    requested_by: str = Field(
        description="Who started the run: the email of a user of the panel or the API, or "
        "`cli:<system user>` for the command line."
    )
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
    features: FeatureSetName = Field(
        description="The candidate's inputs: basic, or extended (order history)."
    )
    model: ModelFamily = Field(description="The candidate's family: linear, boosted or clv.")
    comparison: int | None = Field(description="The comparison the run was trained in, if any.")
    worker: str | None = Field(description="The process (host:pid) holding the run while in progress.")
    heartbeat_at: datetime | None = Field(
        description="When that process last said it was alive; a run silent for a minute is failed."
    )
    evaluation: EvaluationOut | None
    artifact_sha256: str | None = Field(description="SHA-256 of the saved model; checked on every load.")
    url: str

    @classmethod
    def of(cls, run: ModelRun) -> ModelRunOut:
        sha256 = None if run.artifact is None else run.artifact.sha256
        return cls.reading(
            run,
            artifact_sha256=sha256,
            url=run_url(run),
            features=run.candidate.features,
            model=run.candidate.family,
        )


class ModelRunListOut(Schema):
    items: list[ModelRunOut] = Field(description="Newest first.")
