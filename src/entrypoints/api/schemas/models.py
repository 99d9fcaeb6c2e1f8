"""Models: a training run, its hold-out evaluation, and a run just queued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from pydantic import Field

from application.calibration import PurchaseCalibration, RealizedReliability
from application.decisions import ThresholdAdvice, ValueSource
from application.monitoring import ModelPerformance, MonthPerformance
from domain.calibration import Reliability
from domain.candidates import FeatureSetName, ModelFamily
from domain.model_runs import ModelRun, RunStatus
from domain.performance import SalesPerformance
from domain.predictions import ModelKind
from entrypoints.api.schemas.base import IN_CURRENCY, Schema


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
    calibration: dict[str, Any] | None = Field(
        description="Purchase: the mean backtest `brier` and `roc_auc` of the model as fitted (`none`) and "
        "calibrated (`sigmoid`, `isotonic`) under `compared`, and the calibration kept (`method`, null "
        "when the model is used as fitted)."
    )


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


class SalesRealizedOut(Schema):
    """Sales forecasts against what the clients then spent in the month after their snapshot."""

    count: int = Field(description="Clients scored (the last forecast per client and snapshot).")
    mae: float = Field(description=f"Mean absolute error, {IN_CURRENCY}.")
    r2: float | None = Field(description="None below two clients, or when they all spent the same.")
    revenue_bias: float | None = Field(
        description="Sum forecast / sum actual - 1 (0.1: 10% too high); None when nobody spent anything."
    )
    forecast_total: float = Field(description=f"The forecasts' sum, {IN_CURRENCY}.")
    actual_total: float = Field(description=f"What the clients spent, {IN_CURRENCY}.")


class DecileOut(Schema):
    clients: int
    buyer_share: float | None = Field(description="The share who bought; None for an empty tenth.")
    lift: float | None = Field(description="The buyer share over the base rate; None when nobody bought.")


class PurchaseRealizedOut(Schema):
    """Purchase predictions against whether the clients then bought within 14 days of their snapshot."""

    count: int = Field(description="Clients scored (the last prediction per client and snapshot).")
    base_rate: float = Field(description="The share of them who bought.")
    precision: float | None = Field(
        description="Of those predicted to buy (each at the threshold it was made with), the share who "
        "did; None when none was."
    )
    recall: float | None = Field(
        description="Of those who bought, the share predicted to; None when none did."
    )
    roc_auc: float | None = Field(description="None when everyone bought or nobody did.")
    brier: float = Field(description="Mean squared difference between the chance and the outcome (0 or 1).")
    deciles: list[DecileOut] = Field(
        description="The clients ranked by chance, highest first, in ten tenths as equal as can be."
    )


class MonthPerformanceOut(Schema):
    model_version: int
    month: str = Field(description="The month (YYYY-MM) of the snapshots the predictions were made from.")
    realized: SalesRealizedOut | PurchaseRealizedOut
    realized_key_metric: float | None = Field(description="R² (sales) or ROC AUC (purchase), realized.")
    claimed_key_metric: float | None = Field(description="The same metric on the version's hold-out.")
    claimed: dict[str, float | None] = Field(
        description="Every hold-out metric the version's training recorded; empty if none was."
    )
    falls_short: bool = Field(
        description="The realized key metric is below the claimed one by more than `margin`."
    )

    @classmethod
    def of(cls, month: MonthPerformance) -> MonthPerformanceOut:
        realized: SalesRealizedOut | PurchaseRealizedOut = (
            SalesRealizedOut.reading(month.realized)
            if isinstance(month.realized, SalesPerformance)
            else PurchaseRealizedOut.reading(month.realized)
        )
        return cls.reading(
            month,
            month=month.month.strftime("%Y-%m"),
            realized=realized,
            realized_key_metric=month.realized.key_metric,
        )


class PerformanceOut(Schema):
    """How a model's stored predictions did once their outcomes arrived, by version and month. A
    prediction counts once its snapshot's outcome is known; those made before the snapshot's date was
    recorded cannot be scored and are left out."""

    kind: ModelKind
    key_metric: str = Field(description="`r2` (sales) or `roc_auc` (purchase).")
    margin: float = Field(description="How far below the claimed key metric a month is flagged.")
    months: list[MonthPerformanceOut] = Field(
        description="By version, then month, oldest first; empty until an outcome is known."
    )

    @classmethod
    def of(cls, performance: ModelPerformance) -> PerformanceOut:
        return cls.reading(
            performance, months=[MonthPerformanceOut.of(month) for month in performance.months]
        )


class ProfitPointOut(Schema):
    threshold: float
    contacted: float = Field(description="Share of clients contacted at this threshold.")
    converted: float = Field(description="Share of clients contacted who then bought.")
    profit_per_client: float = Field(description=f"Expected profit per client, {IN_CURRENCY}.")


class RealizedProfitOut(Schema):
    """The same thresholds priced on the stored purchase predictions whose outcomes are known."""

    clients: int = Field(description="Predictions scored: the last per client, snapshot and model version.")
    points: list[ProfitPointOut] = Field(description="At each threshold of the test month's curve.")
    best: ProfitPointOut = Field(description="The most profitable threshold (the highest of equal ones).")
    current: ProfitPointOut = Field(description="The point nearest the threshold in force.")


class ThresholdAdviceOut(Schema):
    model_version: int = Field(description="The active purchase model's version the curve is from.")
    clients: int = Field(description="Clients of its test month.")
    points: list[ProfitPointOut] = Field(description="At each threshold of the test month's curve.")
    best: ProfitPointOut = Field(description="The most profitable threshold (the highest of equal ones).")
    current_threshold: float = Field(description="The threshold in force.")
    current: ProfitPointOut = Field(description="The curve's point nearest the threshold in force.")
    value_per_conversion_used: float = Field(
        description=f"What a conversion on the test month was valued at, {IN_CURRENCY}."
    )
    value_source: ValueSource = Field(
        description="`given` (the request's `value_per_conversion`) or `mean_forecast` (with "
        "`value_from_forecast`: the mean current sales forecast of the company's clients, since the test "
        "month's curve has no per-client rows)."
    )
    realized: RealizedProfitOut | None = Field(
        description="The same arithmetic on the predictions whose outcomes are known (what each threshold "
        "would have earned on them); null until one is. With `value_from_forecast`, each conversion is "
        "valued at the sales forecast made with its prediction from the same snapshot, and predictions "
        "without one are left out."
    )

    @classmethod
    def of(cls, advice: ThresholdAdvice) -> ThresholdAdviceOut:
        return cls.model_validate(advice, from_attributes=True)


class ReliabilityBinOut(Schema):
    lower: float = Field(description="The bin holds the probabilities from `lower` (included)…")
    upper: float = Field(description="…to `upper` (excluded; 1 is in the last bin).")
    clients: int
    mean_probability: float | None = Field(description="Their mean predicted probability; null if none.")
    buy_rate: float | None = Field(description="The share of them who bought; null if none.")


class ReliabilityOut(Schema):
    """Predicted against observed buy rate in ten equal probability bins: a perfectly calibrated model's
    bins have a mean probability equal to their buy rate."""

    clients: int
    brier: float | None = Field(
        description="Mean squared difference between the probability and the outcome (0 or 1); lower "
        "is better. Null with no client."
    )
    bins: list[ReliabilityBinOut]


class RealizedReliabilityOut(Schema):
    model_version: int
    curve: ReliabilityOut

    @classmethod
    def of(cls, realized: RealizedReliability) -> RealizedReliabilityOut:
        return cls(model_version=realized.model_version, curve=_curve(realized.curve))


class PurchaseCalibrationOut(Schema):
    model_version: int = Field(description="The active purchase model's version.")
    method: str | None = Field(
        description="The calibration it carries (`sigmoid` or `isotonic`), kept by its backtest; null "
        "when it is used as fitted."
    )
    compared: dict[str, dict[str, float | None]] = Field(
        description="The backtest's mean `brier` and `roc_auc` of the model as fitted (`none`) and with "
        "each calibration; empty for a version trained before calibrations were compared."
    )
    hold_out: ReliabilityOut | None = Field(
        description="On its test month, when it was trained; null for a version trained before curves "
        "were recorded."
    )
    realized: list[RealizedReliabilityOut] = Field(
        description="Per version whose stored predictions have known outcomes, newest first, all months "
        "together."
    )

    @classmethod
    def of(cls, calibration: PurchaseCalibration) -> PurchaseCalibrationOut:
        return cls.reading(
            calibration,
            hold_out=None if calibration.hold_out is None else _curve(calibration.hold_out),
            realized=[RealizedReliabilityOut.of(r) for r in calibration.realized],
        )


def _curve(curve: Reliability) -> ReliabilityOut:
    return ReliabilityOut.reading(curve, bins=[ReliabilityBinOut.reading(b) for b in curve.bins])
