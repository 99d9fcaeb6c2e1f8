"""Explicit conversion between table rows and domain entities, which know nothing of SQLAlchemy.

Each entity is read from and written to the columns named like its dataclass fields. Where the two
hold a value differently the column decides: an enum is stored by its value, and money and minutes
are kept to the decimals of their numeric columns (on every database) and read back as floats.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import fields
from enum import Enum
from typing import Any, Generic, NamedTuple, TypeVar, get_args, get_type_hints

from sqlalchemy import Column, Label, Row, Table

from adapters.sqlalchemy.tables import (
    api_tokens,
    client_activity,
    clients,
    events,
    jobs,
    model_activations,
    model_runs,
    numeric_of,
    orders,
    purchase_predictions,
    remember_tokens,
    sales_predictions,
    users,
)
from application.ports import ScoringRow
from domain.activity import ActivitySnapshot, OrderHistory
from domain.candidates import Candidate
from domain.clients import Client, email_key
from domain.jobs import Job
from domain.model_runs import Activation, Artifact, Evaluation, ModelRun
from domain.orders import Event, Order
from domain.predictions import PurchasePrediction, SalesForecast
from domain.sessions import RememberToken
from domain.tokens import ApiToken
from domain.users import User

E = TypeVar("E")
Values = dict[str, Any]
Convert = Callable[[Any], Any]


class _Field(NamedTuple):
    name: str
    column: str
    write: Convert | None
    read: Convert | None


class RowMapping(Generic[E]):
    """How one entity dataclass is held by the columns of `table` named `prefix` + its field's name.

    `values` leaves out the fields in `not_written` (what the database assigns, or what only a
    dedicated statement changes). A field in `nested` holds another entity (or None) that is
    flattened into that mapping's columns; it reads back as None when the column of that mapping's
    `known_by` field (its first field by default) is NULL. `derived` columns are written from the
    entity (a key it is looked up by) and never read back.
    """

    def __init__(
        self,
        entity: type[E],
        table: Table,
        *,
        prefix: str = "",
        not_written: Collection[str] = ("id",),
        nested: Mapping[str, RowMapping[Any]] | None = None,
        known_by: str | None = None,
        derived: Mapping[str, Callable[[E], Any]] | None = None,
    ) -> None:
        self.entity = entity
        self.nested = dict(nested or {})
        self.derived = dict(derived or {})
        hints = get_type_hints(entity)
        names = [field.name for field in fields(entity) if field.name not in self.nested]  # type: ignore[arg-type]
        self._fields = [
            _Field(name, prefix + name, *_conversions(hints[name], table.c[prefix + name])) for name in names
        ]
        self._written = [field for field in self._fields if field.name not in not_written]
        self._known_by = prefix + (known_by or names[0])
        self._nested_written = {name: self.nested[name] for name in self.nested if name not in not_written}

    def values(self, entity: E | None, **extra: Any) -> Values:
        """The columns written for `entity` (all NULL for None), and the `extra` ones."""
        values: Values = {
            field.column: _convert(field.write, None if entity is None else getattr(entity, field.name))
            for field in self._written
        }
        for name, nested in self._nested_written.items():
            values.update(nested.values(None if entity is None else getattr(entity, name)))
        for column, derive in self.derived.items():
            values[column] = None if entity is None else derive(entity)
        return values | extra

    def values_of(self, entity: E, columns: Collection[str]) -> Values:
        """Only the given columns, for an update of just those."""
        return {column: value for column, value in self.values(entity).items() if column in columns}

    def as_stored(self, entity: E, **changes: Any) -> E:
        """`entity` as the database reads it back once written (money to its decimals), with `changes`."""
        read = {
            field.name: _convert(field.read, _convert(field.write, getattr(entity, field.name)))
            for field in self._fields
        }
        for name, nested in self.nested.items():
            value = getattr(entity, name)
            read[name] = None if value is None else nested.as_stored(value)
        return self.entity(**(read | changes))

    def from_row(self, row: Row[Any], label: str = "") -> E:
        """The entity held by `row`'s columns, each named `label` + its column's name (see `labelled`)."""
        read = {
            field.name: _convert(field.read, getattr(row, label + field.column)) for field in self._fields
        }
        for name, nested in self.nested.items():
            read[name] = nested.from_row_or_none(row, label)
        return self.entity(**read)

    def from_row_or_none(self, row: Row[Any], label: str = "") -> E | None:
        """None when the column of the `known_by` field is NULL."""
        return None if getattr(row, label + self._known_by) is None else self.from_row(row, label)


def labelled(table: Table, label: str) -> list[Label[Any]]:
    """Every column of `table` named `label` + its name: two tables' columns in one row stay apart."""
    return [column.label(label + column.name) for column in table.columns]


def _conversions(hint: Any, column: Column[Any]) -> tuple[Convert | None, Convert | None]:
    """How a field's value is written to its column and read back; None where it is kept as it is."""
    enums = [kind for kind in (hint, *get_args(hint)) if isinstance(kind, type) and issubclass(kind, Enum)]
    if enums:
        return (lambda member: member.value), enums[0]
    numeric = numeric_of(column)
    scale = None if numeric is None else numeric.scale
    if scale is not None:
        return (lambda amount: round(amount, scale)), float
    return None, None


def _convert(convert: Convert | None, value: Any) -> Any:
    return value if convert is None or value is None else convert(value)


CLIENTS = RowMapping(Client, clients, derived={"email_key": lambda client: email_key(client.email)})
SNAPSHOTS = RowMapping(
    ActivitySnapshot,
    client_activity,
    # A history's columns are all NULL or none is; `purchase_days` is never NULL in a known one.
    nested={"history": RowMapping(OrderHistory, client_activity, known_by="purchase_days")},
)
USERS = RowMapping(User, users, derived={"email_key": lambda user: email_key(user.email)})
TOKENS = RowMapping(ApiToken, api_tokens)
REMEMBER_TOKENS = RowMapping(RememberToken, remember_tokens)
FORECASTS = RowMapping(SalesForecast, sales_predictions)
PURCHASES = RowMapping(PurchasePrediction, purchase_predictions)
RUNS = RowMapping(
    ModelRun,
    model_runs,
    # Whether a run is active changes only by an activation.
    not_written=("id", "is_active"),
    nested={
        "evaluation": RowMapping(Evaluation, model_runs),
        "artifact": RowMapping(Artifact, model_runs, prefix="artifact_"),
        "candidate": RowMapping(Candidate, model_runs),
    },
)
ACTIVATIONS = RowMapping(Activation, model_activations)
JOBS = RowMapping(Job, jobs, not_written=())
ORDERS = RowMapping(Order, orders)
EVENTS = RowMapping(Event, events)

OUTCOMES = ("sales_next_month", "purchased_next_14d")
"""The columns of a snapshot that change once its outcomes are known."""


def scoring_row_from_row(row: Row[Any]) -> ScoringRow:
    """A snapshot's row joined with its client's `registered_on`."""
    return ScoringRow(snapshot=SNAPSHOTS.from_row(row), registered_on=row.registered_on)
