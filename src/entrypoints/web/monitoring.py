"""The ML page's Monitoring card: per model, how each version's predictions did month by month once
their outcomes arrived, its realized key metric beside the one its training claimed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from application.monitoring import ModelPerformance, MonthPerformance
from domain.performance import PurchasePerformance, SalesPerformance
from domain.predictions import ModelKind
from entrypoints.container import current_container as container
from entrypoints.web.formatting import money, month, number, percent
from entrypoints.web.labels import METRIC_LABELS, MODEL_LABELS
from entrypoints.web.ml_panel import metric_text

HEADERS: dict[ModelKind, tuple[LazyString, ...]] = {
    ModelKind.SALES: (_l("MAE"), _l("Revenue bias"), _l("Forecast total"), _l("Actual total")),
    ModelKind.PURCHASE: (
        _l("Precision"),
        _l("Recall"),
        _l("Brier score"),
        _l("Base rate"),
        _l("Lift, top tenth"),
    ),
}
"""The realized metrics shown beside each model's key one, in the order of `_cells`."""


def _cells(realized: SalesPerformance | PurchasePerformance) -> list[str]:
    if isinstance(realized, SalesPerformance):
        return [
            money(realized.mae),
            percent(realized.revenue_bias, decimals=1),
            money(realized.forecast_total),
            money(realized.actual_total),
        ]
    top = realized.deciles[0].lift
    return [
        percent(realized.precision, decimals=1),
        percent(realized.recall, decimals=1),
        number(realized.brier, decimals=3),
        percent(realized.base_rate, decimals=1),
        number(None) if top is None else f"{number(top, decimals=2)}×",
    ]


@dataclass(frozen=True)
class MonitoringRow:
    version: int
    month: str
    clients: str
    cells: list[str]
    realized: str
    claimed: str
    falls_short: bool
    compared: bool
    """Both the realized and the claimed key metric are known."""


@dataclass(frozen=True)
class MonitoringTable:
    kind: ModelKind
    label: str
    key_metric: str
    margin: str
    headers: list[str]
    rows: list[MonitoringRow]
    trend: dict[str, Any] = field(default_factory=dict)
    """What `charts.js` draws the realized key metric by month from, each version beside its claim."""
    lift: dict[str, Any] | None = None
    """Purchases: the buyer share of each tenth of the newest month's clients, against the base rate."""


def monitoring_tables() -> list[MonitoringTable]:
    """One table per model, newest version and month first."""
    return [_table(container().model_performance()(kind)) for kind in ModelKind]


def _table(performance: ModelPerformance) -> MonitoringTable:
    return MonitoringTable(
        kind=performance.kind,
        label=str(MODEL_LABELS[performance.kind]),
        key_metric=str(METRIC_LABELS[performance.key_metric]),
        margin=number(performance.margin, decimals=2),
        headers=[str(header) for header in HEADERS[performance.kind]],
        rows=[_row(performance.key_metric, m) for m in reversed(performance.months)],
        trend=_trend(performance),
        lift=_lift(performance.months[-1]) if performance.months else None,
    )


def _trend(performance: ModelPerformance) -> dict[str, Any]:
    """Per version, its realized key metric in each snapshot month it scored, and the one it claimed."""
    months = sorted({m.month for m in performance.months})
    versions = sorted({m.model_version for m in performance.months}, reverse=True)
    by_month = {(m.model_version, m.month): m for m in performance.months}
    return {
        "months": [month(m, "LLL yyyy") for m in months],
        "versions": [
            {
                "label": f"v{version}",
                "realized": [_key_metric_of(by_month.get((version, m))) for m in months],
                "claimed": next(
                    (p.claimed_key_metric for p in performance.months if p.model_version == version), None
                ),
            }
            for version in versions
        ],
        "labels": {
            "metric": str(METRIC_LABELS[performance.key_metric]),
            "realized": _("%(metric)s realized", metric=METRIC_LABELS[performance.key_metric]),
            "claimed": _("%(metric)s claimed", metric=METRIC_LABELS[performance.key_metric]),
        },
    }


def _key_metric_of(performance: MonthPerformance | None) -> float | None:
    return None if performance is None else performance.realized.key_metric


def _lift(newest: MonthPerformance) -> dict[str, Any] | None:
    realized = newest.realized
    if not isinstance(realized, PurchasePerformance):
        return None
    return {
        "tenths": [str(tenth) for tenth in range(1, len(realized.deciles) + 1)],
        "shares": [decile.buyer_share for decile in realized.deciles],
        "baseRate": realized.base_rate,
        "labels": {
            "title": _(
                "Buyers in each tenth, v%(version)s, %(month)s",
                version=newest.model_version,
                month=month(newest.month, "LLL yyyy"),
            ),
            "tenth": _("Tenth of clients by chance, highest first"),
            "share": _("Share who bought"),
            "baseRate": _("Base rate"),
        },
    }


def _row(key_metric: str, performance: MonthPerformance) -> MonitoringRow:
    return MonitoringRow(
        version=performance.model_version,
        month=month(performance.month, "LLL yyyy"),
        clients=number(performance.realized.count),
        cells=_cells(performance.realized),
        realized=metric_text(key_metric, performance.realized.key_metric),
        claimed=metric_text(key_metric, performance.claimed_key_metric),
        falls_short=performance.falls_short,
        compared=None not in (performance.realized.key_metric, performance.claimed_key_metric),
    )
