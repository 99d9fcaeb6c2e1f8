"""Use cases about clients and their activity history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from application.commands import ClientChanges, NewClient, Outcomes, SnapshotEntry
from application.plausibility import refuse_unusual
from application.ports import Clock, UnitOfWork
from domain.activity import ActivitySnapshot
from domain.clients import Client, email_key
from domain.errors import ClientNotFound, DuplicateEmail, DuplicateSnapshot, SnapshotNotFound


def register_client(data: NewClient | Mapping[str, Any], uow: UnitOfWork, clock: Clock) -> Client:
    command = NewClient.parse(data, today=clock.today())
    with uow:
        _require_email_free(uow, command.email)
        client = uow.clients.add(Client(**command.model_dump()))
        uow.commit()
    return client


def update_client(
    client_id: int, data: ClientChanges | Mapping[str, Any], uow: UnitOfWork, clock: Clock
) -> Client:
    changes = ClientChanges.parse(data, today=clock.today()).changes()
    with uow:
        client = _get_client(uow, client_id)
        if "email" in changes and email_key(changes["email"]) != email_key(client.email):
            _require_email_free(uow, changes["email"])
        updated = client.with_changes(**changes)
        uow.clients.update(updated)
        uow.commit()
    return updated


def delete_client(client_id: int, uow: UnitOfWork) -> Client:
    """Delete a client with its activity and predictions; returns the client as it was."""
    with uow:
        client = _get_client(uow, client_id)
        uow.clients.delete(client_id)
        uow.commit()
    return client


def record_activity(
    client_id: int, data: SnapshotEntry | Mapping[str, Any], uow: UnitOfWork, clock: Clock
) -> ActivitySnapshot:
    """Store a snapshot; values far outside the company's usual ones only when confirmed (else
    UnusualValues)."""
    with uow:
        client = _get_client(uow, client_id)
        command = snapshot_command(data, client, clock)
        if uow.activity.get(client_id, command.observed_on) is not None:
            raise DuplicateSnapshot(client_id, command.observed_on)
        if not command.confirm_unusual:
            refuse_unusual(command.snapshot_values(), uow.activity)
        snapshot = uow.activity.add(ActivitySnapshot(client_id=client_id, **command.snapshot_values()))
        uow.commit()
    return snapshot


def get_snapshot(client_id: int, observed_on: date, uow: UnitOfWork) -> ActivitySnapshot:
    with uow:
        _get_client(uow, client_id)
        snapshot = uow.activity.get(client_id, observed_on)
    if snapshot is None:
        raise SnapshotNotFound(client_id, observed_on)
    return snapshot


def record_outcomes(
    client_id: int, observed_on: date, command: Outcomes, uow: UnitOfWork
) -> ActivitySnapshot:
    with uow:
        _get_client(uow, client_id)
        snapshot = uow.activity.get(client_id, observed_on)
        if snapshot is None:
            raise SnapshotNotFound(client_id, observed_on)
        if not command.confirm_unusual:
            refuse_unusual(command.model_dump(), uow.activity)
        updated = snapshot.with_outcomes(command.sales_next_month, command.purchased_next_14d)
        uow.activity.update_outcomes(updated)
        uow.commit()
    return updated


def _get_client(uow: UnitOfWork, client_id: int) -> Client:
    client = uow.clients.get(client_id)
    if client is None:
        raise ClientNotFound(client_id)
    return client


def _require_email_free(uow: UnitOfWork, email: str) -> None:
    if uow.clients.get_by_email(email) is not None:
        raise DuplicateEmail(email)


def snapshot_command(data: SnapshotEntry | Mapping[str, Any], client: Client, clock: Clock) -> SnapshotEntry:
    """A snapshot of this client, observed neither in the future nor before the client registered."""
    return SnapshotEntry.parse(data, today=clock.today(), registered_on=client.registered_on)
