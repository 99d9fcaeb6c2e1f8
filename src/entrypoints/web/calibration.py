"""The ML page's Calibration card: the active purchase model's reliability chart, on its test month when
it was trained and on realized outcomes, with the Brier scores and the calibration its backtest kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from application.calibration import PurchaseCalibration
from domain.calibration import AS_FITTED, CALIBRATION_AUC_TOLERANCE, CALIBRATION_MIN_BRIER_GAIN, Reliability
from domain.model_runs import ModelNotTrained
from entrypoints.container import current_container as container
from entrypoints.web.formatting import number, percent

METHOD_LABELS = {
    AS_FITTED: _l("As fitted"),
    "sigmoid": _l("Sigmoid (Platt)"),
    "isotonic": _l("Isotonic"),
}


@dataclass(frozen=True)
class BinRow:
    """One probability bin of the table beside the chart: for the test month and realized outcomes,
    the clients, their mean predicted probability and the share who bought."""

    label: str
    hold_out: tuple[str, str, str]
    realized: tuple[str, str, str]


@dataclass(frozen=True)
class ComparedRow:
    label: str
    brier: str
    roc_auc: str
    kept: bool


@dataclass(frozen=True)
class CalibrationCard:
    version: int
    method: str | None
    method_label: str
    hold_out_brier: str | None
    """None for a version trained before its curve was recorded."""
    realized_brier: str | None
    """None until an outcome of one of the version's predictions is known."""
    realized_clients: int
    compared: list[ComparedRow]
    rows: list[BinRow]
    chart: dict[str, Any]
    min_gain: str
    """The rule a calibration is kept by, as the help text quotes it."""
    auc_tolerance: str


def calibration_card() -> CalibrationCard | None:
    """None while no purchase model is active."""
    try:
        calibration = container().purchase_calibration()()
    except ModelNotTrained:
        return None
    return _card(calibration)


def _card(calibration: PurchaseCalibration) -> CalibrationCard:
    hold_out, realized = calibration.hold_out, calibration.realized_of_active
    return CalibrationCard(
        version=calibration.model_version,
        method=calibration.method,
        method_label=str(METHOD_LABELS.get(calibration.method or AS_FITTED, calibration.method)),
        hold_out_brier=None if hold_out is None else number(hold_out.brier, decimals=3),
        realized_brier=None if realized is None else number(realized.brier, decimals=3),
        realized_clients=0 if realized is None else realized.clients,
        compared=[
            ComparedRow(
                str(METHOD_LABELS.get(name, name)),
                number(score.get("brier"), decimals=4),
                number(score.get("roc_auc"), decimals=3),
                name == (calibration.method or AS_FITTED),
            )
            for name, score in calibration.compared.items()
        ],
        rows=_rows(hold_out, realized),
        chart=_chart(hold_out, realized),
        min_gain=number(CALIBRATION_MIN_BRIER_GAIN, decimals=3),
        auc_tolerance=number(CALIBRATION_AUC_TOLERANCE, decimals=3),
    )


def _rows(hold_out: Reliability | None, realized: Reliability | None) -> list[BinRow]:
    curves = [curve for curve in (hold_out, realized) if curve is not None]
    if not curves:
        return []
    return [
        BinRow(
            f"{percent(b.lower)}–{percent(b.upper)}",
            _cells(hold_out, index),
            _cells(realized, index),
        )
        for index, b in enumerate(curves[0].bins)
    ]


def _cells(curve: Reliability | None, index: int) -> tuple[str, str, str]:
    if curve is None:
        return ("—", "—", "—")
    b = curve.bins[index]
    return (number(b.clients), percent(b.mean_probability, decimals=1), percent(b.buy_rate, decimals=1))


def _chart(hold_out: Reliability | None, realized: Reliability | None) -> dict[str, Any]:
    return {
        "holdOut": _points(hold_out),
        "realized": _points(realized),
        "labels": {
            "diagonal": _("Perfectly calibrated"),
            "holdOut": _("Test month, at training"),
            "realized": _("Realized outcomes"),
            "predicted": _("Predicted probability"),
            "observed": _("Share who bought"),
            "clients": _("Clients"),
        },
    }


def _points(curve: Reliability | None) -> list[dict[str, float | int]]:
    if curve is None:
        return []
    return [
        {"x": b.mean_probability, "y": b.buy_rate, "clients": b.clients}
        for b in curve.bins
        if b.mean_probability is not None and b.buy_rate is not None
    ]
