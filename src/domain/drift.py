"""Drift: how far the values a model now predicts from have moved from the values it learnt from.

At training, each feature's training values are summed up in a profile: the decile bin edges, the share
of the values in each bin, the share missing, the lowest and the highest value. The newest snapshots are
then counted into the same bins, and the two distributions compared by the population stability index:

    PSI = sum over the bins of (a - e) * ln(a / e)

where `e` is a bin's share of the training values and `a` its share of the newest ones. Missing values
(NaN) make one more bin, so a feature that starts to go unknown drifts too. A bin empty on either side
would make the logarithm infinite: its share is taken as `PSI_EPSILON` instead. PSI is 0 for identical
distributions and grows as they part; the common reading is below 0.1 stable, 0.1 to 0.2 a moderate
shift, 0.2 or more a significant one.

Features that grow with the calendar (tenure, order windows filling) drift that way every month, and
retraining cannot undo it. So each profile also keeps its hold-out PSI, the hold-out month's values against
it, and a feature's drift advises retraining only when it has moved clearly further than that (see
`RETRAINING_FACTOR`).
"""

from __future__ import annotations

import enum
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

BINS = 10
"""Deciles: the training values are cut into ten bins of about equal share (fewer where values tie)."""
PSI_EPSILON = 1e-4
"""The share an empty bin counts with, so that its logarithm stays finite."""
PSI_MODERATE = 0.1
PSI_SIGNIFICANT = 0.2
"""From this PSI on, a feature's shift is significant."""
RETRAINING_MARGIN = PSI_SIGNIFICANT
RETRAINING_FACTOR = 2.0
"""Retraining is advised for a feature when its PSI now is at least `RETRAINING_MARGIN` above its hold-out
PSI and at least `RETRAINING_FACTOR` times it. The model's claimed metrics were measured on the hold-out
month, whose values had already moved from the training values by the hold-out PSI: that much drift the
model was tested on. The newest snapshots are typically one month further from the training months than
the hold-out month was, and a trend the backtest already met (tenure, order windows filling) roughly
doubles over twice the distance; beyond that, and by a clear margin, the feature has moved further than
the model was tested on, and retraining on the newer months can help."""


class DriftLevel(enum.StrEnum):
    STABLE = "stable"
    MODERATE = "moderate"
    SIGNIFICANT = "significant"


def drift_level(psi: float) -> DriftLevel:
    """The common reading of a PSI: below 0.1 stable, below 0.2 moderate, significant from 0.2."""
    if psi >= PSI_SIGNIFICANT:
        return DriftLevel.SIGNIFICANT
    return DriftLevel.MODERATE if psi >= PSI_MODERATE else DriftLevel.STABLE


def population_stability_index(
    expected: Sequence[float], actual: Sequence[float], epsilon: float = PSI_EPSILON
) -> float:
    """PSI of two distributions over the same bins, each given as the bins' shares."""
    if len(expected) != len(actual):
        raise ValueError("the two distributions must have the same bins")
    return sum(
        (a - e) * math.log(a / e)
        for e, a in zip((max(s, epsilon) for s in expected), (max(s, epsilon) for s in actual), strict=True)
    )


@dataclass(frozen=True, slots=True)
class FeatureProfile:
    """One feature's training values in a form the newest values can be compared with."""

    edges: tuple[float, ...]
    """The upper edge of every bin but the last, ascending: a value belongs to the first bin whose edge
    it does not exceed, or to the last bin."""
    shares: tuple[float, ...]
    """Each bin's share of all the training values (one more than `edges`); with `missing`, they sum to 1."""
    missing: float
    """The share of the training values that were unknown."""
    minimum: float | None
    maximum: float | None
    """The lowest and highest known training value; None when none was known."""
    count: int
    holdout_psi: float = 0.0
    """The PSI of the hold-out month's values against this profile: the drift the backtest that proved the
    model already met (0 when no hold-out was measured, as for a profile kept before it was)."""

    def bin_of(self, value: float) -> int:
        return bisect_left(self.edges, value)

    @property
    def distribution(self) -> tuple[float, ...]:
        """The bins' shares, the missing values' share last."""
        return (*self.shares, self.missing)

    def as_document(self) -> dict[str, Any]:
        """What is stored with the trained model (JSON)."""
        return {
            "edges": list(self.edges),
            "shares": list(self.shares),
            "missing": self.missing,
            "min": self.minimum,
            "max": self.maximum,
            "count": self.count,
            "holdout_psi": self.holdout_psi,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> FeatureProfile:
        return cls(
            edges=tuple(document["edges"]),
            shares=tuple(document["shares"]),
            missing=document["missing"],
            minimum=document["min"],
            maximum=document["max"],
            count=document["count"],
            holdout_psi=document.get("holdout_psi", 0.0),
        )


def profile_of(values: Sequence[float]) -> FeatureProfile:
    """The profile of a feature's training values (NaN where unknown): decile edges by the nearest-rank
    method, ties merged into one edge."""
    known = sorted(v for v in values if not math.isnan(v))
    count = len(values)
    if not known:
        return FeatureProfile((), (0.0,), 1.0 if count else 0.0, None, None, count)
    edges = tuple(sorted({known[math.ceil(len(known) * q / BINS) - 1] for q in range(1, BINS)}))
    counts = [0] * (len(edges) + 1)
    for value in known:
        counts[bisect_left(edges, value)] += 1
    return FeatureProfile(
        edges=edges,
        shares=tuple(c / count for c in counts),
        missing=(count - len(known)) / count,
        minimum=known[0],
        maximum=known[-1],
        count=count,
    )


def with_holdout(profile: FeatureProfile, holdout: Sequence[float]) -> FeatureProfile:
    """The profile keeping the PSI of the hold-out month's values (NaN where unknown) against it."""
    psi = feature_drift("", profile, tally(profile, holdout)).psi
    return replace(profile, holdout_psi=psi or 0.0)


@dataclass(frozen=True, slots=True)
class Tally:
    """The newest values of a feature counted into its profile's bins, a chunk of clients at a time."""

    bins: tuple[int, ...]
    missing: int = 0
    below: int = 0
    """Known values below the training minimum."""
    above: int = 0
    """Known values above the training maximum."""
    count: int = 0

    @classmethod
    def empty(cls, profile: FeatureProfile) -> Tally:
        return cls((0,) * len(profile.shares))

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            tuple(a + b for a, b in zip(self.bins, other.bins, strict=True)),
            self.missing + other.missing,
            self.below + other.below,
            self.above + other.above,
            self.count + other.count,
        )

    def as_counts(self) -> list[int]:
        """The bins' counts, then the missing, below, above and all values: tallies add up as these do."""
        return [*self.bins, self.missing, self.below, self.above, self.count]

    @classmethod
    def of_counts(cls, counts: Sequence[int]) -> Tally:
        *bins, missing, below, above, count = counts
        return cls(tuple(bins), missing, below, above, count)


def tally(profile: FeatureProfile, values: Iterable[float]) -> Tally:
    """Count values (NaN where unknown) into the profile's bins, and those outside its range.

    The known values are sorted, then each edge is looked up once: a value belongs to bin `i` when exactly
    `i` edges are below it. Sorting floats runs in C; a lookup per value would run in Python."""
    numbers = _floats(values)
    known = sorted(value for value in numbers if value == value)  # NaN is the only value unequal to itself
    above_each_edge = [len(known) - bisect_right(known, edge) for edge in profile.edges]
    at_least = [len(known), *above_each_edge, 0]
    bins = tuple(at_least[i] - at_least[i + 1] for i in range(len(profile.shares)))
    below = 0 if profile.minimum is None else bisect_left(known, profile.minimum)
    above = 0 if profile.maximum is None else len(known) - bisect_right(known, profile.maximum)
    return Tally(bins, len(numbers) - len(known), below, above, len(numbers))


def _floats(values: Iterable[float]) -> list[float]:
    """The values as a list of Python floats: a column (`array('d')`, or any array with `tolist`) gives
    them at once."""
    tolist = getattr(values, "tolist", None)
    return tolist() if callable(tolist) else list(values)


@dataclass(frozen=True, slots=True)
class FeatureDrift:
    """One feature of a model: its newest values beside its training values."""

    feature: str
    psi: float | None
    """None when there are no newest values to compare."""
    missing_at_training: float
    missing_now: float | None
    outside_range: float | None
    """The share of the newest values below the training minimum or above the training maximum."""
    clients: int
    holdout_psi: float = 0.0
    """The PSI the hold-out month's values already had: the drift the model's backtest met."""

    @property
    def level(self) -> DriftLevel | None:
        return None if self.psi is None else drift_level(self.psi)

    @property
    def advises_retraining(self) -> bool:
        """Whether the feature has moved clearly further than the model was tested on: its PSI now at least
        `RETRAINING_MARGIN` above its hold-out PSI and at least `RETRAINING_FACTOR` times it."""
        return (
            self.psi is not None
            and self.psi >= self.holdout_psi + RETRAINING_MARGIN
            and self.psi >= RETRAINING_FACTOR * self.holdout_psi
        )


def feature_drift(feature: str, profile: FeatureProfile, counted: Tally) -> FeatureDrift:
    """Compare the newest values counted in `counted` with the training values of `profile`."""
    if counted.count == 0:
        return FeatureDrift(feature, None, profile.missing, None, None, 0, profile.holdout_psi)
    actual = [n / counted.count for n in (*counted.bins, counted.missing)]
    return FeatureDrift(
        feature=feature,
        psi=population_stability_index(profile.distribution, actual),
        missing_at_training=profile.missing,
        missing_now=counted.missing / counted.count,
        outside_range=(counted.below + counted.above) / counted.count,
        clients=counted.count,
        holdout_psi=profile.holdout_psi,
    )


class ReasonCode(enum.StrEnum):
    FEATURE_DRIFT = "feature_drift"
    REALIZED_SHORTFALL = "realized_shortfall"


@dataclass(frozen=True, slots=True)
class RetrainingReason:
    """Why retraining a model is advised: a feature whose values shifted (`feature`, `psi`, beside the
    `holdout_psi` the model was tested on), or a realized
    key metric worse than the claimed one by more than the margin (`metric`, `realized`, `claimed`,
    `month`: the month of the snapshots it was measured on)."""

    code: ReasonCode
    feature: str | None = None
    psi: float | None = None
    holdout_psi: float | None = None
    metric: str | None = None
    realized: float | None = None
    claimed: float | None = None
    month: date | None = None

    @classmethod
    def shifted(cls, drift: FeatureDrift) -> RetrainingReason:
        return cls(
            ReasonCode.FEATURE_DRIFT, feature=drift.feature, psi=drift.psi, holdout_psi=drift.holdout_psi
        )

    @classmethod
    def fell_short(cls, metric: str, realized: float, claimed: float, month: date) -> RetrainingReason:
        return cls(
            ReasonCode.REALIZED_SHORTFALL, metric=metric, realized=realized, claimed=claimed, month=month
        )

    @property
    def message(self) -> str:
        if self.code is ReasonCode.FEATURE_DRIFT:
            return (
                f"{self.feature} has shifted: PSI {self.psi:.2f}, against {self.holdout_psi:.2f} on the "
                "hold-out month the model was tested on."
            )
        return (
            f"The realized {self.metric} of the snapshots of {self.month:%Y-%m} is {self.realized:.3f}, "
            f"below the {self.claimed:.3f} claimed on the hold-out by more than the margin."
        )
