"""The dashboard's numbers: the client base, the current predictions, and the monthly sales trend."""

from __future__ import annotations

from flask import Response

from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer
from entrypoints.api.security import allowed
from entrypoints.container import current_container as container


@bp.get("/dashboard", endpoint="get_dashboard")
@operation("getDashboard", tag="dashboard", ok={200: schemas.DashboardOut})
@allowed(Permission.READ)
def board() -> Response:
    """Read the dashboard

    Client count, average forecast, the share of scored clients at or above the threshold, segment
    counts with their rule, and actual sales per month followed by the forecast month.
    """
    return answer(schemas.DashboardOut.of(container().dashboard()()))
