"""scikit-learn behind the trainer and predictor ports, one family of models per candidate: scaled linear
and logistic regression pipelines, gradient-boosted trees, and the customer-lifetime forecaster.

A linear pipeline starts by filling a value unknown for a client (NaN) with the feature's training mean,
so an unknown is never read as zero; boosted trees learn where an unknown value belongs.

A purchase model is backtested as fitted and, unless told not to `calibrate`, calibrated
(`CalibratedClassifierCV`, sigmoid and isotonic, fitted on the training months only); it carries the
calibration the backtest keeps (see `domain.calibration.choose_calibration`). Its reasons still come
from the model underneath, the probability it gives is the calibrated one: calibration maps the model's
score monotonically, so the reasons keep their direction.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    brier_score_loss,
    confusion_matrix,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from adapters.lifetime import CustomerLifetimeForecaster
from application.ports import TrainingTable
from domain.calibration import AS_FITTED, CalibrationMethod, CalibrationScore, choose_calibration, reliability
from domain.candidates import Candidate, ModelFamily
from domain.model_runs import Evaluation, main_metric
from domain.predictions import ModelKind

CURVE_THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.1, 0.95, 0.05))


def sales_pipeline() -> Pipeline:
    return Pipeline(
        [("impute", _training_mean()), ("scale", StandardScaler()), ("model", LinearRegression())]
    )


def purchase_pipeline(seed: int) -> Pipeline:
    return Pipeline(
        [
            ("impute", _training_mean()),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=1000, random_state=seed)),
        ]
    )


def _training_mean() -> SimpleImputer:
    return SimpleImputer(strategy="mean", keep_empty_features=True)


MAX_TRAINING_ROWS = 250_000
"""Examples one fit learns from at most: a seeded sample of the training months beyond this."""
INFLUENCE_SAMPLE = 500
"""Hold-out rows a non-linear model's average influence per feature is measured on."""
CALIBRATION_FOLDS = 3
"""Folds of the training rows a calibration learns from: each fold's scores come from a model fitted on
the other folds, so the calibration never sees a score of a row the model was fitted on."""


class _Tested(NamedTuple):
    """One test month of the backtest: each variant of the model (as fitted, and calibrated for a
    purchase model), by name, and how each scored."""

    month: float
    train_size: int
    test_size: int
    models: dict[str, FittedModel]
    scored: dict[str, _Scored]


class SklearnModelTrainer:
    """Backtest a candidate month by month: fit on the months before each test month, score the model
    and each baseline on that month only. The hold-out (newest) month's model is the one returned,
    calibrated when the backtest keeps a calibration."""

    def __init__(self, seed: int = 42, max_training_rows: int = MAX_TRAINING_ROWS) -> None:
        self.seed = seed
        self.max_training_rows = max_training_rows

    def fit(
        self,
        kind: ModelKind,
        candidate: Candidate,
        table: TrainingTable,
        threshold: float,
        calibrate: bool = True,
    ) -> tuple[FittedModel, Evaluation]:
        x = _matrix(table)
        y = np.asarray(table.targets, dtype=float)
        months = np.asarray(table.months, dtype=float)
        labelled = ~np.isnan(y)
        tested: list[_Tested] = []
        for month in table.test_months:
            train = np.flatnonzero(labelled & (months < month))
            test = np.flatnonzero(labelled & (months == month))
            sample = self._sample(train)
            model = self._fit_one(kind, candidate, table.feature_names, x, y, months, sample)
            models = {AS_FITTED: model} | (self._calibrated(model, x, y, sample) if calibrate else {})
            baselines = _baselines(table, test, y[train])
            scored = {
                name: _Scored.of(kind, variant, x[test], y[test], baselines, threshold)
                for name, variant in models.items()
            }
            tested.append(_Tested(month, len(train), len(test), models, scored))
        assert tested, "a training table has at least the hold-out month"
        calibration = _calibration(kind, tested) if calibrate else None
        kept = (calibration or {}).get("method") or AS_FITTED
        folds = [t.scored[kept].fold(kind, t.month, t.train_size, t.test_size) for t in tested]
        hold_out = tested[-1]
        evaluation = hold_out.scored[kept].evaluation(
            kind, hold_out.models[kept], folds, x[test], threshold, self.seed
        )
        return hold_out.models[kept], replace(evaluation, calibration=calibration)

    def _calibrated(
        self, model: FittedModel, x: np.ndarray, y: np.ndarray, train: np.ndarray
    ) -> dict[str, FittedModel]:
        """A purchase model calibrated by each method on its training rows, by name; none when a class
        has fewer training rows than there are folds."""
        outcome = y[train].astype(int)
        if (
            model.kind is not ModelKind.PURCHASE
            or np.bincount(outcome, minlength=2).min() < CALIBRATION_FOLDS
        ):
            return {}
        folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=self.seed)
        return {
            method.value: model.calibrated_by(
                CalibratedClassifierCV(
                    clone(model.estimator), method=method.value, cv=folds, ensemble=False
                ).fit(x[train], outcome)
            )
            for method in CalibrationMethod
        }

    def _sample(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) <= self.max_training_rows:
            return rows
        chosen = np.random.default_rng(self.seed).choice(len(rows), self.max_training_rows, replace=False)
        return rows[np.sort(chosen)]

    def _fit_one(
        self,
        kind: ModelKind,
        candidate: Candidate,
        names: Sequence[str],
        x: np.ndarray,
        y: np.ndarray,
        months: np.ndarray,
        train: np.ndarray,
    ) -> FittedModel:
        family = candidate.family
        if family is ModelFamily.CLV:
            # A customer-lifetime model is fitted on one cross-section of clients: the newest training month.
            newest = train[months[train] == months[train].max()]
            estimator: Any = CustomerLifetimeForecaster().fit(x[newest], y[newest])
        elif family is ModelFamily.BOOSTED:
            estimator = _boosted(kind, self.seed).fit(x[train], y[train])
        elif kind is ModelKind.SALES:
            estimator = sales_pipeline().fit(x[train], y[train])
        else:
            estimator = purchase_pipeline(self.seed).fit(x[train], y[train].astype(int))
        return FittedModel(kind, family, tuple(names), estimator, _means(x[train]))


def _calibration(kind: ModelKind, tested: Sequence[_Tested]) -> dict[str, Any] | None:
    """Purchase: each variant's mean Brier score and ROC AUC over the backtest, and the calibration kept."""
    if kind is not ModelKind.PURCHASE:
        return None
    names = [
        name
        for name in (AS_FITTED, *(m.value for m in CalibrationMethod))
        if all(name in t.scored for t in tested)
    ]
    compared = {name: _mean_score([t.scored[name].metrics for t in tested]) for name in names}
    method = choose_calibration(
        compared[AS_FITTED], {CalibrationMethod(n): score for n, score in compared.items() if n != AS_FITTED}
    )
    return {
        "method": None if method is None else method.value,
        "compared": {name: {"brier": s.brier, "roc_auc": s.roc_auc} for name, s in compared.items()},
    }


def _mean_score(months: Sequence[dict[str, float]]) -> CalibrationScore:
    return CalibrationScore(
        brier=float(np.mean([m["brier"] for m in months])),
        roc_auc=float(np.mean([m["roc_auc"] for m in months])),
    )


def _matrix(table: TrainingTable) -> np.ndarray:
    """The feature columns side by side; `array('d')` columns are read without a copy."""
    if not table.features:
        return np.empty((len(table.targets), 0))
    return np.column_stack([np.asarray(column, dtype=float) for column in table.features])


def _means(x: np.ndarray) -> np.ndarray:
    """Each feature's training mean, 0 where a feature is unknown throughout."""
    if len(x) == 0:
        return np.zeros(x.shape[1])
    with np.errstate(all="ignore"):
        means = np.nanmean(x, axis=0) if x.size else np.zeros(x.shape[1])
    return np.nan_to_num(means)


def _boosted(kind: ModelKind, seed: int) -> Any:
    if kind is ModelKind.SALES:
        return HistGradientBoostingRegressor(
            loss="poisson", max_iter=100, learning_rate=0.1, early_stopping=False, random_state=seed
        )
    return HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, early_stopping=False, random_state=seed
    )


def _baselines(table: TrainingTable, test: np.ndarray, train_targets: np.ndarray) -> dict[str, np.ndarray]:
    """Each baseline's forecasts of the test rows; the training months' mean where it has none."""
    mean = float(train_targets.mean()) if len(train_targets) else 0.0
    forecasts = {}
    for name, values in table.baselines.items():
        column = np.full(len(test), mean) if values is None else np.asarray(values, dtype=float)[test]
        forecasts[name] = np.where(np.isnan(column), mean, column)
    return forecasts


@dataclass(frozen=True, slots=True)
class _Scored:
    """One test month scored: the model's forecasts, their metrics and the baselines' metrics."""

    actual: np.ndarray
    forecast: np.ndarray
    metrics: dict[str, float]
    baseline_metrics: dict[str, dict[str, float]]

    @classmethod
    def of(
        cls,
        kind: ModelKind,
        model: FittedModel,
        x: np.ndarray,
        actual: np.ndarray,
        baselines: dict[str, np.ndarray],
        threshold: float,
    ) -> _Scored:
        forecast = model.predict(x)
        if kind is ModelKind.SALES:
            return cls(
                actual,
                forecast,
                _regression_metrics(actual, forecast),
                {name: _regression_metrics(actual, b) for name, b in baselines.items()},
            )
        outcome = actual.astype(int)
        return cls(
            outcome,
            forecast,
            _classification_metrics(outcome, forecast, forecast >= threshold)
            | {"base_rate": float(outcome.mean())},
            {name: _classification_metrics(outcome, b, b >= threshold) for name, b in baselines.items()},
        )

    def fold(self, kind: ModelKind, month: float, train_size: int, test_size: int) -> dict[str, Any]:
        metric = main_metric(kind)
        day = date(int(month - 1) // 12, int(month - 1) % 12 + 1, 1)
        return {
            "month": day.strftime("%Y-%m"),
            "train_size": train_size,
            "test_size": test_size,
            "metric": metric,
            "score": self.metrics.get(metric),
            "baselines": {name: scores.get(metric) for name, scores in self.baseline_metrics.items()},
        } | ({} if kind is ModelKind.SALES else {"brier": self.metrics["brier"]})

    def evaluation(
        self,
        kind: ModelKind,
        model: FittedModel,
        folds: list[dict[str, Any]],
        x_test: np.ndarray,
        threshold: float,
        seed: int,
    ) -> Evaluation:
        hold_out = folds[-1]
        coefficients, intercept = model.summary(x_test, seed)
        evaluation = Evaluation(
            train_size=hold_out["train_size"],
            test_size=hold_out["test_size"],
            metrics=self.metrics,
            baseline_metrics=self.baseline_metrics,
            coefficients=coefficients,
            intercept=intercept,
            backtest=folds,
        )
        if kind is ModelKind.SALES:
            return evaluation
        decisions = self.forecast >= threshold
        return replace(
            evaluation,
            confusion_matrix=confusion_matrix(self.actual, decisions, labels=[0, 1]).tolist(),
            threshold=threshold,
            threshold_curve=[_at_threshold(self.actual, self.forecast, t) for t in CURVE_THRESHOLDS],
            reliability=reliability(self.forecast.tolist(), self.actual.astype(bool).tolist()).records(),
        )


def _regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """`revenue_bias`: how far the forecasts' total is from the actual total (0 = spot on, +0.1 = 10%
    too high); left out when nothing was actually spent."""
    metrics = {
        "r2": float(r2_score(actual, predicted)),
        "mse": float(mean_squared_error(actual, predicted)),
        "mae": float(mean_absolute_error(actual, predicted)),
    }
    total = float(actual.sum())
    if total != 0:
        metrics["revenue_bias"] = float(predicted.sum()) / total - 1
    return metrics


def _classification_metrics(
    actual: np.ndarray, probability: np.ndarray, decisions: np.ndarray
) -> dict[str, float]:
    """A baseline of a constant probability has a ROC AUC of 0.5 by construction."""
    counts = _Decisions.of(actual, decisions)
    return {
        "accuracy": counts.accuracy,
        "precision": counts.precision,
        "recall": counts.recall,
        "f1": counts.f1,
        "roc_auc": float(roc_auc_score(actual, probability)),
        "brier": float(brier_score_loss(actual, probability, labels=[0, 1])),
    }


def _at_threshold(actual: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, float]:
    decisions = probability >= threshold
    counts = _Decisions.of(actual, decisions)
    return {
        "threshold": threshold,
        "precision": counts.precision,
        "recall": counts.recall,
        "share_selected": float(decisions.mean()),
    }


@dataclass(frozen=True)
class _Decisions:
    """Yes/no decisions against what happened, counted: scikit-learn's accuracy, precision, recall
    and F1 of a binary decision (a ratio with nothing to divide is 0, as with `zero_division=0`),
    without its checks of the labels, which cost a pass over a million outcomes per figure."""

    true_positives: int
    false_positives: int
    false_negatives: int
    total: int

    @classmethod
    def of(cls, actual: np.ndarray, decisions: np.ndarray) -> _Decisions:
        happened, decided = actual.astype(bool), decisions.astype(bool)
        hits = int(np.count_nonzero(happened & decided))
        return cls(
            hits, int(np.count_nonzero(decided)) - hits, int(np.count_nonzero(happened)) - hits, len(actual)
        )

    @property
    def accuracy(self) -> float:
        wrong = self.false_positives + self.false_negatives
        return _ratio(self.total - wrong, self.total)

    @property
    def precision(self) -> float:
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float:
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def f1(self) -> float:
        return _ratio(
            2 * self.true_positives, 2 * self.true_positives + self.false_positives + self.false_negatives
        )


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class FittedModel:
    """A trained model with what it needs to explain itself: its kind, family, inputs and the inputs'
    training means. This is what a model file holds."""

    calibrator: Any = None
    """Purchase: a fitted `CalibratedClassifierCV` around `estimator` that gives the probability; None
    when the model is used as fitted (and in model files saved before calibration)."""

    def __init__(
        self,
        kind: ModelKind,
        family: ModelFamily,
        names: tuple[str, ...],
        estimator: Any,
        means: np.ndarray,
        calibrator: Any = None,
    ) -> None:
        self.kind = kind
        self.family = family
        self.names = names
        self.estimator = estimator
        self.means = means
        self.calibrator = calibrator

    def calibrated_by(self, calibrator: Any) -> FittedModel:
        return FittedModel(self.kind, self.family, self.names, self.estimator, self.means, calibrator)

    def as_fitted(self) -> FittedModel:
        """The model underneath its calibration: the one its reasons explain."""
        return self.calibrated_by(None)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Sales in the company's currency, or the (calibrated) probability of buying."""
        if self.calibrator is not None:
            return np.asarray(self.calibrator.predict_proba(x)[:, 1], dtype=float)
        return self._as_fitted(x)

    def _as_fitted(self, x: np.ndarray) -> np.ndarray:
        """The underlying model's prediction: what reasons explain."""
        if self.family is ModelFamily.LINEAR:
            x = _complete(self.estimator, x)
        if self.kind is ModelKind.SALES:
            return np.asarray(self.estimator.predict(x), dtype=float)
        return np.asarray(self.estimator.predict_proba(x)[:, 1], dtype=float)

    def contributions(self, row: np.ndarray) -> np.ndarray:
        """Linear: exact (coefficient times standardized value). Otherwise an approximation: how the
        prediction (log-odds for purchases) changes when each feature is set to its training mean.
        Either way, of the model as fitted: a calibration only maps its score to the probability."""
        if self.family is ModelFamily.LINEAR:
            return _linear_contributions(self.estimator, row)
        return self._approximate_contributions(row[np.newaxis, :])[0]

    def _approximate_contributions(self, rows: np.ndarray) -> np.ndarray:
        """For each row (and feature), its score minus the score with that feature at its mean: one
        prediction call for every row and feature."""
        filled = np.where(np.isnan(rows), self.means, rows)
        count, width = filled.shape
        probes = np.repeat(filled, width + 1, axis=0).reshape(count, width + 1, width)
        features = np.arange(width)
        probes[:, features + 1, features] = self.means
        scores = self._scale(self._as_fitted(probes.reshape(-1, width))).reshape(count, width + 1)
        return scores[:, :1] - scores[:, 1:]

    def _scale(self, predictions: np.ndarray) -> np.ndarray:
        if self.kind is ModelKind.SALES:
            return predictions
        clipped = np.clip(predictions, 1e-6, 1 - 1e-6)
        return np.log(clipped / (1 - clipped))

    def summary(self, x_test: np.ndarray, seed: int) -> tuple[dict[str, float], float]:
        """Per feature, the standardized coefficient (linear) or the mean absolute contribution on a
        sample of the hold-out (the others); and the intercept (linear) or mean prediction."""
        if self.family is ModelFamily.LINEAR:
            model = self.estimator["model"]
            return _coefficients(self.estimator, self.names), float(np.ravel(model.intercept_)[0])
        rows = x_test
        if len(rows) > INFLUENCE_SAMPLE:
            rows = rows[np.random.default_rng(seed).choice(len(rows), INFLUENCE_SAMPLE, replace=False)]
        values = (
            np.abs(self._approximate_contributions(rows)).mean(axis=0)
            if len(rows)
            else np.zeros(len(self.names))
        )
        mean = float(self.predict(rows).mean()) if len(rows) else 0.0
        return {name: float(v) for name, v in zip(self.names, values, strict=True)}, mean


def _linear_contributions(pipeline: Pipeline, row: np.ndarray) -> np.ndarray:
    standardized = pipeline[:-1].transform(_complete(pipeline, row[np.newaxis, :]))[0]
    return np.ravel(pipeline["model"].coef_) * standardized


def _coefficients(pipeline: Pipeline, names: Sequence[str]) -> dict[str, float]:
    """Coefficients on standardized features: comparable with each other, whatever a feature's unit."""
    return {name: float(c) for name, c in zip(names, np.ravel(pipeline["model"].coef_), strict=True)}


class SklearnModelPredictor:
    """Applies a `FittedModel`, or a bare linear pipeline saved before models carried their family."""

    def predict(self, kind: ModelKind, model: object, rows: Sequence[Sequence[float]]) -> list[float]:
        x = np.asarray(rows, dtype=float).reshape(len(rows), -1)
        return [float(v) for v in _fitted(kind, model, x.shape[1]).predict(x)]

    def predict_columns(
        self, kind: ModelKind, model: object, columns: Sequence[Sequence[float]], count: int
    ) -> Sequence[float]:
        x = np.empty((count, len(columns)), dtype=float)
        for index, column in enumerate(columns):
            x[:, index] = np.frombuffer(column, dtype=float) if isinstance(column, array) else column
        return array("d", _fitted(kind, model, x.shape[1]).predict(x).astype(float, copy=False).tobytes())

    def contributions(self, model: object, row: Sequence[float]) -> list[float]:
        x = np.asarray(row, dtype=float)
        kind = model.kind if isinstance(model, FittedModel) else _kind_of_pipeline(model)
        return [float(v) for v in _fitted(kind, model, len(x)).contributions(x)]


def _fitted(kind: ModelKind, model: object, width: int) -> FittedModel:
    if isinstance(model, FittedModel):
        return model
    names = tuple(f"x{i}" for i in range(width))
    return FittedModel(kind, ModelFamily.LINEAR, names, _pipeline(model), np.zeros(width))


def _kind_of_pipeline(model: object) -> ModelKind:
    return ModelKind.PURCHASE if hasattr(_pipeline(model)["model"], "predict_proba") else ModelKind.SALES


def _pipeline(model: Any) -> Pipeline:
    if not isinstance(model, Pipeline):
        raise TypeError(f"expected a fitted model or a scikit-learn Pipeline, got {type(model).__name__}")
    return model


def _complete(pipeline: Pipeline, x: np.ndarray) -> np.ndarray:
    """Models saved before pipelines imputed: their scaler's training mean stands in for an unknown."""
    if "impute" in pipeline.named_steps or not np.isnan(x).any():
        return x
    return np.where(np.isnan(x), pipeline["scale"].mean_, x)
