"""Model candidates: which inputs (feature set) and which kind of model (family) one training uses."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.predictions import ModelKind


class FeatureSetName(enum.StrEnum):
    BASIC = "basic"
    """The snapshot's own features: what a company without an order log can enter."""
    EXTENDED = "extended"
    """The basic features plus the client's order history (spend and orders over a year)."""


class ModelFamily(enum.StrEnum):
    LINEAR = "linear"
    """Linear (sales) or logistic (purchase) regression on standardized features: exact reasons."""
    BOOSTED = "boosted"
    """Gradient-boosted trees (Poisson loss for sales): non-linear, approximate reasons."""
    CLV = "clv"
    """Sales only: BG/NBD expected orders times Gamma-Gamma expected order value, from the order history."""


@dataclass(frozen=True, slots=True)
class Candidate:
    features: FeatureSetName = FeatureSetName.BASIC
    family: ModelFamily = ModelFamily.LINEAR

    @property
    def name(self) -> str:
        """`family/features`, e.g. `boosted/extended`; `clv` alone, since it has one set of inputs."""
        if self.family is ModelFamily.CLV:
            return ModelFamily.CLV.value
        return f"{self.family.value}/{self.features.value}"

    @property
    def has_exact_reasons(self) -> bool:
        """Linear models explain a prediction exactly; the others by an approximation."""
        return self.family is ModelFamily.LINEAR

    def check_for(self, kind: ModelKind) -> None:
        if self.family is ModelFamily.CLV and kind is not ModelKind.SALES:
            raise CandidateNotAvailable(kind, self)


DEFAULT_CANDIDATE = Candidate()


def clv() -> Candidate:
    """The customer-lifetime candidate: its inputs all come from the order history."""
    return Candidate(FeatureSetName.EXTENDED, ModelFamily.CLV)


def candidates(kind: ModelKind) -> list[Candidate]:
    """Every candidate of a kind, the default first."""
    found = [
        Candidate(features, family)
        for family in (ModelFamily.LINEAR, ModelFamily.BOOSTED)
        for features in FeatureSetName
    ]
    return [*found, clv()] if kind is ModelKind.SALES else found


class CandidateNotAvailable(InvalidValue):
    def __init__(self, kind: ModelKind, candidate: Candidate) -> None:
        super().__init__(
            "model",
            "sales_only",
            f"the {candidate.family.value} model forecasts sales only; it cannot be a {kind.value} model",
            kind=kind.value,
            model=candidate.family.value,
        )
