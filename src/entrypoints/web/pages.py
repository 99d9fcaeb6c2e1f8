"""The dashboard: the headline numbers of the client base and the sales trend with next month's forecast."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from application.queries import Dashboard
from domain.segments import Segment
from domain.users import Permission
from entrypoints.auth import requires
from entrypoints.container import current_container as container
from entrypoints.web.blueprint import bp
from entrypoints.web.drift import retraining_notices
from entrypoints.web.formatting import company_currency, month


@bp.get("/", endpoint="dashboard")
@requires(Permission.READ)
def dashboard_page() -> ResponseReturnValue:
    board = container().dashboard()()
    return render_template(
        "dashboard.html",
        board=board,
        segments=list(Segment),
        trend=sales_trend(board),
        retraining_notices=retraining_notices(),
    )


def sales_trend(board: Dashboard) -> dict[str, Any]:
    """What the sales chart draws: actual months, and the forecast month apart from them."""
    labels = [month(m.month, "LLL yyyy") for m in board.monthly_sales]
    actual: list[float | None] = [round(m.total, 2) for m in board.monthly_sales]
    forecast: list[float | None] = [None] * len(actual)
    has_forecast = board.forecast_month is not None and board.predictions.clients_scored > 0
    if has_forecast and board.forecast_month is not None:
        labels.append(month(board.forecast_month, "LLL yyyy"))
        actual.append(None)
        if forecast:
            forecast[-1] = actual[-2]  # the dashed line starts where the actual sales end
        forecast.append(round(board.predictions.forecast_total, 2))
    return {
        "labels": labels,
        "actual": actual,
        "forecast": forecast,
        "actualLabel": _("Actual sales"),
        "forecastLabel": _("Forecast"),
        "currency": company_currency(),
    }
