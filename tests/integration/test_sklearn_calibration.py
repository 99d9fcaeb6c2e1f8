"""A calibrated purchase model is kept only when the backtest shows it helps: on data whose buy rate
follows a link a logistic curve cannot take (a step), not on data drawn from a logistic model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from adapters.joblib_store import JoblibModelStore
from adapters.sklearn_models import SklearnModelPredictor, SklearnModelTrainer
from application.ports import TrainingTable
from domain.calibration import CALIBRATION_AUC_TOLERANCE, CALIBRATION_MIN_BRIER_GAIN
from domain.candidates import DEFAULT_CANDIDATE
from domain.features import PURCHASE_FEATURES
from domain.model_runs import Evaluation
from domain.predictions import ModelKind

FIRST_MONTH = 2026 * 12 + 1
Link = Callable[[np.ndarray], np.ndarray]


def step(x: np.ndarray) -> np.ndarray:
    """5% of clients buy, 80% once the first feature passes 0.7: no logistic curve of it is that steep."""
    return np.where(x[:, 0] > 0.7, 0.8, 0.05)


def logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(-2 + 2.5 * x[:, 0] + 1.5 * x[:, 1])))


def months_of(link: Link, per_month: int = 1200, months: int = 4, seed: int = 1) -> TrainingTable:
    """`months` months of clients with uniform features, who buy with the chance `link` gives; the
    newest three are the backtest's test months."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(per_month * months, len(PURCHASE_FEATURES.names)))
    bought = (rng.random(len(x)) < link(x)).astype(float)
    month = np.repeat(np.arange(FIRST_MONTH, FIRST_MONTH + months), per_month).astype(float)
    tested = tuple(range(FIRST_MONTH + 1, FIRST_MONTH + months))[-3:]
    columns = [column.tolist() for column in x.T]
    return TrainingTable(
        PURCHASE_FEATURES.names, columns, bought.tolist(), month.tolist(), tested, {"base_rate": None}
    )


def trained(table: TrainingTable) -> tuple[object, Evaluation]:
    return SklearnModelTrainer(seed=7).fit(ModelKind.PURCHASE, DEFAULT_CANDIDATE, table, 0.5)


def compared(evaluation: Evaluation) -> dict[str, dict[str, float]]:
    assert evaluation.calibration is not None
    return evaluation.calibration["compared"]


def test_a_calibration_that_lowers_the_brier_score_of_a_miscalibrated_model_is_kept() -> None:
    model, evaluation = trained(months_of(step))

    scores = compared(evaluation)
    kept = evaluation.calibration_method
    assert kept in ("sigmoid", "isotonic")
    assert scores[kept]["brier"] <= scores["none"]["brier"] - CALIBRATION_MIN_BRIER_GAIN
    assert scores[kept]["roc_auc"] >= scores["none"]["roc_auc"] - CALIBRATION_AUC_TOLERANCE
    assert getattr(model, "calibrator", None) is not None
    # The backtest's folds and the hold-out's metrics are the calibrated model's.
    assert np.mean([fold["brier"] for fold in evaluation.backtest]) == pytest.approx(scores[kept]["brier"])
    assert evaluation.metrics["brier"] == evaluation.backtest[-1]["brier"]


def test_a_well_specified_logistic_model_is_kept_as_fitted() -> None:
    model, evaluation = trained(months_of(logistic))

    assert evaluation.calibration_method is None
    assert set(compared(evaluation)) == {"none", "sigmoid", "isotonic"}
    assert getattr(model, "calibrator", None) is None


def test_the_hold_out_curve_is_the_kept_models_on_the_test_month() -> None:
    table = months_of(step)
    model, evaluation = trained(table)
    test = [i for i, month in enumerate(table.months) if month == table.test_months[-1]]
    rows = [[column[i] for column in table.features] for i in test]

    probabilities = SklearnModelPredictor().predict(ModelKind.PURCHASE, model, rows)

    curve = evaluation.hold_out_reliability
    assert curve is not None and curve.clients == evaluation.test_size == len(test)
    brier = np.mean([(p - table.targets[i]) ** 2 for p, i in zip(probabilities, test, strict=True)])
    assert curve.brier == pytest.approx(brier)
    # Calibrated, the step's two buy rates come back where the clients are: 5% and 80%.
    low, high = curve.bins[0], curve.bins[8]
    assert low.buy_rate == pytest.approx(0.05, abs=0.03) and low.mean_probability == pytest.approx(
        0.05, abs=0.03
    )
    assert high.clients > 0 and high.mean_probability == pytest.approx(0.8, abs=0.05)


def test_a_calibrated_models_reasons_explain_the_logistic_model_beneath_it(tmp_path) -> None:
    table = months_of(step)
    model, evaluation = trained(table)
    store = JoblibModelStore(tmp_path)
    loaded = store.load(store.save(ModelKind.PURCHASE, 1, model))
    predictor = SklearnModelPredictor()
    client = [0.9, 0.2, 0.4, 0.6, 0.1]

    [calibrated] = predictor.predict(ModelKind.PURCHASE, loaded, [client])
    [as_fitted] = predictor.predict(ModelKind.PURCHASE, loaded.as_fitted(), [client])
    reasons = predictor.contributions(loaded, client)

    assert calibrated == pytest.approx(0.8, abs=0.05) and calibrated != pytest.approx(as_fitted)
    assert sum(reasons) + evaluation.intercept == pytest.approx(np.log(as_fitted / (1 - as_fitted)))


def test_a_sales_model_carries_no_calibration() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 10, size=(600, 5))
    table = TrainingTable(
        ("a", "b", "c", "d", "e"),
        [column.tolist() for column in x.T],
        (3 * x[:, 0] + rng.normal(0, 1, 600)).tolist(),
        [float(FIRST_MONTH)] * 480 + [float(FIRST_MONTH + 1)] * 120,
        (FIRST_MONTH + 1,),
        {"mean": None},
    )

    _, evaluation = SklearnModelTrainer().fit(ModelKind.SALES, DEFAULT_CANDIDATE, table, 0.5)

    assert evaluation.calibration is None and evaluation.reliability is None
    assert "brier" not in evaluation.metrics
