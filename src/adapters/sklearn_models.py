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
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

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
    """Seeded hold-out split (stratified for purchase), fit on the rest, metrics on the hold-out only."""

    def __init__(self, seed: int = 42, test_size: float = 0.2) -> None:
        self.seed = seed
        self.test_size = test_size

    def fit(
        self,
        kind: ModelKind,
        rows: Sequence[Sequence[float]],
        targets: Sequence[float],
        feature_names: Sequence[str],
        threshold: float,
    ) -> tuple[object, Evaluation]:
        x = np.asarray(rows, dtype=float)
        y = np.asarray(targets, dtype=float)
        if kind is ModelKind.SALES:
            return self._fit_sales(x, y, feature_names)
        return self._fit_purchase(x, y.astype(int), feature_names, threshold)

    def _fit_sales(self, x: np.ndarray, y: np.ndarray, names: Sequence[str]) -> tuple[Pipeline, Evaluation]:
        x_train, x_test, y_train, y_test = train_test_split(
            x, y, test_size=self.test_size, random_state=self.seed
        )
        pipeline = sales_pipeline().fit(x_train, y_train)
        baseline = np.full_like(y_test, y_train.mean())
        return pipeline, Evaluation(
            train_size=len(y_train),
            test_size=len(y_test),
            metrics=_regression_metrics(y_test, pipeline.predict(x_test)),
            baseline_metrics=_regression_metrics(y_test, baseline),
            coefficients=_coefficients(pipeline, names),
            intercept=float(pipeline["model"].intercept_),
        )

    def _fit_purchase(
        self, x: np.ndarray, y: np.ndarray, names: Sequence[str], threshold: float
    ) -> tuple[Pipeline, Evaluation]:
        x_train, x_test, y_train, y_test = train_test_split(
            x, y, test_size=self.test_size, random_state=self.seed, stratify=y
        )
        pipeline = purchase_pipeline(self.seed).fit(x_train, y_train)
        probability = pipeline.predict_proba(x_test)[:, 1]
        base_rate = float(y_train.mean())
        decisions = probability >= threshold
        return pipeline, Evaluation(
            train_size=len(y_train),
            test_size=len(y_test),
            metrics=_classification_metrics(y_test, probability, decisions)
            | {"base_rate": float(y_test.mean())},
            baseline_metrics=_classification_metrics(
                y_test, np.full(len(y_test), base_rate), np.full(len(y_test), base_rate >= 0.5)
            ),
            coefficients=_coefficients(pipeline, names),
            intercept=float(pipeline["model"].intercept_[0]),
            confusion_matrix=confusion_matrix(y_test, decisions, labels=[0, 1]).tolist(),
            threshold=threshold,
            threshold_curve=[_at_threshold(y_test, probability, t) for t in CURVE_THRESHOLDS],
        )


def _regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    return {
        "r2": float(r2_score(actual, predicted)),
        "mse": float(mean_squared_error(actual, predicted)),
        "mae": float(mean_absolute_error(actual, predicted)),
    }


def _classification_metrics(
    actual: np.ndarray, probability: np.ndarray, decisions: np.ndarray
) -> dict[str, float]:
    """The baseline scores a constant probability, so its ROC AUC is 0.5 by construction."""
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
