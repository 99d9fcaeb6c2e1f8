"""Drift: each feature of the active model, its newest values beside its training values, and the advice."""

from __future__ import annotations

from pydantic import Field

from application.drift import DriftReport
from domain.drift import DriftLevel, FeatureDrift, ReasonCode, RetrainingReason
from domain.predictions import ModelKind
from entrypoints.api.schemas.base import Schema


class FeatureDriftOut(Schema):
    feature: str
    psi: float | None = Field(
        description="Population stability index between the training values and the newest ones (missing "
        "values as one more bin); null when no client has a snapshot."
    )
    level: DriftLevel | None = Field(
        description="Below 0.1 stable, 0.1 to 0.2 moderate, from 0.2 significant."
    )
    holdout_psi: float = Field(
        description="PSI of the hold-out month's values against the training values: the drift the backtest "
        "behind the claimed metrics already met (0 for a version trained before it was kept)."
    )
    missing_at_training: float = Field(description="Share of the training values that were unknown.")
    missing_now: float | None = Field(description="Share of the newest values that are unknown.")
    outside_range: float | None = Field(
        description="Share of the newest values below the training minimum or above the training maximum."
    )

    @classmethod
    def of(cls, drift: FeatureDrift) -> FeatureDriftOut:
        return cls.reading(drift)


class RetrainingReasonOut(Schema):
    code: ReasonCode = Field(
        description="`feature_drift`: a feature moved further than the model was tested on (`feature`, "
        "`psi`, `holdout_psi`); "
        "`realized_shortfall`: the realized key metric of a month's snapshots (`month`) is below the one "
        "claimed on the hold-out by more than `margin` (`metric`, `realized`, `claimed`)."
    )
    message: str
    feature: str | None = None
    psi: float | None = None
    holdout_psi: float | None = None
    metric: str | None = None
    realized: float | None = None
    claimed: float | None = None
    month: str | None = Field(default=None, description="YYYY-MM.")

    @classmethod
    def of(cls, reason: RetrainingReason) -> RetrainingReasonOut:
        return cls.reading(reason, month=None if reason.month is None else reason.month.strftime("%Y-%m"))


class DriftOut(Schema):
    """The active model's features, each client's newest snapshot compared with the training data."""

    kind: ModelKind
    model_version: int = Field(description="The active version compared.")
    measured: bool = Field(
        description="Whether its training kept the profile drift is measured against: false for a version "
        "trained before drift was measured (`features` is then empty; retrain to measure it)."
    )
    clients: int = Field(description="Clients whose newest snapshot was compared.")
    psi_margin: float = Field(
        description="Retraining is advised for a feature whose PSI is at least this much above its hold-out "
        "PSI and at least `psi_factor` times it."
    )
    psi_factor: float = Field(description="See `psi_margin`.")
    margin: float = Field(
        description="How far below the claimed key metric a realized one advises retraining."
    )
    retraining_advised: bool
    reasons: list[RetrainingReasonOut] = Field(description="Why retraining is advised; empty when it is not.")
    features: list[FeatureDriftOut]

    @classmethod
    def of(cls, report: DriftReport) -> DriftOut:
        return cls.reading(
            report,
            reasons=[RetrainingReasonOut.of(reason) for reason in report.reasons],
            features=[FeatureDriftOut.of(drift) for drift in report.features],
        )
