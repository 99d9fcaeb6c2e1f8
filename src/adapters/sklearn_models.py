"""scikit-learn behind the trainer and predictor ports: scaled linear and logistic regression pipelines.

Each pipeline starts by filling a value unknown for a client (NaN) with the feature's training mean, so an
unknown is never read as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from application.ports import HoldOut
from domain.model_runs import Evaluation
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


class SklearnModelTrainer:
    """Fit on the training months, score the model and each baseline on the test month only."""

    def __init__(self, seed: int = 42) -> None:
        self.seed = seed

    def fit(
        self, kind: ModelKind, data: HoldOut, feature_names: Sequence[str], threshold: float
    ) -> tuple[object, Evaluation]:
        width = len(feature_names)
        x_train = np.asarray(data.train_rows, dtype=float).reshape(-1, width)
        x_test = np.asarray(data.test_rows, dtype=float).reshape(-1, width)
        y_train = np.asarray(data.train_targets, dtype=float)
        y_test = np.asarray(data.test_targets, dtype=float)
        baselines = {name: np.asarray(values, dtype=float) for name, values in data.baselines.items()}
        if kind is ModelKind.SALES:
            return self._fit_sales(x_train, y_train, x_test, y_test, baselines, feature_names)
        return self._fit_purchase(
            x_train, y_train.astype(int), x_test, y_test.astype(int), baselines, feature_names, threshold
        )

    def _fit_sales(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
        baselines: dict[str, np.ndarray],
        names: Sequence[str],
    ) -> tuple[Pipeline, Evaluation]:
        pipeline = sales_pipeline().fit(x_train, y_train)
        return pipeline, Evaluation(
            train_size=len(y_train),
            test_size=len(y_test),
            metrics=_regression_metrics(y_test, pipeline.predict(x_test)),
            baseline_metrics={name: _regression_metrics(y_test, b) for name, b in baselines.items()},
            coefficients=_coefficients(pipeline, names),
            intercept=float(pipeline["model"].intercept_),
        )

    def _fit_purchase(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
        baselines: dict[str, np.ndarray],
        names: Sequence[str],
        threshold: float,
    ) -> tuple[Pipeline, Evaluation]:
        pipeline = purchase_pipeline(self.seed).fit(x_train, y_train)
        probability = pipeline.predict_proba(x_test)[:, 1]
        decisions = probability >= threshold
        return pipeline, Evaluation(
            train_size=len(y_train),
            test_size=len(y_test),
            metrics=_classification_metrics(y_test, probability, decisions)
            | {"base_rate": float(y_test.mean())},
            baseline_metrics={
                name: _classification_metrics(y_test, b, b >= threshold) for name, b in baselines.items()
            },
            coefficients=_coefficients(pipeline, names),
            intercept=float(pipeline["model"].intercept_[0]),
            confusion_matrix=confusion_matrix(y_test, decisions, labels=[0, 1]).tolist(),
            threshold=threshold,
            threshold_curve=[_at_threshold(y_test, probability, t) for t in CURVE_THRESHOLDS],
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
    return {
        "accuracy": float(accuracy_score(actual, decisions)),
        "precision": float(precision_score(actual, decisions, zero_division=0)),
        "recall": float(recall_score(actual, decisions, zero_division=0)),
        "f1": float(f1_score(actual, decisions, zero_division=0)),
        "roc_auc": float(roc_auc_score(actual, probability)),
    }


def _at_threshold(actual: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, float]:
    decisions = probability >= threshold
    return {
        "threshold": threshold,
        "precision": float(precision_score(actual, decisions, zero_division=0)),
        "recall": float(recall_score(actual, decisions, zero_division=0)),
        "share_selected": float(decisions.mean()),
    }


def _coefficients(pipeline: Pipeline, names: Sequence[str]) -> dict[str, float]:
    """Coefficients on standardized features: comparable with each other, whatever a feature's unit."""
    return {name: float(c) for name, c in zip(names, np.ravel(pipeline["model"].coef_), strict=True)}


class SklearnModelPredictor:
    def predict(self, kind: ModelKind, model: object, rows: Sequence[Sequence[float]]) -> list[float]:
        pipeline = _pipeline(model)
        x = _complete(pipeline, np.asarray(rows, dtype=float))
        if kind is ModelKind.SALES:
            return [float(v) for v in pipeline.predict(x)]
        return [float(p) for p in pipeline.predict_proba(x)[:, 1]]

    def contributions(self, model: object, row: Sequence[float]) -> list[float]:
        pipeline = _pipeline(model)
        standardized = pipeline[:-1].transform(_complete(pipeline, np.asarray([row], dtype=float)))[0]
        return [float(v) for v in np.ravel(pipeline["model"].coef_) * standardized]


def _pipeline(model: Any) -> Pipeline:
    if not isinstance(model, Pipeline):
        raise TypeError(f"expected a scikit-learn Pipeline, got {type(model).__name__}")
    return model


def _complete(pipeline: Pipeline, x: np.ndarray) -> np.ndarray:
    """Models saved before pipelines imputed: their scaler's training mean stands in for an unknown."""
    if "impute" in pipeline.named_steps or not np.isnan(x).any():
        return x
    return np.where(np.isnan(x), pipeline["scale"].mean_, x)
