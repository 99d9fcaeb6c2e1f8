"""The threshold advice's chart: the expected profit per client at each threshold on the held-out
clients, and on the predictions whose outcomes are known, with the best and the current threshold."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from application.decisions import ThresholdAdvice


def profit_chart(advice: ThresholdAdvice | None, currency: str) -> dict[str, Any] | None:
    """What `charts.js` draws the profit curve from; None without advice."""
    if advice is None:
        return None
    realized = advice.realized
    return {
        "thresholds": [point.threshold for point in advice.points],
        "expected": [point.profit_per_client for point in advice.points],
        "best": advice.best.threshold,
        "realized": None if realized is None else [point.profit_per_client for point in realized.points],
        "realizedBest": None if realized is None else realized.best.threshold,
        "current": advice.current_threshold,
        "currency": currency,
        "labels": {
            "expected": _("Expected, on the held-out clients"),
            "realized": _("Realized, on the known outcomes"),
            "best": _("Most profitable"),
            "threshold": _("Decision threshold"),
            "current": _("Current threshold"),
            "profit": _("Profit per client"),
        },
    }
