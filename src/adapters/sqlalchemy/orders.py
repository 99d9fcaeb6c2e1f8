"""Orders and events on SQLAlchemy Core: each row stored once, whatever is imported twice."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Date, Insert, String, Table, func, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.sqlalchemy.rows import EVENTS, ORDERS, RowMapping
from adapters.sqlalchemy.statements import CHUNK_SIZE
from adapters.sqlalchemy.tables import events, orders
from application.chunks import chunks
from domain.derivation import EventEntry, OrderEntry
from domain.errors import ClientNotFound
from domain.orders import Event, Order

# Clients per read of their logs: one bound parameter each, well within every database's limit.
CLIENTS_PER_READ = 2_000


class SqlAlchemyOrderRepository:
    """Orders in `orders`, unique by `key` (the shop's order id, else the whole row). Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_new(self, new: Sequence[Order]) -> int:
        if _on_sqlite(self.session):
            rows = [
                (
                    order.client_id,
                    order.order_id,
                    sqlite_moment(order.ordered_at),
                    round(order.amount, 2),
                    order.key,
                )
                for order in new
            ]
            columns = ("client_id", "order_id", "ordered_at", "amount", "key")
            return _insert_new_on_sqlite(self.session, orders, columns, rows, ["key"])
        return _insert_new(
            self.session, orders, [ORDERS.values(order, key=order.key) for order in new], ["key"]
        )

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
        unique = ["client_id", "occurred_at", "kind"]
        if _on_sqlite(self.session):
            rows = [
                (event.client_id, sqlite_moment(event.occurred_at), event.kind.value, event.duration_s)
                for event in new
            ]
            columns = ("client_id", "occurred_at", "kind", "duration_s")
            return _insert_new_on_sqlite(self.session, events, columns, rows, unique)
        return _insert_new(self.session, events, [EVENTS.values(event) for event in new], unique)

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


def _insert_new(session: Session, table: Table, rows: list[dict[str, Any]], unique: list[str]) -> int:
    """Insert in chunks, skipping rows whose unique columns are stored already; how many were new."""
    added = 0
    statement = _insert_skipping_existing(session, table, unique)
    counted_by_driver = session.get_bind().dialect.name == "sqlite"
    if not counted_by_driver:
        statement = statement.returning(table.c.id)
    try:
        with session.begin_nested():
            for chunk in chunks(rows, CHUNK_SIZE):
                result = session.connection().execute(statement, chunk)
                # SQLite's executemany counts the rows it inserted, skipped ones not; it is much faster
                # than RETURNING, which makes SQLAlchemy build the statement in batches.
                added += cast(CursorResult[Any], result).rowcount if counted_by_driver else len(result.all())
    except IntegrityError:
        raise ClientNotFound(_first_unknown_client(session, rows)) from None
    return added


def _on_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def sqlite_moment(moment: datetime) -> str:
    """A moment as `UtcDateTime` writes it on SQLite: UTC text to the microsecond, in time order."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


def _insert_new_on_sqlite(
    session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], unique: list[str]
) -> int:
    """`_insert_new` for SQLite, with rows already in the driver's terms (imports and the demo write
    hundreds of thousands): straight through sqlite3's executemany, which counts the rows it inserted."""
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(unique)}) DO NOTHING"
    )
    added = 0
    try:
        with session.begin_nested():
            for chunk in chunks(rows, CHUNK_SIZE):
                added += session.connection().exec_driver_sql(statement, chunk).rowcount
    except IntegrityError:
        wanted = {row[columns.index("client_id")] for row in rows}
        raise ClientNotFound(_first_unknown_client(session, [{"client_id": c} for c in wanted])) from None
    return added


def _insert_skipping_existing(session: Session, table: Table, unique: list[str]) -> Insert:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_nothing(index_elements=unique)


def _first_unknown_client(session: Session, rows: list[dict[str, Any]]) -> object:
    from adapters.sqlalchemy.tables import clients

    wanted = {row["client_id"] for row in rows}
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
