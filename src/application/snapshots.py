"""Use cases that turn the company's orders and events into activity snapshots (`domain.derivation`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from application.commands import SnapshotBuild
from application.ports import Clock, JobRunner, JobStatus, UnitOfWork
from domain.derivation import derive_from_entries, last_month_end_on_or_before

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
    through: object, uow: UnitOfWork, clock: Clock, clients_per_chunk: int = CLIENTS_PER_CHUNK
) -> BuildReport:
    """Rebuild the derived snapshots of every client with orders or events, up to `through` (a date, not
    in the future; None: the last month end on or before today), `clients_per_chunk` clients per
    transaction. Entered snapshots stay as they are; building again with the same logs changes nothing.
    Refuses a bad `through` (InvalidInput, field `through`)."""
    until = _through({} if through is None else {"through": through}, clock)
    with uow:
        events_from = uow.events.first_day()
    clients, snapshots, after = 0, 0, 0
    while True:
        with uow:
            chunk = _rebuild_chunk(uow, until, events_from, after, clients_per_chunk)
            uow.commit()
        if chunk is None:
            return BuildReport(clients, snapshots, until)
        clients, snapshots, after = clients + chunk.clients, snapshots + chunk.snapshots, chunk.last_client_id


def start_snapshot_build(
    request: Mapping[str, object],
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    jobs: JobRunner,
    rescore: Callable[[], object] | None = None,
) -> JobStatus:
    """Build the snapshots in the background, as `request` asks (a `SnapshotBuild`'s fields, all
    optional), then `rescore` the clients when snapshots were written, since their predictions are
    out of date then; refuses a bad request at once."""
    until = _through(request, clock)

    def build_then_rescore() -> BuildReport:
        report = build_snapshots(until, uow_factory(), clock)
        if report.snapshots and rescore is not None:
            rescore()
        return report

    return jobs.submit(build_then_rescore, "build snapshots")


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
