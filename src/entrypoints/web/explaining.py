"""What a client's page shows beside the numbers: the factors behind a prediction, and the activity chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from application.predicting import FeatureContribution
from domain.activity import ActivitySnapshot
from domain.features import NEVER_BOUGHT
from domain.predictions import ModelKind
from entrypoints.web.formatting import company_currency, day, money, month, number
from entrypoints.web.labels import FEATURE_LABELS, MODEL_LABELS

FACTORS_EACH_WAY = 3
YES_NO_FEATURES = frozenset({"newsletter_opened", "has_purchase_history"})


@dataclass(frozen=True)
class Factor:
    feature: str
    label: str
    value: str
    """The client's value of the feature, as people write it."""
    contribution: float
    effect: str
    """The contribution in words: money for the sales forecast, percentage points for the purchase chance."""
    width: float
    """Length of the factor's bar, in percent of the strongest factor of the same prediction."""


@dataclass(frozen=True)
class Factors:
    kind: ModelKind
    label: str
    up: list[Factor]
    down: list[Factor]
    approximate: bool = False
    """The model is not linear: each effect is the change when the value is set to the average."""


def top_factors(
    sales: Sequence[FeatureContribution], purchase: Sequence[FeatureContribution]
) -> list[Factors]:
    """The strongest factors pushing each prediction up, and the strongest pushing it down."""
    return [_factors(ModelKind.SALES, sales), _factors(ModelKind.PURCHASE, purchase)]


def _factors(kind: ModelKind, reasons: Sequence[FeatureContribution]) -> Factors:
    strongest = max((abs(r.contribution) for r in reasons), default=0.0) or 1.0
    factors = [_factor(kind, r, strongest) for r in reasons]
    up = [f for f in factors if f.contribution > 0][:FACTORS_EACH_WAY]
    down = [f for f in factors if f.contribution < 0][:FACTORS_EACH_WAY]
    approximate = any(r.approximate for r in reasons)
    return Factors(kind, str(MODEL_LABELS[kind]), up, down, approximate)


def _factor(kind: ModelKind, reason: FeatureContribution, strongest: float) -> Factor:
    if kind is ModelKind.SALES:
        # A sales contribution is money away from the average client's forecast.
        effect = ("+" if reason.contribution >= 0 else "") + money(reason.contribution)
    else:
        effect = in_points(reason.contribution)
    return Factor(
        feature=reason.feature,
        label=str(FEATURE_LABELS.get(reason.feature, reason.feature)),
        value=feature_value(reason.feature, reason.value),
        contribution=reason.contribution,
        effect=effect,
        width=round(100 * abs(reason.contribution) / strongest, 1),
    )


def in_points(share: float) -> str:
    """A change of a probability in signed percentage points: 0.052 is "+5.2 pp"."""
    return _(
        "%(sign)s%(points)s pp",
        sign="+" if share >= 0 else "−",
        points=number(abs(100 * share), decimals=1),
    )


def feature_value(feature: str, value: float | None) -> str:
    if feature == NEVER_BOUGHT:
        return _("never bought")
    if value is None:
        return _("no data")
    if feature in YES_NO_FEATURES:
        return _("Yes") if value else _("No")
    if feature == "avg_basket_value":
        return money(value)
    if feature == "time_on_site_7d":
        return _("%(minutes)s min", minutes=number(value, decimals=1))
    return number(value)


def activity_chart(history: Sequence[ActivitySnapshot]) -> dict[str, Any]:
    """A client's snapshots, oldest first: the sales that followed each one and the visits before it."""
    ordered = sorted(history, key=lambda s: s.observed_on)
    return {
        "labels": [day(s.observed_on) for s in ordered],
        "sales": [s.sales_next_month for s in ordered],
        "salesMonths": [month(s.forecast_month) for s in ordered],
        "visits": [s.site_visits_30d for s in ordered],
        "salesLabel": _("Sales in the month forecast"),
        "visitsLabel": _("Site visits in the last 30 days"),
        "noData": _("no data"),
        "currency": company_currency(),
    }
