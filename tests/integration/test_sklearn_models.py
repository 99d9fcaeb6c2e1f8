import random

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from adapters.joblib_store import JoblibModelStore
from adapters.sklearn_models import SklearnModelPredictor, SklearnModelTrainer
from application.ports import HoldOut
from domain.features import PURCHASE_FEATURES, SALES_FEATURES
from domain.model_runs import Artifact, ArtifactMissing, ArtifactTampered
from domain.predictions import ModelKind


def linear_sales(n: int, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    rng = random.Random(seed)
    rows = [[rng.uniform(0, 10) for _ in range(5)] for _ in range(n)]
    targets = [100 + 30 * r[0] + 5 * r[1] - 8 * r[3] + rng.gauss(0, 10) for r in rows]
    return rows, targets


def logistic_purchases(n: int, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    rng = random.Random(seed)
    rows = [
        [rng.uniform(0, 5), rng.random() < 0.5, rng.uniform(0, 3), rng.random() < 0.6, rng.uniform(0, 60)]
        for _ in range(n)
    ]
    targets = [
        float(rng.random() < 1 / (1 + np.exp(-(-3 + 0.8 * r[0] + 1.0 * r[1] + 0.01 * r[4])))) for r in rows
    ]
    return [[float(v) for v in r] for r in rows], targets


def hold(kind: ModelKind, rows: list[list[float]], targets: list[float]) -> HoldOut:
    """The first 80% to learn from, the rest to test on, with the training mean (or base rate) as the
    baseline."""
    cut = len(rows) * 4 // 5
    mean = sum(targets[:cut]) / cut
    name = "mean" if kind is ModelKind.SALES else "base_rate"
    return HoldOut(rows[:cut], targets[:cut], rows[cut:], targets[cut:], {name: [mean] * (len(rows) - cut)})


def test_sales_model_beats_the_mean_baseline_on_the_hold_out() -> None:
    rows, targets = linear_sales(500)
    _, evaluation = SklearnModelTrainer().fit(
        ModelKind.SALES, hold(ModelKind.SALES, rows, targets), SALES_FEATURES.names, 0.7
    )
    assert evaluation.metrics["r2"] > 0.9
    assert evaluation.baseline_metrics["mean"]["r2"] <= 0.01
    assert evaluation.metrics["mae"] < evaluation.baseline_metrics["mean"]["mae"]
    assert abs(evaluation.metrics["revenue_bias"]) < 0.05
    assert (evaluation.train_size, evaluation.test_size) == (400, 100)
    assert set(evaluation.coefficients) == set(SALES_FEATURES.names)


def test_training_is_reproducible_for_the_same_seed() -> None:
    rows, targets = logistic_purchases(400)
    first = SklearnModelTrainer(seed=3).fit(
        ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), PURCHASE_FEATURES.names, 0.7
    )[1]
    second = SklearnModelTrainer(seed=3).fit(
        ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), PURCHASE_FEATURES.names, 0.7
    )[1]
    assert first == second


def test_purchase_evaluation_has_confusion_matrix_at_the_threshold_and_a_base_rate_baseline() -> None:
    rows, targets = logistic_purchases(1000)
    _, evaluation = SklearnModelTrainer().fit(
        ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), PURCHASE_FEATURES.names, 0.5
    )
    (tn, fp), (fn, tp) = evaluation.confusion_matrix or [[0, 0], [0, 0]]
    assert tn + fp + fn + tp == evaluation.test_size == 200
    assert evaluation.metrics["accuracy"] == pytest.approx((tn + tp) / 200)
    assert evaluation.baseline_metrics["base_rate"]["roc_auc"] == 0.5
    assert evaluation.metrics["roc_auc"] > 0.7
    assert evaluation.threshold == 0.5
    assert evaluation.threshold_curve and evaluation.threshold_curve[0]["threshold"] == 0.1


def test_contributions_add_up_to_the_linear_prediction_minus_intercept() -> None:
    rows, targets = linear_sales(300)
    model, evaluation = SklearnModelTrainer().fit(
        ModelKind.SALES, hold(ModelKind.SALES, rows, targets), SALES_FEATURES.names, 0.7
    )
    predictor = SklearnModelPredictor()
    [prediction] = predictor.predict(ModelKind.SALES, model, [rows[0]])
    assert sum(predictor.contributions(model, rows[0])) + evaluation.intercept == pytest.approx(prediction)


def test_probabilities_are_between_zero_and_one() -> None:
    rows, targets = logistic_purchases(300)
    model, _ = SklearnModelTrainer().fit(
        ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), PURCHASE_FEATURES.names, 0.7
    )
    probabilities = SklearnModelPredictor().predict(ModelKind.PURCHASE, model, rows)
    assert all(0.0 <= p <= 1.0 for p in probabilities)


def test_store_round_trips_a_model_and_records_its_hash(tmp_path) -> None:
    rows, targets = linear_sales(100)
    model, _ = SklearnModelTrainer().fit(
        ModelKind.SALES, hold(ModelKind.SALES, rows, targets), SALES_FEATURES.names, 0.7
    )
    store = JoblibModelStore(tmp_path)
    artifact = store.save(ModelKind.SALES, 3, model)
    assert artifact.path == "sales/v0003.joblib"
    assert len(artifact.sha256) == 64
    loaded = store.load(artifact)
    predictor = SklearnModelPredictor()
    assert predictor.predict(ModelKind.SALES, loaded, rows[:5]) == predictor.predict(
        ModelKind.SALES, model, rows[:5]
    )
    assert not list(tmp_path.rglob("*.tmp"))


def test_store_refuses_a_tampered_file(tmp_path) -> None:
    store = JoblibModelStore(tmp_path)
    artifact = store.save(ModelKind.SALES, 1, {"weights": [1, 2, 3]})
    path = tmp_path / artifact.path
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(ArtifactTampered):
        store.load(artifact)


def test_store_reports_a_missing_file(tmp_path) -> None:
    with pytest.raises(ArtifactMissing):
        JoblibModelStore(tmp_path).load(Artifact("sales/v0009.joblib", "0" * 64))


def test_an_unknown_value_is_predicted_as_the_training_mean_never_as_zero() -> None:
    rows, targets = linear_sales(500)
    model, _ = SklearnModelTrainer().fit(
        ModelKind.SALES, hold(ModelKind.SALES, rows, targets), SALES_FEATURES.names, 0.7
    )
    predictor = SklearnModelPredictor()
    client = [4.0, 6.0, 5.0, 2.0, 7.0]
    everyones_mean = np.asarray(rows).mean(axis=0)  # the training split's mean is close to it

    unknown, as_zero = (client.copy(), client.copy())
    unknown[0], as_zero[0] = float("nan"), 0.0
    as_mean = client.copy()
    as_mean[0] = float(model["impute"].statistics_[0])
    forecast_unknown, forecast_zero, forecast_mean = predictor.predict(
        ModelKind.SALES, model, [unknown, as_zero, as_mean]
    )

    assert abs(model["impute"].statistics_[0] - everyones_mean[0]) < 0.5
    assert forecast_unknown == pytest.approx(forecast_mean)
    assert forecast_unknown != pytest.approx(forecast_zero, abs=1.0)
    assert predictor.contributions(model, unknown)[0] == pytest.approx(0.0, abs=1e-9)


def test_a_purchase_model_on_the_purchase_history_alone_trains_and_predicts() -> None:
    rng = random.Random(5)
    rows = [[float(rng.random() < 0.6)] for _ in range(300)]
    targets = [float(rng.random() < (0.5 if r[0] else 0.1)) for r in rows]

    model, evaluation = SklearnModelTrainer().fit(
        ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), ("has_purchase_history",), 0.7
    )
    chances = SklearnModelPredictor().predict(ModelKind.PURCHASE, model, [[1.0], [0.0]])

    assert list(evaluation.coefficients) == ["has_purchase_history"]
    assert chances[0] > chances[1]


def test_a_model_saved_before_imputation_reads_an_unknown_as_its_scaler_mean() -> None:
    rows, targets = linear_sales(200)
    legacy = Pipeline([("scale", StandardScaler()), ("model", LinearRegression())]).fit(rows, targets)
    client = [4.0, float("nan"), 5.0, 2.0, 7.0]
    filled = client.copy()
    filled[1] = float(legacy["scale"].mean_[1])

    forecasts = SklearnModelPredictor().predict(ModelKind.SALES, legacy, [client, filled])

    assert forecasts[0] == pytest.approx(forecasts[1])
