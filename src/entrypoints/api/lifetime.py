"""A client's customer lifetime, from the newest customer-lifetime model."""

from __future__ import annotations

from flask import Response

from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.clients import CLIENT_ID
from entrypoints.api.io import answer
from entrypoints.api.security import allowed
from entrypoints.container import current_container as container


@bp.get(f"/clients/{CLIENT_ID}/lifetime", endpoint="get_lifetime")
@operation("getLifetime", tag="predictions", ok={200: schemas.LifetimeOut}, errors=(404,))
@allowed(Permission.READ)
def get(client_id: int) -> Response:
    """Read a client's customer lifetime: P(alive), expected orders, next order, 12-month value

    From the newest trained sales model of the `clv` family (BG/NBD x Gamma-Gamma), active or not, and
    the client's newest snapshot: the chance the client is still active, the orders expected in 90 and
    365 days, the day by which one order is expected and the 12-month value. Without an estimate every
    figure is null and `unavailable` says why. Nothing is stored.
    """
    return answer(schemas.LifetimeOut.of(container().client_lifetime()(client_id)))
