"""What an in-memory database holds, and the helpers its repositories share."""

from __future__ import annotations

import copy
from collections.abc import Hashable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.jobs import Job
from domain.model_runs import Activation, ModelRun
from domain.orders import Event, Order
from domain.predictions import PurchasePrediction, SalesForecast
from domain.sessions import RememberToken
from domain.tokens import ApiToken
from domain.users import User

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

E = TypeVar("E", bound="DataclassInstance")
P = TypeVar("P", bound=SalesForecast | PurchasePrediction)


@dataclass
class InMemoryStore:
    """What a database would hold: the committed state shared by every unit of work.

    Every value is immutable (frozen entities, tuples), so a unit of work's private copy only needs
    each collection copied one level deep.
    """

    clients: dict[int, Client] = field(default_factory=dict)
    activity: dict[tuple[int, date], ActivitySnapshot] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    forecasts: dict[int, tuple[SalesForecast, ...]] = field(default_factory=dict)
    """Each client's forecasts in the order they were stored: the last one is the current one."""
    purchase_predictions: dict[int, tuple[PurchasePrediction, ...]] = field(default_factory=dict)
    model_runs: dict[int, ModelRun] = field(default_factory=dict)
    activations: list[Activation] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    credentials_revision: int = 0
    """Counted up by every change of a user or an API token."""
    settings: dict[str, Any] = field(default_factory=dict)
    tokens: dict[int, ApiToken] = field(default_factory=dict)
    remember_tokens: dict[int, RememberToken] = field(default_factory=dict)
    orders: dict[Hashable, Order] = field(default_factory=dict)
    """By `Order.key`."""
    events: dict[Hashable, Event] = field(default_factory=dict)
    """By client, moment and kind."""
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def copy(self) -> InMemoryStore:
        return InMemoryStore(**{f.name: copy.copy(getattr(self, f.name)) for f in fields(self)})


def current_of(history: dict[int, tuple[P, ...]], client_id: int) -> P | None:
    mine = history.get(client_id)
    return mine[-1] if mine else None


def in_utc(entity: E) -> E:
    """Every moment of `entity` in UTC, as the databases read them back."""
    values = {f.name: getattr(entity, f.name) for f in fields(entity)}
    moments = {name: value for name, value in values.items() if isinstance(value, datetime)}
    return replace(entity, **{name: moment.astimezone(UTC) for name, moment in moments.items()})
