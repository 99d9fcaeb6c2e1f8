"""Orders and events on SQLAlchemy Core: each row stored once, whatever is imported twice."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Date, String, Table, func, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.sqlalchemy.rows import EVENTS, ORDERS, RowMapping
from adapters.sqlalchemy.statements import DriverValues, insert_new
from adapters.sqlalchemy.tables import clients, events, orders
from application.chunks import chunks
from domain.derivation import EventEntry, OrderEntry
from domain.errors import ClientNotFound
from domain.orders import Event, Order

# Clients per read of their logs: one bound parameter each, well within every database's limit.
CLIENTS_PER_READ = 2_000

_ORDER_COLUMNS = ("client_id", "order_id", "ordered_at", "amount", "key")
_EVENT_COLUMNS = ("client_id", "occurred_at", "kind", "duration_s")


class SqlAlchemyOrderRepository:
    """Orders in `orders`, unique by `key` (the shop's order id, else the whole row). Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_new(self, new: Sequence[Order]) -> int:
        driver = DriverValues(self.session)
        rows = [
            (
                order.client_id,
                order.order_id,
                driver.moment(order.ordered_at),
                round(order.amount, 2),
                order.key,
            )
            for order in new
        ]
        return _insert_new(self.session, orders, _ORDER_COLUMNS, rows, ["key"])

    def of_clients(self, client_ids: Collection[int]) -> dict[int, list[Order]]:
        return _of_clients(self.session, orders, ORDERS, client_ids, orders.c.ordered_at)

    def entries_of_clients(self, client_ids: Collection[int]) -> dict[int, list[OrderEntry]]:
        found: dict[int, list[OrderEntry]] = {}
        days = _Days(self.session)
        for chunk in chunks(sorted(set(client_ids)), CLIENTS_PER_READ):
            statement = (
                select(orders.c.client_id, days.of(orders.c.ordered_at), orders.c.amount)
                .where(orders.c.client_id.in_(chunk))
                .order_by(orders.c.client_id, orders.c.ordered_at, orders.c.id)
            )
            current, entries = None, []
            for client_id, day, amount in self.session.connection().execute(statement):
                if client_id != current:
                    current, entries = client_id, found.setdefault(client_id, [])
                entries.append((days.read(day), float(amount)))
        return found

    def count(self) -> int:
        return self.session.execute(select(func.count()).select_from(orders)).scalar_one()


class SqlAlchemyEventRepository:
    """Events in `events`, unique by client, moment and kind. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_new(self, new: Sequence[Event]) -> int:
        driver = DriverValues(self.session)
        rows = [
            (event.client_id, driver.moment(event.occurred_at), event.kind.value, event.duration_s)
            for event in new
        ]
        return _insert_new(self.session, events, _EVENT_COLUMNS, rows, ["client_id", "occurred_at", "kind"])

    def of_clients(self, client_ids: Collection[int]) -> dict[int, list[Event]]:
        return _of_clients(self.session, events, EVENTS, client_ids, events.c.occurred_at)

    def entries_of_clients(self, client_ids: Collection[int]) -> dict[int, list[EventEntry]]:
        found: dict[int, list[EventEntry]] = {}
        days = _Days(self.session)
        for chunk in chunks(sorted(set(client_ids)), CLIENTS_PER_READ):
            statement = (
                select(events.c.client_id, days.of(events.c.occurred_at), events.c.kind, events.c.duration_s)
                .where(events.c.client_id.in_(chunk))
                .order_by(events.c.client_id, events.c.occurred_at, events.c.id)
            )
            current, entries = None, []
            for client_id, day, kind, duration in self.session.connection().execute(statement):
                if client_id != current:
                    current, entries = client_id, found.setdefault(client_id, [])
                entries.append((days.read(day), kind, None if duration is None else float(duration)))
        return found

    def first_day(self) -> date | None:
        # min() keeps the column's type, so the moment comes back in UTC on every database.
        first = self.session.execute(select(func.min(events.c.occurred_at))).scalar_one()
        return None if first is None else first.date()

    def count(self) -> int:
        return self.session.execute(select(func.count()).select_from(events)).scalar_one()


class _Days:
    """The UTC day of a stored moment, computed by the database: SQLite holds moments as UTC text, whose
    first ten characters are the day (read back through a cache, as many rows share a day); PostgreSQL
    converts its timestamp to UTC and casts it to a date."""

    def __init__(self, session: Session) -> None:
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.cache: dict[Any, date] = {}

    def of(self, moment: Any) -> Any:
        if self.sqlite:
            return type_coerce(func.substr(moment, 1, 10), String)
        return sql_cast(func.timezone("UTC", moment), Date)

    def read(self, day: Any) -> date:
        if not self.sqlite:
            return cast(date, day)
        found = self.cache.get(day)
        if found is None:
            found = self.cache[day] = date.fromisoformat(day)
        return found


def _insert_new(
    session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], unique: list[str]
) -> int:
    """`insert_new` (imports and the demo write hundreds of thousands of rows) in a savepoint: all or
    none, an unknown client raising ClientNotFound."""
    try:
        with session.begin_nested():
            return insert_new(session.connection(), table, columns, rows, unique)
    except IntegrityError:
        wanted = {row[columns.index("client_id")] for row in rows}
        raise ClientNotFound(_first_unknown_client(session, wanted)) from None


def _first_unknown_client(session: Session, wanted: set[int]) -> object:
    known = set(session.execute(select(clients.c.id).where(clients.c.id.in_(wanted))).scalars())
    return min(wanted - known, default="?")


def _of_clients(
    session: Session, table: Table, mapping: RowMapping[Any], client_ids: Collection[int], moment: Any
) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for chunk in chunks(sorted(set(client_ids)), CLIENTS_PER_READ):
        order = (table.c.client_id, moment, table.c.id)
        statement = select(table).where(table.c.client_id.in_(chunk)).order_by(*order)
        for row in session.execute(statement):
            found.setdefault(row.client_id, []).append(mapping.from_row(row))
    return found
