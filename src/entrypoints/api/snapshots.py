"""Snapshots derived from the company's orders and events, built in the background."""

from __future__ import annotations

from flask import Response, request

from application.commands import SnapshotBuild
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer, json_object
from entrypoints.api.security import allowed, caller
from entrypoints.container import current_container as container


@bp.post("/snapshots/build", endpoint="build_snapshots")
@operation(
    "buildSnapshots",
    tag="snapshots",
    body=SnapshotBuild,
    optional_body=True,
    ok={202: schemas.JobOut},
    errors=(400, 415),
)
@allowed(Permission.EDIT_CLIENTS)
def build() -> Response:
    """Derive every client's snapshots from its orders and events, in the background

    One snapshot per month end from the client's first activity up to `through` (a date, not in the
    future; by default the last month end); the outcomes are filled once their window has closed.
    Entered snapshots are never overwritten; building again with the same orders and events changes
    nothing. The body may be left out. Answers at once with the job to poll.
    """
    build = json_object() if request.content_length else {}
    job = schemas.JobOut.of(container().start_snapshot_build()(build, submitted_by=caller().email))
    return answer(job, 202, location=job.url)
