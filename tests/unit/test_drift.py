"""Drift arithmetic: the population stability index, the training profile and the newest values' tally."""

from __future__ import annotations

import math
import random
from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.drift import (
    PSI_EPSILON,
    RETRAINING_FACTOR,
    RETRAINING_MARGIN,
    DriftLevel,
    FeatureDrift,
    FeatureProfile,
    ReasonCode,
    RetrainingReason,
    Tally,
    drift_level,
    feature_drift,
    population_stability_index,
    profile_of,
    tally,
    with_holdout,
)

NAN = math.nan


def test_psi_matches_a_hand_computed_example() -> None:
    # (0.4 - 0.5) ln(0.4 / 0.5) + (0.4 - 0.3) ln(0.4 / 0.3) + 0 = 0.022314 + 0.028768
    assert population_stability_index([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]) == pytest.approx(0.0510826, abs=1e-6)


def test_an_empty_bin_counts_with_the_guard_share_instead_of_an_infinite_logarithm() -> None:
    psi = population_stability_index([0.5, 0.5, 0.0], [0.5, 0.4, 0.1])

    expected = -0.1 * math.log(0.4 / 0.5) + (0.1 - PSI_EPSILON) * math.log(0.1 / PSI_EPSILON)
    assert psi == pytest.approx(expected) and math.isfinite(psi)


def test_psi_is_zero_for_identical_distributions_and_symmetric() -> None:
    shares = [0.1, 0.2, 0.3, 0.4]

    assert population_stability_index(shares, shares) == 0
    assert population_stability_index(shares, [0.4, 0.3, 0.2, 0.1]) == pytest.approx(
        population_stability_index([0.4, 0.3, 0.2, 0.1], shares)
    )


def test_psi_grows_as_the_values_shift_further() -> None:
    rng = random.Random(3)
    training = [rng.gauss(0, 1) for _ in range(5_000)]
    profile = profile_of(training)

    psis = [
        feature_drift("x", profile, tally(profile, [v + shift for v in training])).psi
        for shift in (0, 0.1, 0.3, 0.6, 1.0)
    ]

    assert psis[0] == 0
    assert psis == sorted(psis) and len(set(psis)) == len(psis)


def test_distributions_over_different_bins_are_refused() -> None:
    with pytest.raises(ValueError):
        population_stability_index([0.5, 0.5], [1.0])


@pytest.mark.parametrize(
    ("psi", "level"),
    [
        (0.0, DriftLevel.STABLE),
        (0.099, DriftLevel.STABLE),
        (0.1, DriftLevel.MODERATE),
        (0.2, DriftLevel.SIGNIFICANT),
    ],
)
def test_the_common_reading_of_a_psi(psi: float, level: DriftLevel) -> None:
    assert drift_level(psi) is level


def test_a_profile_cuts_the_training_values_into_deciles() -> None:
    profile = profile_of([float(v) for v in range(1, 101)] + [NAN] * 25)

    assert profile.edges == tuple(float(v) for v in range(10, 100, 10))
    assert profile.shares == pytest.approx([0.08] * 10)  # 10 of 125 values in each
    assert (profile.missing, profile.minimum, profile.maximum, profile.count) == (0.2, 1.0, 100.0, 125)
    assert sum(profile.distribution) == pytest.approx(1)


def test_tied_values_share_one_edge() -> None:
    profile = profile_of([0.0] * 70 + [1.0] * 30)

    assert profile.edges == (0.0, 1.0)
    assert profile.shares == pytest.approx([0.7, 0.3, 0.0])


def test_a_feature_never_known_in_training_is_all_missing() -> None:
    profile = profile_of([NAN, NAN])

    assert (profile.edges, profile.shares, profile.missing, profile.minimum) == ((), (0.0,), 1.0, None)


def test_a_profile_survives_its_stored_document() -> None:
    profile = profile_of([3.0, 1.0, 2.0, NAN])

    assert FeatureProfile.from_document(profile.as_document()) == profile


def test_a_profile_stored_before_the_hold_out_psi_was_kept_reads_it_as_zero() -> None:
    document = profile_of([3.0, 1.0, 2.0]).as_document()
    del document["holdout_psi"]

    assert FeatureProfile.from_document(document).holdout_psi == 0.0


def test_the_hold_out_psi_is_the_psi_of_the_hold_out_values_against_the_profile() -> None:
    profile = profile_of([float(v) for v in range(100)])
    holdout = [float(v) + 20 for v in range(100)]

    kept = with_holdout(profile, holdout)

    assert kept.holdout_psi == feature_drift("x", profile, tally(profile, holdout)).psi > 0.2
    assert FeatureProfile.from_document(kept.as_document()) == kept
    assert feature_drift("x", kept, tally(kept, holdout)).holdout_psi == kept.holdout_psi
    assert with_holdout(profile, []).holdout_psi == 0.0


def drift_of(psi: float | None, holdout_psi: float) -> FeatureDrift:
    return FeatureDrift("x", psi, 0.0, 0.0, 0.0, 100, holdout_psi)


def test_the_rule_asks_for_a_margin_and_a_factor_over_the_hold_out_psi() -> None:
    assert (RETRAINING_MARGIN, RETRAINING_FACTOR) == (0.2, 2.0)


@pytest.mark.parametrize(
    ("holdout_psi", "psi", "advised"),
    [
        (0.0, 0.2, True),  # no hold-out drift: the plain reading, from 0.2 on
        (0.0, 0.19, False),
        (0.125, 0.325, True),  # the margin above the hold-out PSI, and more than twice it
        (0.125, 0.32, False),  # twice it, but not the margin above it
        (0.5, 1.0, True),  # twice it, and more than the margin above it
        (0.5, 0.99, False),  # the margin above it, but not twice it
        (0.5, 0.3, False),  # less than the backtest already met
        (0.5, None, False),
    ],
)
def test_retraining_is_advised_when_a_feature_moved_clearly_further_than_the_hold_out(
    holdout_psi: float, psi: float | None, advised: bool
) -> None:
    assert drift_of(psi, holdout_psi).advises_retraining is advised


def test_the_newest_values_are_counted_into_the_training_bins_and_out_of_range() -> None:
    profile = profile_of([float(v) for v in range(1, 101)])

    counted = tally(profile, [0.0, 5.0, 10.0, 10.5, 100.0, 250.0, NAN])

    assert counted.bins == (3, 1, 0, 0, 0, 0, 0, 0, 0, 2)
    assert (counted.missing, counted.below, counted.above, counted.count) == (1, 1, 1, 7)


finite_or_missing = st.one_of(st.floats(-1e6, 1e6), st.just(NAN), st.sampled_from([0.0, 1.0, 2.0, 5.0]))


@given(st.lists(finite_or_missing, max_size=60), st.lists(finite_or_missing, max_size=200))
def test_a_tally_counts_each_value_where_the_profile_puts_it(
    training: list[float], newest: list[float]
) -> None:
    profile = profile_of(training)
    known = [value for value in newest if not math.isnan(value)]
    bins = [0] * len(profile.shares)
    for value in known:
        bins[profile.bin_of(value)] += 1

    counted = tally(profile, array("d", newest))

    assert counted.bins == tuple(bins)
    assert counted.missing == len(newest) - len(known)
    assert counted.below == sum(profile.minimum is not None and value < profile.minimum for value in known)
    assert counted.above == sum(profile.maximum is not None and value > profile.maximum for value in known)
    assert counted.count == len(newest) == sum(counted.bins) + counted.missing


def test_tallies_of_chunks_add_up_to_the_tally_of_all() -> None:
    profile = profile_of([float(v) for v in range(50)])
    values = [float(v) for v in range(-5, 60, 3)] + [NAN]

    chunked = Tally.empty(profile) + tally(profile, values[:7]) + tally(profile, values[7:])

    assert chunked == tally(profile, values)


def test_tallies_add_up_as_their_counts_do() -> None:
    profile = profile_of([float(v) for v in range(50)])
    first, second = tally(profile, [1.0, 70.0, NAN]), tally(profile, [-3.0, 25.0])

    counts = [a + b for a, b in zip(first.as_counts(), second.as_counts(), strict=True)]

    assert Tally.of_counts(counts) == first + second


def test_a_feature_starting_to_go_missing_drifts() -> None:
    profile = profile_of([float(v % 10) for v in range(1_000)])

    drift = feature_drift("x", profile, tally(profile, [float(v % 10) for v in range(700)] + [NAN] * 300))

    assert (drift.missing_at_training, drift.missing_now) == (0.0, 0.3)
    assert drift.psi is not None and drift.psi >= 0.2 and drift.advises_retraining
    assert drift.outside_range == 0


def test_no_newest_values_is_no_psi() -> None:
    profile = profile_of([1.0, 2.0])

    drift = feature_drift("x", profile, Tally.empty(profile))

    assert (drift.psi, drift.missing_now, drift.outside_range, drift.level) == (None, None, None, None)
    assert not drift.advises_retraining


def test_a_reason_says_which_feature_shifted_and_by_how_much() -> None:
    profile = profile_of([float(v) for v in range(100)])
    drift = feature_drift("visits_7d", profile, tally(profile, [float(v) + 50 for v in range(100)]))

    reason = RetrainingReason.shifted(drift)

    assert reason.code is ReasonCode.FEATURE_DRIFT
    assert reason.message.startswith(
        f"visits_7d has shifted: PSI {drift.psi:.2f}, against 0.00 on the hold-out"
    )
    assert (reason.psi, reason.holdout_psi) == (drift.psi, 0.0)
