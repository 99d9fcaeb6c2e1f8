"""A client's activity snapshots: the history, a new snapshot, and outcomes filled in once known."""

from __future__ import annotations

from flask import Response

from application.commands import Outcomes, SnapshotEntry, SnapshotKey
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.clients import CLIENT_ID
from entrypoints.api.io import answer, body, json_object
from entrypoints.api.security import allowed
from entrypoints.container import current_container as container

SNAPSHOT = f"/clients/{CLIENT_ID}/activity/<observed_on>"


@bp.get(f"/clients/{CLIENT_ID}/activity", endpoint="list_activity")
@operation("listActivity", tag="activity", ok={200: schemas.SnapshotListOut}, errors=(404,))
@allowed(Permission.READ)
def history(client_id: int) -> Response:
    """List a client's activity snapshots, newest first"""
    snapshots = container().client_activity()(client_id)
    return answer(schemas.SnapshotListOut(items=[schemas.SnapshotOut.of(s) for s in snapshots]))


@bp.post(f"/clients/{CLIENT_ID}/activity", endpoint="add_snapshot")
@operation(
    "addSnapshot",
    tag="activity",
    body=SnapshotEntry,
    ok={201: schemas.SnapshotOut},
    errors=(400, 404, 409, 415),
)
@allowed(Permission.EDIT_CLIENTS)
def add(client_id: int) -> Response:
    """Record a snapshot of a client's activity

    One snapshot per client per `observed_on`, not before the client registered nor in the future.
    The behavioural features (`site_visits_30d`, `visits_7d`, `newsletter_opened`, `ad_clicks_7d`,
    `time_on_site_7d`) may be left out or null when unknown; `visits_7d` may not exceed
    `site_visits_30d` when both are known. Outcomes may come now or later.

    A value far outside the company's usual ones (more than 10 times the 99th percentile of its field
    over the snapshots stored, once there are 20 of them) is a likely typing slip: it is refused with
    422 and the code `implausible_value`, each such field named with its `typical_max`, unless the
    body says `"confirm_unusual": true`.
    """
    recorded, _ = container().record_activity()(client_id, json_object())
    snapshot = schemas.SnapshotOut.of(recorded)
    return answer(snapshot, 201, location=snapshot.url)


@bp.get(SNAPSHOT, endpoint="get_snapshot")
@operation("getSnapshot", tag="activity", ok={200: schemas.SnapshotOut}, errors=(404,))
@allowed(Permission.READ)
def get(client_id: int, observed_on: str) -> Response:
    """Read one snapshot of a client"""
    key = SnapshotKey.parse({"observed_on": observed_on})
    return answer(schemas.SnapshotOut.of(container().get_snapshot()(client_id, key.observed_on)))


@bp.patch(SNAPSHOT, endpoint="record_outcomes")
@operation(
    "recordOutcomes", tag="activity", body=Outcomes, ok={200: schemas.SnapshotOut}, errors=(400, 404, 415)
)
@allowed(Permission.EDIT_CLIENTS)
def fill_outcomes(client_id: int, observed_on: str) -> Response:
    """Fill in the outcomes of a snapshot once they are known

    Give `sales_next_month`, `purchased_next_14d` or both; an outcome left out keeps its value. Sales
    far outside the company's usual ones are refused as in `addSnapshot` (422, `implausible_value`)
    unless the body says `"confirm_unusual": true`.
    """
    key = SnapshotKey.parse({"observed_on": observed_on})
    updated = container().record_outcomes()(client_id, key.observed_on, body(Outcomes))
    return answer(schemas.SnapshotOut.of(updated))
