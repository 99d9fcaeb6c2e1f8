import random

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from adapters.joblib_store import JoblibModelStore
from adapters.sklearn_models import SklearnModelPredictor, SklearnModelTrainer, _Decisions
from application.ports import TrainingTable
from domain.candidates import DEFAULT_CANDIDATE, Candidate, FeatureSetName, ModelFamily
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


TRAINING_MONTH, TEST_MONTH = 2026 * 12 + 1, 2026 * 12 + 2
BOOSTED = Candidate(FeatureSetName.BASIC, ModelFamily.BOOSTED)


def hold(
    kind: ModelKind, rows: list[list[float]], targets: list[float], names=None, months=None
) -> TrainingTable:
    """The first 80% observed in a training month, the rest in the test month, with the training mean
    (or base rate) as the baseline."""
    cut = len(rows) * 4 // 5
    names = names or (SALES_FEATURES.names if kind is ModelKind.SALES else PURCHASE_FEATURES.names)
    months = months or [TRAINING_MONTH] * cut + [TEST_MONTH] * (len(rows) - cut)
    name = "mean" if kind is ModelKind.SALES else "base_rate"
    columns = [list(column) for column in zip(*rows, strict=True)]
    return TrainingTable(tuple(names), columns, targets, months, (max(months),), {name: None})


def fit(kind, table, threshold=0.7, candidate=DEFAULT_CANDIDATE, trainer=None):
    return (trainer or SklearnModelTrainer()).fit(kind, candidate, table, threshold)


def test_sales_model_beats_the_mean_baseline_on_the_hold_out() -> None:
    rows, targets = linear_sales(500)
    _, evaluation = fit(ModelKind.SALES, hold(ModelKind.SALES, rows, targets), 0.7)
    assert evaluation.metrics["r2"] > 0.9
    assert evaluation.baseline_metrics["mean"]["r2"] <= 0.01
    assert evaluation.metrics["mae"] < evaluation.baseline_metrics["mean"]["mae"]
    assert abs(evaluation.metrics["revenue_bias"]) < 0.05
    assert (evaluation.train_size, evaluation.test_size) == (400, 100)
    assert set(evaluation.coefficients) == set(SALES_FEATURES.names)


def test_training_is_reproducible_for_the_same_seed() -> None:
    rows, targets = logistic_purchases(400)
    first = fit(
        ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), 0.7, trainer=SklearnModelTrainer(seed=3)
    )[1]
    second = fit(
        ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), 0.7, trainer=SklearnModelTrainer(seed=3)
    )[1]
    assert first == second


def test_purchase_evaluation_has_confusion_matrix_at_the_threshold_and_a_base_rate_baseline() -> None:
    rows, targets = logistic_purchases(1000)
    _, evaluation = fit(ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), 0.5)
    (tn, fp), (fn, tp) = evaluation.confusion_matrix or [[0, 0], [0, 0]]
    assert tn + fp + fn + tp == evaluation.test_size == 200
    assert evaluation.metrics["accuracy"] == pytest.approx((tn + tp) / 200)
    assert evaluation.baseline_metrics["base_rate"]["roc_auc"] == 0.5
    assert evaluation.metrics["roc_auc"] > 0.7
    assert evaluation.threshold == 0.5
    assert evaluation.threshold_curve and evaluation.threshold_curve[0]["threshold"] == 0.1


def test_contributions_add_up_to_the_linear_prediction_minus_intercept() -> None:
    rows, targets = linear_sales(300)
    model, evaluation = fit(ModelKind.SALES, hold(ModelKind.SALES, rows, targets), 0.7)
    predictor = SklearnModelPredictor()
    [prediction] = predictor.predict(ModelKind.SALES, model, [rows[0]])
    assert sum(predictor.contributions(model, rows[0])) + evaluation.intercept == pytest.approx(prediction)


def test_probabilities_are_between_zero_and_one() -> None:
    rows, targets = logistic_purchases(300)
    model, _ = fit(ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), 0.7)
    probabilities = SklearnModelPredictor().predict(ModelKind.PURCHASE, model, rows)
    assert all(0.0 <= p <= 1.0 for p in probabilities)


def test_store_round_trips_a_model_and_records_its_hash(tmp_path) -> None:
    rows, targets = linear_sales(100)
    model, _ = fit(ModelKind.SALES, hold(ModelKind.SALES, rows, targets), 0.7)
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
    model, _ = fit(ModelKind.SALES, hold(ModelKind.SALES, rows, targets), 0.7)
    predictor = SklearnModelPredictor()
    client = [4.0, 6.0, 5.0, 2.0, 7.0]
    everyones_mean = np.asarray(rows).mean(axis=0)  # the training split's mean is close to it

    unknown, as_zero = (client.copy(), client.copy())
    unknown[0], as_zero[0] = float("nan"), 0.0
    as_mean = client.copy()
    as_mean[0] = float(model.estimator["impute"].statistics_[0])
    forecast_unknown, forecast_zero, forecast_mean = predictor.predict(
        ModelKind.SALES, model, [unknown, as_zero, as_mean]
    )

    assert abs(model.estimator["impute"].statistics_[0] - everyones_mean[0]) < 0.5
    assert forecast_unknown == pytest.approx(forecast_mean)
    assert forecast_unknown != pytest.approx(forecast_zero, abs=1.0)
    assert predictor.contributions(model, unknown)[0] == pytest.approx(0.0, abs=1e-9)


def test_a_purchase_model_on_the_purchase_history_alone_trains_and_predicts() -> None:
    rng = random.Random(5)
    rows = [[float(rng.random() < 0.6)] for _ in range(300)]
    targets = [float(rng.random() < (0.5 if r[0] else 0.1)) for r in rows]

    model, evaluation = fit(
        ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets, ("has_purchase_history",)), 0.7
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


def test_the_backtest_scores_each_test_month_and_keeps_the_newest_months_model() -> None:
    rows, targets = linear_sales(600)
    months = [TRAINING_MONTH] * 200 + [TRAINING_MONTH + 1] * 200 + [TEST_MONTH + 1] * 200
    table = hold(ModelKind.SALES, rows, targets, months=months)
    table = TrainingTable(
        *[getattr(table, f) for f in ("feature_names", "features", "targets", "months")],
        (TRAINING_MONTH + 1, TEST_MONTH + 1),
        table.baselines,
    )

    _, evaluation = fit(ModelKind.SALES, table)

    assert [fold["train_size"] for fold in evaluation.backtest] == [200, 400]
    assert [fold["test_size"] for fold in evaluation.backtest] == [200, 200]
    assert [fold["month"] for fold in evaluation.backtest] == ["2026-02", "2026-03"]
    assert all(fold["score"] > 0.9 and fold["baselines"]["mean"] <= 0.01 for fold in evaluation.backtest)
    assert (evaluation.train_size, evaluation.test_size) == (400, 200)
    assert evaluation.metrics["r2"] == evaluation.backtest[-1]["score"]
    assert evaluation.backtest_score == pytest.approx(
        (evaluation.backtest[0]["score"] + evaluation.backtest[1]["score"]) / 2
    )


def test_boosted_trees_learn_what_a_line_cannot() -> None:
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 10, size=(2000, 5))
    sales = rng.poisson(np.where(x[:, 0] > 5, 40.0, 2.0) * (x[:, 1] > 3)).astype(float)
    table = hold(ModelKind.SALES, x.tolist(), sales.tolist())

    _, linear = fit(ModelKind.SALES, table)
    model, boosted = fit(ModelKind.SALES, table, candidate=BOOSTED)

    assert boosted.metrics["r2"] > 0.9 > linear.metrics["r2"]
    assert min(SklearnModelPredictor().predict(ModelKind.SALES, model, x[:50].tolist())) >= 0


def test_a_boosted_models_reasons_are_the_change_when_a_feature_is_set_to_its_training_mean() -> None:
    rows, targets = logistic_purchases(1500)
    model, evaluation = fit(ModelKind.PURCHASE, hold(ModelKind.PURCHASE, rows, targets), candidate=BOOSTED)
    predictor = SklearnModelPredictor()
    client = rows[0]
    at_mean = client.copy()
    at_mean[0] = float(model.means[0])

    # Reasons explain the model as fitted, whether or not a calibration maps its score to the probability.
    [p_client, p_mean] = predictor.predict(ModelKind.PURCHASE, model.as_fitted(), [client, at_mean])
    shares = predictor.contributions(model, client)

    def logit(p):
        return np.log(p / (1 - p))

    assert shares[0] == pytest.approx(logit(p_client) - logit(p_mean))
    assert set(evaluation.coefficients) == set(PURCHASE_FEATURES.names)
    assert all(v >= 0 for v in evaluation.coefficients.values())  # mean absolute influence


def test_a_boosted_model_round_trips_through_the_store(tmp_path) -> None:
    rows, targets = linear_sales(300)
    model, _ = fit(ModelKind.SALES, hold(ModelKind.SALES, rows, targets), candidate=BOOSTED)
    store = JoblibModelStore(tmp_path)
    loaded = store.load(store.save(ModelKind.SALES, 1, model))
    predictor = SklearnModelPredictor()
    assert predictor.predict(ModelKind.SALES, loaded, rows[:5]) == predictor.predict(
        ModelKind.SALES, model, rows[:5]
    )


def test_training_beyond_the_row_limit_learns_from_a_seeded_sample() -> None:
    rows, targets = linear_sales(500)
    trainer = SklearnModelTrainer(max_training_rows=100)
    first = fit(ModelKind.SALES, hold(ModelKind.SALES, rows, targets), trainer=trainer)[1]
    second = fit(ModelKind.SALES, hold(ModelKind.SALES, rows, targets), trainer=trainer)[1]
    assert first.train_size == 400  # the examples available; the fit itself saw 100 of them
    assert first == second and first.metrics["r2"] > 0.8


@pytest.mark.parametrize(("share_bought", "highest_chance"), [(0.3, 1.0), (0.0, 1.0), (0.5, 0.5), (1.0, 1.0)])
def test_the_decision_figures_are_scikit_learns(share_bought: float, highest_chance: float) -> None:
    """Counted once instead of by four scikit-learn calls: the same accuracy, precision, recall and
    F1, with zero where there is nothing to divide (no buyer, or no decision yes)."""
    rng = np.random.default_rng(7)
    actual = (rng.random(500) < share_bought).astype(int)
    decisions = rng.random(500) * highest_chance >= 0.7

    counted = _Decisions.of(actual, decisions)

    assert counted.accuracy == pytest.approx(accuracy_score(actual, decisions))
    assert counted.precision == pytest.approx(precision_score(actual, decisions, zero_division=0))
    assert counted.recall == pytest.approx(recall_score(actual, decisions, zero_division=0))
    assert counted.f1 == pytest.approx(f1_score(actual, decisions, zero_division=0))
