"""What the pages say about drift: the "consider retraining" notice (dashboard and ML page) and the ML
page's drift table of each active model, from the advice this process measured lately."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from application.drift import DriftReport
from domain.drift import (
    PSI_MODERATE,
    PSI_SIGNIFICANT,
    RETRAINING_MARGIN,
    DriftLevel,
    FeatureDrift,
    ReasonCode,
    RetrainingReason,
)
from domain.predictions import ModelKind
from entrypoints.container import current_container as container
from entrypoints.web.formatting import month, number, percent
from entrypoints.web.labels import FEATURE_LABELS, METRIC_LABELS, MODEL_LABELS
from entrypoints.web.ml_panel import metric_text

LEVEL_TONES = {DriftLevel.STABLE: "success", DriftLevel.MODERATE: "warning", DriftLevel.SIGNIFICANT: "danger"}
LEVEL_LABELS = {
    DriftLevel.STABLE: _l("stable"),
    DriftLevel.MODERATE: _l("moderate shift"),
    DriftLevel.SIGNIFICANT: _l("significant shift"),
}


@dataclass(frozen=True)
class RetrainingNotice:
    kind: ModelKind
    label: str
    version: int
    reasons: list[str]


@dataclass(frozen=True)
class DriftRow:
    feature: str
    psi: str
    level: DriftLevel | None
    tone: str
    holdout_psi: str
    missing_then: str
    missing_now: str
    outside_range: str


@dataclass(frozen=True)
class DriftTable:
    kind: ModelKind
    label: str
    version: int
    measured: bool
    clients: str
    rows: list[DriftRow]


@dataclass(frozen=True)
class DriftPanel:
    notices: list[RetrainingNotice]
    tables: list[DriftTable]
    moderate: str
    significant: str
    margin: str


def drift_panel() -> DriftPanel:
    """The notices and one drift table per active model."""
    reports = container().retraining_advice()()
    return DriftPanel(
        notices=[_notice(report) for report in reports if report.retraining_advised],
        tables=[_table(report) for report in reports],
        moderate=number(PSI_MODERATE, decimals=1),
        significant=number(PSI_SIGNIFICANT, decimals=1),
        margin=number(RETRAINING_MARGIN, decimals=1),
    )


def retraining_notices() -> list[RetrainingNotice]:
    return drift_panel().notices


def _notice(report: DriftReport) -> RetrainingNotice:
    return RetrainingNotice(
        kind=report.kind,
        label=str(MODEL_LABELS[report.kind]),
        version=report.model_version,
        reasons=[_reason(reason, report.margin) for reason in report.reasons],
    )


def _reason(reason: RetrainingReason, margin: float) -> str:
    if reason.code is ReasonCode.FEATURE_DRIFT:
        return _(
            "%(feature)s has shifted: PSI %(psi)s, against %(holdout)s on the hold-out month the model was "
            "tested on.",
            feature=_feature(reason.feature or ""),
            psi=number(reason.psi, decimals=2),
            holdout=number(reason.holdout_psi, decimals=2),
        )
    metric = reason.metric or ""
    return _(
        "Its realized %(metric)s on the snapshots of %(month)s is %(realized)s, more than %(margin)s below "
        "the %(claimed)s claimed when it was trained.",
        metric=str(METRIC_LABELS.get(metric, metric)),
        month=month(reason.month, "LLL yyyy") if reason.month else "—",
        realized=metric_text(metric, reason.realized),
        margin=number(margin, decimals=2),
        claimed=metric_text(metric, reason.claimed),
    )


def _feature(name: str) -> str:
    return str(FEATURE_LABELS.get(name, name))


def _table(report: DriftReport) -> DriftTable:
    return DriftTable(
        kind=report.kind,
        label=str(MODEL_LABELS[report.kind]),
        version=report.model_version,
        measured=report.measured,
        clients=number(report.clients),
        rows=[_row(drift) for drift in sorted(report.features, key=lambda d: -(d.psi or 0.0))],
    )


def _row(drift: FeatureDrift) -> DriftRow:
    level = drift.level
    return DriftRow(
        feature=_feature(drift.feature),
        psi=number(drift.psi, decimals=3),
        level=level,
        tone="secondary" if level is None else LEVEL_TONES[level],
        holdout_psi=number(drift.holdout_psi, decimals=3),
        missing_then=percent(drift.missing_at_training, decimals=1),
        missing_now=percent(drift.missing_now, decimals=1),
        outside_range=percent(drift.outside_range, decimals=1),
    )
