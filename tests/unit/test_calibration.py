"""Reliability curves and the choice of a calibration: by hand on tiny examples, and against
scikit-learn's on random data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from domain.calibration import (
    CalibrationMethod,
    CalibrationScore,
    Reliability,
    ReliabilityBin,
    bin_of,
    brier_score,
    choose_calibration,
    reliability,
)

# Off the bins' edges, which scikit-learn's bins (numpy.linspace) place a rounding error away.
chances = st.floats(0, 1).filter(lambda p: abs(p * 10 - round(p * 10)) > 1e-9)


def test_the_reliability_curve_by_hand() -> None:
    curve = reliability([0.05, 0.15, 0.12, 0.95, 1.0, 0.55], [False, True, False, True, True, False])

    assert [b.clients for b in curve.bins] == [1, 2, 0, 0, 0, 1, 0, 0, 0, 2]
    assert curve.bins[1] == ReliabilityBin(0.1, 0.2, 2, pytest.approx(0.135), 0.5)
    assert (curve.bins[9].mean_probability, curve.bins[9].buy_rate) == (pytest.approx(0.975), 1.0)
    assert (curve.bins[5].mean_probability, curve.bins[5].buy_rate) == (0.55, 0.0)
    assert curve.bins[2] == ReliabilityBin(0.2, 0.3, 0, None, None)
    # 0.05² + 0.85² + 0.12² + 0.05² + 0² + 0.55² = 1.0444
    assert curve.brier == pytest.approx(1.0444 / 6)
    assert curve.clients == 6


@pytest.mark.parametrize(
    ("probability", "index"), [(0.0, 0), (0.0999, 0), (0.1, 1), (0.3, 3), (0.7, 7), (0.9, 9), (1.0, 9)]
)
def test_a_bin_holds_its_lower_edge_and_the_last_one_holds_one(probability: float, index: int) -> None:
    assert bin_of(probability) == index


def test_no_client_gives_empty_bins_and_no_brier_score() -> None:
    curve = reliability([], [])

    assert curve.clients == 0 and curve.brier is None
    assert all(b.mean_probability is None and b.buy_rate is None for b in curve.bins)


def test_a_curve_round_trips_through_its_records() -> None:
    curve = reliability([0.05, 0.15, 0.95], [False, True, True])

    assert Reliability.from_records(curve.records(), curve.brier) == curve


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(chances, st.booleans()), min_size=1, max_size=80))
def test_the_curve_and_brier_score_agree_with_scikit_learn(rows: list[tuple[float, bool]]) -> None:
    probabilities, bought = [p for p, _ in rows], [b for _, b in rows]
    curve = reliability(probabilities, bought)

    assert brier_score(probabilities, bought) == pytest.approx(
        brier_score_loss(bought, probabilities, labels=[False, True])
    )
    observed, predicted = calibration_curve(bought, probabilities, n_bins=10, strategy="uniform")
    filled = [b for b in curve.bins if b.clients]
    assert [b.buy_rate for b in filled] == pytest.approx(list(observed))
    assert [b.mean_probability for b in filled] == pytest.approx(list(predicted))


AS_FITTED = CalibrationScore(brier=0.200, roc_auc=0.800)


def test_the_calibration_lowering_the_brier_score_most_is_kept() -> None:
    compared = {
        CalibrationMethod.SIGMOID: CalibrationScore(0.195, 0.800),
        CalibrationMethod.ISOTONIC: CalibrationScore(0.190, 0.798),
    }

    assert choose_calibration(AS_FITTED, compared) is CalibrationMethod.ISOTONIC


def test_a_calibration_losing_too_much_roc_auc_is_not_kept() -> None:
    compared = {
        CalibrationMethod.SIGMOID: CalibrationScore(0.1985, 0.800),
        CalibrationMethod.ISOTONIC: CalibrationScore(0.150, 0.794),
    }

    assert choose_calibration(AS_FITTED, compared) is CalibrationMethod.SIGMOID


def test_the_model_is_kept_as_fitted_when_no_calibration_lowers_the_brier_score_enough() -> None:
    compared = {
        CalibrationMethod.SIGMOID: CalibrationScore(0.1995, 0.800),
        CalibrationMethod.ISOTONIC: CalibrationScore(0.210, 0.810),
    }

    assert choose_calibration(AS_FITTED, compared) is None
    assert choose_calibration(AS_FITTED, {}) is None
