"""Use cases about clients and their activity history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from application.commands import ClientChanges, ClientListQuery, NewClient, NewSnapshot, Outcomes
from application.ports import ClientListItem, Clock, Page, UnitOfWork
from domain.activity import ActivitySnapshot
from domain.clients import Client, email_key
from domain.errors import ClientNotFound, DuplicateEmail, DuplicateSnapshot, SnapshotNotFound
from domain.predictions import PurchasePrediction, SalesForecast
from domain.segments import Segment


@dataclass(frozen=True, slots=True)
class ClientDetail:
    """A client with its activity history (newest first) and what the models currently say about it."""

    client: Client
    activity: list[ActivitySnapshot]
    forecast: SalesForecast | None = None
    purchase: PurchasePrediction | None = None
    segment: Segment | None = None
    prediction_history: list[tuple[SalesForecast, PurchasePrediction | None]] = field(default_factory=list)

    @property
    def latest_snapshot(self) -> ActivitySnapshot | None:
        return self.activity[0] if self.activity else None


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


def list_clients(query: ClientListQuery, uow: UnitOfWork) -> Page[ClientListItem]:
    """A page of the client list, with each client's current predictions and segment."""
    with uow:
        return uow.clients.list(query, uow.settings.segment_rule())


def client_detail(client_id: int, uow: UnitOfWork) -> ClientDetail:
    with uow:
        client = _get_client(uow, client_id)
        forecast, purchase = uow.predictions.current(client_id)
        rule = uow.settings.segment_rule()
        return ClientDetail(
            client=client,
            activity=uow.activity.history(client_id),
            forecast=forecast,
            purchase=purchase,
            segment=None if forecast is None else rule.segment_of(forecast.value_pln),
            prediction_history=uow.predictions.history(client_id),
        )


def record_activity(
    client_id: int, data: NewSnapshot | Mapping[str, Any], uow: UnitOfWork, clock: Clock
) -> ActivitySnapshot:
    with uow:
        client = _get_client(uow, client_id)
        command = snapshot_command(data, client, clock)
        if uow.activity.get(client_id, command.observed_on) is not None:
            raise DuplicateSnapshot(client_id, command.observed_on)
        snapshot = uow.activity.add(ActivitySnapshot(client_id=client_id, **command.model_dump()))
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


def snapshot_command(data: NewSnapshot | Mapping[str, Any], client: Client, clock: Clock) -> NewSnapshot:
    """A snapshot of this client, observed neither in the future nor before the client registered."""
    return NewSnapshot.parse(data, today=clock.today(), registered_on=client.registered_on)
