"""Example entities for the contract tests: valid by default, changed through keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any, Protocol

from application.ports import UnitOfWork
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.users import Role, User

UnitOfWorkFactory = Callable[[], UnitOfWork]


class Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(entity: Stored) -> int:
    """The id of an entity read back from a repository, which always has one."""
    assert entity.id is not None
    return entity.id


def a_client(name: str = "Anna", **changes: Any) -> Client:
    client = Client(
        first_name=name,
        last_name="Nowak",
        email=f"{name.lower()}@example.pl",
        registered_on=date(2023, 1, 15),
    )
    return replace(client, **changes)


def a_snapshot(client_id: int, observed_on: date = date(2024, 3, 1), **changes: Any) -> ActivitySnapshot:
    snapshot = ActivitySnapshot(
        client_id=client_id,
        observed_on=observed_on,
        purchases_30d=3,
        avg_basket_value=149.99,
        site_visits_30d=12,
        days_since_last_purchase=4,
        visits_7d=5,
        newsletter_opened=True,
        ad_clicks_7d=2,
        time_on_site_7d=37.5,
    )
    return replace(snapshot, **changes)


def a_user(email: str = "ewa@example.pl", role: Role = Role.ANALYST, **changes: Any) -> User:
    return replace(User(email=email, password_hash="scrypt:hash-of-a-password", role=role), **changes)
