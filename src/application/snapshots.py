"""Use cases that turn the company's orders and events into activity snapshots (`domain.derivation`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from application.chunks import refresh_statistics
from application.commands import SnapshotBuild
from application.jobs import BUILD_SNAPSHOTS, submit_job
from application.ports import Clock, JobProgress, JobRunner, UnitOfWork
from domain.derivation import derive_from_entries, last_month_end_on_or_before
from domain.jobs import Job

CLIENTS_PER_CHUNK = 2_000
"""Clients whose logs are read, derived and written at a time: memory stays bounded."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    clients: int
    """Clients with orders or events, whose derived snapshots were rebuilt."""
    snapshots: int
    """Derived snapshots written (a month end holding an entered snapshot is not counted)."""
    through: date


@dataclass(frozen=True, slots=True)
class _Chunk:
    clients: int
    snapshots: int
    last_client_id: int


def build_snapshots(
    through: object,
    uow: UnitOfWork,
    clock: Clock,
    clients_per_chunk: int = CLIENTS_PER_CHUNK,
    progress: JobProgress | None = None,
) -> BuildReport:
    """Rebuild the derived snapshots of every client with orders or events, up to `through` (a date, not
    in the future; None: the last month end on or before today), `clients_per_chunk` clients per
    transaction, telling `progress` the clients done so far. Entered snapshots stay as they are; building
    again with the same logs changes nothing. Refuses a bad `through` (InvalidInput, field `through`)."""
    until = _through({} if through is None else {"through": through}, clock)
    with uow:
        events_from = uow.events.first_day()
    clients, snapshots, after = 0, 0, 0
    while True:
        with uow:
            chunk = _rebuild_chunk(uow, until, events_from, after, clients_per_chunk)
            uow.commit()
        if chunk is None:
            refresh_statistics(uow)
            return BuildReport(clients, snapshots, until)
        clients, snapshots, after = clients + chunk.clients, snapshots + chunk.snapshots, chunk.last_client_id
        if progress is not None:
            progress(clients, None)


def build_snapshots_then_rescore(
    through: object,
    uow: UnitOfWork,
    clock: Clock,
    rescore: Callable[[], object] | None = None,
    progress: JobProgress | None = None,
) -> BuildReport:
    """`build_snapshots`, then `rescore` the clients when snapshots were written, since their predictions
    are out of date then: the work of the job `build_snapshots`."""
    report = build_snapshots(through, uow, clock, progress=progress)
    if report.snapshots and rescore is not None:
        rescore()
    return report


def start_snapshot_build(
    request: Mapping[str, object],
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    jobs: JobRunner,
    submitted_by: str | None = None,
) -> Job:
    """Build the snapshots in the background, as `request` asks (a `SnapshotBuild`'s fields, all
    optional), then score the clients again (the job `build_snapshots`, performed by
    `build_snapshots_then_rescore`); refuses a bad request at once."""
    until = _through(request, clock)
    parameters = {"through": until.isoformat()}
    return submit_job(
        BUILD_SNAPSHOTS, parameters, "build snapshots", uow_factory(), clock, jobs, submitted_by
    )


def _rebuild_chunk(
    uow: UnitOfWork, through: date, events_from: date | None, after_client_id: int, limit: int
) -> _Chunk | None:
    """Derive and replace the snapshots of the next `limit` clients with logs; None when none is left."""
    clients = uow.clients.with_logs(after_client_id, limit)
    if not clients:
        return None
    ids = [client.id for client in clients if client.id is not None]
    orders, events = uow.orders.entries_of_clients(ids), uow.events.entries_of_clients(ids)
    derived = (
        snapshot
        for client in clients
        if client.id is not None
        for snapshot in derive_from_entries(
            client.id,
            client.registered_on,
            orders.get(client.id, []),
            events.get(client.id, []),
            through,
            events_from,
        )
    )
    written = uow.activity.replace_derived(ids, derived)
    return _Chunk(len(ids), written, ids[-1])


def _through(request: Mapping[str, object], clock: Clock) -> date:
    today = clock.today()
    command = SnapshotBuild.parse(request, today=today)
    return command.through or last_month_end_on_or_before(today)
