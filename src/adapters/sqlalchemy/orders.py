"""Orders and events on SQLAlchemy Core: each row stored once, whatever is imported twice."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Insert, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.sqlalchemy.rows import EVENTS, ORDERS, RowMapping
from adapters.sqlalchemy.statements import CHUNK_SIZE
from adapters.sqlalchemy.tables import events, orders
from application.chunks import chunks
from domain.errors import ClientNotFound
from domain.orders import Event, Order

# Clients per read of their logs: one bound parameter each, well within every database's limit.
CLIENTS_PER_READ = 2_000


class SqlAlchemyOrderRepository:
    """Orders in `orders`, unique by `key` (the shop's order id, else the whole row). Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_new(self, new: Sequence[Order]) -> int:
        if self.session.get_bind().dialect.name == "sqlite":
            rows = _sqlite_rows(new)
            return _insert_new_on_sqlite(self.session, orders, SQLITE_ORDER_COLUMNS, rows, ["key"])
        rows_of_core = [ORDERS.values(order, key=order.key) for order in new]
        return _insert_new(self.session, orders, rows_of_core, ["key"])

    def of_clients(self, client_ids: Collection[int]) -> dict[int, list[Order]]:
        return _of_clients(self.session, orders, ORDERS, client_ids, orders.c.ordered_at)

    def count(self) -> int:
        return self.session.execute(select(func.count()).select_from(orders)).scalar_one()


class SqlAlchemyEventRepository:
    """Events in `events`, unique by client, moment and kind. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_new(self, new: Sequence[Event]) -> int:
        rows = [EVENTS.values(event) for event in new]
        return _insert_new(self.session, events, rows, ["client_id", "occurred_at", "kind"])

    def of_clients(self, client_ids: Collection[int]) -> dict[int, list[Event]]:
        return _of_clients(self.session, events, EVENTS, client_ids, events.c.occurred_at)

    def first_day(self) -> date | None:
        # min() keeps the column's type, so the moment comes back in UTC on every database.
        first = self.session.execute(select(func.min(events.c.occurred_at))).scalar_one()
        return None if first is None else first.date()

    def count(self) -> int:
        return self.session.execute(select(func.count()).select_from(events)).scalar_one()


SQLITE_ORDER_COLUMNS = ("client_id", "order_id", "ordered_at", "amount", "key")
"""The columns of an order as `_sqlite_rows` gives them: what `ORDERS.values` writes, and the key."""


def _sqlite_rows(new: Sequence[Order]) -> list[tuple[Any, ...]]:
    """Orders as SQLite stores them, ready for the driver: what Core's type processing would make of
    `ORDERS.values` (money to its cents, moments as UTC text), without its work on every row."""
    return [
        (order.client_id, order.order_id, sqlite_moment(order.ordered_at), round(order.amount, 2), order.key)
        for order in new
    ]


def sqlite_moment(moment: datetime) -> str:
    """A moment as `UtcDateTime` stores it in SQLite: in UTC, without its offset, to the microsecond."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


def _insert_new_on_sqlite(
    session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], unique: list[str]
) -> int:
    """`_insert_new` for rows already in the driver's terms: the statement is compiled once, and each
    chunk goes to the driver's executemany as it is. SQLite counts the rows it inserted, skipped ones not."""
    connection = session.connection()
    compiled = _insert_skipping_existing(session, table, unique).compile(
        dialect=connection.dialect, column_keys=list(columns)
    )
    if list(compiled.positiontup or ()) != list(columns):
        raise RuntimeError(f"the insert binds {compiled.positiontup}, not {columns}")
    added = 0
    try:
        with session.begin_nested():
            for chunk in chunks(rows, CHUNK_SIZE):
                added += connection.exec_driver_sql(str(compiled), chunk).rowcount
    except IntegrityError:
        client_ids = [{"client_id": row[columns.index("client_id")]} for row in rows]
        raise ClientNotFound(_first_unknown_client(session, client_ids)) from None
    return added


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
