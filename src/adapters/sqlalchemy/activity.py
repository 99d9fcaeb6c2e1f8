"""Activity snapshots on SQLAlchemy Core."""

from __future__ import annotations

import dataclasses
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    bindparam,
    delete,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from adapters.sqlalchemy.integrity import Translation, Violation, savepoint
from adapters.sqlalchemy.kept import SNAPSHOT_REVISION, kept, revised, revision
from adapters.sqlalchemy.rows import OUTCOMES, SNAPSHOTS, Values, scoring_row_from_row
from adapters.sqlalchemy.statements import CHUNK_SIZE, DriverValues, insert_new, number_blocks, rows_changed
from adapters.sqlalchemy.tables import client_activity, clients, numeric_of
from application.chunks import chunks
from application.ports import Percentile, ScoringRow, nearest_rank
from application.queries import MonthlySales
from domain.activity import HISTORY_FIELDS, ActivitySnapshot, SnapshotSource, forecast_month
from domain.columns import COLUMNS, SnapshotColumns
from domain.errors import ClientNotFound, DomainError, DuplicateSnapshot, SnapshotNotFound

_DERIVED = SnapshotSource.DERIVED.value
_DERIVED_COLUMNS = (
    *(field.name for field in dataclasses.fields(ActivitySnapshot) if field.name not in {"id", "history"}),
    *HISTORY_FIELDS,
)
"""The columns a derived snapshot writes: its fields in their order, then its history's, as the rows
`replace_derived` builds."""
_NO_HISTORY = (None,) * len(HISTORY_FIELDS)

# Keys per lookup of existing snapshots: two bound parameters each, well within every database's limit.
EXISTING_CHUNK_SIZE = 2_000
# Rows fetched at a time while snapshot columns stream in: 20,000 rows of 21 numbers are 3.4 MB.
ROWS_PER_BLOCK = 20_000
JULIAN_DAY_OF_ORDINAL_ZERO = 1_721_424.5


class SqlAlchemyActivityRepository:
    """Snapshots in `client_activity`, one per client per observation date. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, snapshot: ActivitySnapshot) -> ActivitySnapshot:
        values = SNAPSHOTS.values(snapshot)
        revised(self.session, SNAPSHOT_REVISION)
        with savepoint(self.session, _refuse(snapshot.client_id, snapshot.observed_on)):
            statement = insert(client_activity).values(values).returning(client_activity.c.id)
            snapshot_id = self.session.execute(statement).scalar_one()
        return SNAPSHOTS.as_stored(snapshot, id=snapshot_id)

    def add_many(self, snapshots: Iterable[ActivitySnapshot]) -> int:
        """All or nothing, inserted in chunks; returns how many were stored."""
        stored = 0
        revised(self.session, SNAPSHOT_REVISION)
        with self.session.begin_nested():
            for chunk in chunks((SNAPSHOTS.values(snapshot) for snapshot in snapshots), CHUNK_SIZE):
                self._insert_chunk(chunk)
                stored += len(chunk)
        return stored

    def get(self, client_id: int, observed_on: date) -> ActivitySnapshot | None:
        statement = select(client_activity).where(
            client_activity.c.client_id == client_id, client_activity.c.observed_on == observed_on
        )
        row = self.session.execute(statement).one_or_none()
        return None if row is None else SNAPSHOTS.from_row(row)

    def existing(self, keys: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
        """Looked up in chunks through the unique index on (client_id, observed_on)."""
        key = tuple_(client_activity.c.client_id, client_activity.c.observed_on)
        found: set[tuple[int, date]] = set()
        for chunk in chunks(set(keys), EXISTING_CHUNK_SIZE):
            statement = select(client_activity.c.client_id, client_activity.c.observed_on).where(
                key.in_(chunk)
            )
            found.update((row.client_id, row.observed_on) for row in self.session.execute(statement))
        return found

    def get_many(self, keys: Iterable[tuple[int, date]]) -> dict[tuple[int, date], ActivitySnapshot]:
        """Read in chunks through the unique index on (client_id, observed_on)."""
        key = tuple_(client_activity.c.client_id, client_activity.c.observed_on)
        found: dict[tuple[int, date], ActivitySnapshot] = {}
        for chunk in chunks(set(keys), EXISTING_CHUNK_SIZE):
            for row in self.session.execute(select(client_activity).where(key.in_(chunk))):
                found[(row.client_id, row.observed_on)] = SNAPSHOTS.from_row(row)
        return found

    def replace_many(self, snapshots: Sequence[ActivitySnapshot]) -> None:
        """One executemany per chunk, each row found by its unique (client_id, observed_on)."""
        revised(self.session, SNAPSHOT_REVISION)
        statement = update(client_activity).where(
            client_activity.c.client_id == bindparam("key_client_id"),
            client_activity.c.observed_on == bindparam("key_observed_on"),
        )
        for chunk in chunks(snapshots, CHUNK_SIZE):
            rows = [_replacement(snapshot) for snapshot in chunk]
            self.session.connection().execute(statement, rows)

    def update_outcomes(self, snapshot: ActivitySnapshot) -> None:
        revised(self.session, SNAPSHOT_REVISION)
        statement = (
            update(client_activity)
            .where(
                client_activity.c.client_id == snapshot.client_id,
                client_activity.c.observed_on == snapshot.observed_on,
            )
            .values(SNAPSHOTS.values_of(snapshot, OUTCOMES))
        )
        if rows_changed(self.session, statement) == 0:
            raise SnapshotNotFound(snapshot.client_id, snapshot.observed_on)

    def history(self, client_id: int) -> list[ActivitySnapshot]:
        """Newest first."""
        statement = (
            select(client_activity)
            .where(client_activity.c.client_id == client_id)
            .order_by(client_activity.c.observed_on.desc())
        )
        return [SNAPSHOTS.from_row(row) for row in self.session.execute(statement)]

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(client_activity)) or 0

    def count_clients(self) -> int:
        return self.session.scalar(select(func.count(distinct(client_activity.c.client_id)))) or 0

    def percentile(self, field: str, percent: int) -> Percentile | None:
        """Counted, then read at its rank in ascending order: plain SQL that SQLite and PostgreSQL
        both speak (SQLite has no percentile function), served by a scan of one column."""
        column = client_activity.c[field]
        known = self.session.scalar(select(func.count(column))) or 0
        if not known:
            return None
        at_rank = select(column).where(column.is_not(None)).order_by(column)
        value = self.session.execute(at_rank.offset(nearest_rank(percent, known) - 1).limit(1)).scalar_one()
        return Percentile(float(value), known)

    def training_rows(self) -> list[ScoringRow]:
        """Snapshots with at least one known outcome, by client then date (a stable order: the
        hold-out split is seeded, and the same data must give the same split)."""
        statement = (
            _scoring_rows()
            .where(_labelled())
            .order_by(client_activity.c.client_id, client_activity.c.observed_on)
        )
        return [scoring_row_from_row(row) for row in self.session.execute(statement)]

    def training_columns(self) -> SnapshotColumns:
        """The labelled snapshots of `training_rows` by date then client, read in one streamed SELECT
        straight into columns: no object per row, whatever their number. The database turns dates into
        ordinals and money into floating point (no Decimal on the way); a NULL becomes NaN and a boolean
        0 or 1 on the way in."""
        statement = (
            self._columns()
            .where(_labelled())
            .order_by(client_activity.c.observed_on, client_activity.c.client_id)
        )
        return self._read_columns(statement)

    def newest_columns(
        self, after_client_id: int, limit: int, up_to_client_id: int | None = None
    ) -> SnapshotColumns:
        """The snapshots of `newest_rows`, read as `training_columns` reads them."""
        statement = _of_newest(self._columns(), after_client_id, limit, up_to_client_id)
        return self._read_columns(statement)

    def _read_columns(self, statement: Select[Any]) -> SnapshotColumns:
        """The snapshots of a `_columns` statement, a block of rows at a time, each block's columns
        appended to the columns read so far (the blocks are let go as they are read)."""
        columns = [array("d") for _ in COLUMNS]
        for block in number_blocks(self.session, statement, ROWS_PER_BLOCK):
            for column, values in zip(columns, block.T, strict=True):
                column.frombytes(values.tobytes())
        return SnapshotColumns(dict(zip(COLUMNS, columns, strict=True)))

    def client_ranges(self, clients_per_range: int) -> list[tuple[int, int]]:
        """Numbered in one pass over the (client_id, observed_on) index: the first client of each range,
        and the last client of all."""
        with_activity = select(client_activity.c.client_id).distinct().subquery()
        numbered = select(
            with_activity.c.client_id,
            func.row_number().over(order_by=with_activity.c.client_id).label("number"),
        ).subquery()
        firsts = list(
            self.session.scalars(
                select(numbered.c.client_id)
                .where((numbered.c.number - 1) % clients_per_range == 0)
                .order_by(numbered.c.client_id)
            )
        )
        if not firsts:
            return []
        last = self.session.scalar(select(func.max(client_activity.c.client_id)))
        return list(zip(firsts, [*(first - 1 for first in firsts[1:]), last], strict=True))

    def _columns(self) -> Select[Any]:
        """Every column of `SnapshotColumns` of the snapshots, with their clients' registration dates."""
        ordinal = _Ordinal(self.session)
        dates = {
            "observed_on": ordinal.of(client_activity.c.observed_on),
            "registered_on": ordinal.of(clients.c.registered_on),
        }
        return select(
            *(dates[name] if name in dates else _as_number(client_activity.c[name]) for name in COLUMNS)
        ).join_from(client_activity, clients, clients.c.id == client_activity.c.client_id)

    def newest_rows(self, after_client_id: int, limit: int) -> list[ScoringRow]:
        """The newest snapshot of each of the next `limit` clients with activity, in client id order."""
        statement = _of_newest(_scoring_rows(), after_client_id, limit)
        return [scoring_row_from_row(row) for row in self.session.execute(statement)]

    def newest_row(self, client_id: int) -> ScoringRow | None:
        statement = (
            _scoring_rows()
            .where(client_activity.c.client_id == client_id)
            .order_by(client_activity.c.observed_on.desc())
            .limit(1)
        )
        row = self.session.execute(statement).one_or_none()
        return None if row is None else scoring_row_from_row(row)

    def monthly_sales(self) -> list[MonthlySales]:
        """Kept (`adapters.sqlalchemy.kept`) until the snapshots' revision changes."""
        return kept(
            self.session,
            "monthly_sales",
            [revision(self.session, SNAPSHOT_REVISION)],
            self._monthly_sales,
            lambda months: [[month.month.isoformat(), month.total] for month in months],
            lambda document: [MonthlySales(date.fromisoformat(month), total) for month, total in document],
        )

    def _monthly_sales(self) -> list[MonthlySales]:
        """Summed per observation date in SQL (a few hundred rows at most), then moved to the month
        after it here: date arithmetic is spelt differently on every database."""
        per_day = (
            select(client_activity.c.observed_on, func.sum(client_activity.c.sales_next_month))
            .where(client_activity.c.sales_next_month.is_not(None))
            .group_by(client_activity.c.observed_on)
        )
        totals: defaultdict[date, float] = defaultdict(float)
        for observed_on, total in self.session.execute(per_day):
            totals[forecast_month(observed_on)] += float(total)
        return [MonthlySales(month, round(total, 2)) for month, total in sorted(totals.items())]

    def replace_derived(self, client_ids: Collection[int], snapshots: Iterable[ActivitySnapshot]) -> int:
        """One DELETE per chunk of clients, a look-up of the entered snapshots left to them, then the
        derived snapshots whose dates no entered one holds, through `insert_new` (a build writes millions
        of rows)."""
        revised(self.session, SNAPSHOT_REVISION)
        derived = client_activity.c.source == SnapshotSource.DERIVED.value
        entered: set[tuple[int, date]] = set()
        for ids in chunks(sorted(set(client_ids)), EXISTING_CHUNK_SIZE):
            self.session.execute(delete(client_activity).where(client_activity.c.client_id.in_(ids), derived))
            left = select(client_activity.c.client_id, client_activity.c.observed_on).where(
                client_activity.c.client_id.in_(ids)
            )
            entered.update((client_id, observed_on) for client_id, observed_on in self.session.execute(left))
        driver = DriverValues(self.session)

        def row(s: ActivitySnapshot) -> tuple[Any, ...]:
            return (
                s.client_id,
                driver.day(s.observed_on.toordinal()),
                s.purchases_30d,
                round(s.avg_basket_value, 2),
                s.site_visits_30d,
                s.days_since_last_purchase,
                s.visits_7d,
                s.newsletter_opened,
                s.ad_clicks_7d,
                None if s.time_on_site_7d is None else round(s.time_on_site_7d, 2),
                None if s.sales_next_month is None else round(s.sales_next_month, 2),
                s.purchased_next_14d,
                _DERIVED,
            ) + (
                # The derivation's amounts are whole cents already (`domain.derivation`).
                _NO_HISTORY
                if (h := s.history) is None
                else (
                    h.spend_90d,
                    h.spend_180d,
                    h.spend_365d,
                    h.purchases_365d,
                    h.active_months_365d,
                    h.purchase_days,
                    h.days_since_first_purchase,
                    h.avg_order_value,
                )
            )

        kept = (s for s in snapshots if not entered or (s.client_id, s.observed_on) not in entered)
        rows = (row(s) for s in kept)
        return insert_new(
            self.session.connection(), client_activity, _DERIVED_COLUMNS, rows, ("client_id", "observed_on")
        )

    def _insert_chunk(self, chunk: list[Values]) -> None:
        """Insert one chunk in its own savepoint, so that a refusal can name the offending snapshot."""
        with savepoint(self.session, lambda violation: self._refuse_chunk(violation, chunk)):
            self.session.execute(insert(client_activity), chunk)

    def _refuse_chunk(self, violation: Violation, chunk: list[Values]) -> DomainError | None:
        if violation is Violation.UNIQUE:
            return DuplicateSnapshot(*self._first_duplicate(chunk))
        if violation is Violation.FOREIGN_KEY:
            return ClientNotFound(self._first_unknown_client(chunk))
        return None

    def _first_duplicate(self, chunk: list[Values]) -> tuple[int, date]:
        client_ids = {values["client_id"] for values in chunk}
        statement = select(client_activity.c.client_id, client_activity.c.observed_on).where(
            client_activity.c.client_id.in_(client_ids)
        )
        seen = {(row.client_id, row.observed_on) for row in self.session.execute(statement)}
        for values in chunk:
            key = (values["client_id"], values["observed_on"])
            if key in seen:
                return key
            seen.add(key)
        return chunk[0]["client_id"], chunk[0]["observed_on"]

    def _first_unknown_client(self, chunk: list[Values]) -> int:
        client_ids = {values["client_id"] for values in chunk}
        known = set(self.session.scalars(select(clients.c.id).where(clients.c.id.in_(client_ids))))
        return next((values["client_id"] for values in chunk if values["client_id"] not in known), 0)


def _replacement(snapshot: ActivitySnapshot) -> Values:
    """Every written column, the key moved to the parameters that find the snapshot."""
    values = SNAPSHOTS.values(snapshot)
    keys = {"key_client_id": values.pop("client_id"), "key_observed_on": values.pop("observed_on")}
    return values | keys


def _labelled() -> ColumnElement[bool]:
    """A snapshot with at least one known outcome: a training example."""
    return or_(
        client_activity.c.sales_next_month.is_not(None), client_activity.c.purchased_next_14d.is_not(None)
    )


def _as_number(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A numeric column as a float, which every driver reads without making a Decimal first."""
    return sql_cast(column, Float) if numeric_of(column) is not None else column


class _Ordinal:
    """A date column as its proleptic ordinal (`date.toordinal()`), computed by the database: SQLite
    holds a date as ISO text, whose Julian day number is 1,721,424.5 more; PostgreSQL subtracts dates."""

    def __init__(self, session: Session) -> None:
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def of(self, day: ColumnElement[date]) -> ColumnElement[int]:
        if self.sqlite:
            return sql_cast(func.julianday(day) - JULIAN_DAY_OF_ORDINAL_ZERO, Integer)
        return type_coerce(day - literal(date.min, Date) + 1, Integer)


def _of_newest(
    snapshots: Select[Any], after_client_id: int, limit: int, up_to_client_id: int | None = None
) -> Select[Any]:
    """`snapshots` narrowed to the newest snapshot of each of the next `limit` clients after
    `after_client_id` (up to `up_to_client_id`), in client id order: the inner query walks the
    (client_id, observed_on) unique index and stops after `limit` clients; the outer one fetches just
    those snapshots."""
    client_id = client_activity.c.client_id
    in_range = (
        client_id > after_client_id
        if up_to_client_id is None
        else client_id.between(after_client_id + 1, up_to_client_id)
    )
    newest = (
        select(client_activity.c.client_id, func.max(client_activity.c.observed_on).label("observed_on"))
        .where(in_range)
        .group_by(client_activity.c.client_id)
        .order_by(client_activity.c.client_id)
        .limit(limit)
        .subquery("newest")
    )
    is_newest = (newest.c.client_id == client_activity.c.client_id) & (
        newest.c.observed_on == client_activity.c.observed_on
    )
    return snapshots.join(newest, is_newest).order_by(client_activity.c.client_id)


def _scoring_rows() -> Select[Any]:
    """Snapshots with their client's registration date, which the tenure feature needs."""
    return select(client_activity, clients.c.registered_on).join(
        clients, clients.c.id == client_activity.c.client_id
    )


def _refuse(client_id: int, observed_on: date) -> Translation:
    def translate(violation: Violation) -> DomainError | None:
        if violation is Violation.UNIQUE:
            return DuplicateSnapshot(client_id, observed_on)
        if violation is Violation.FOREIGN_KEY:
            return ClientNotFound(client_id)
        return None

    return translate
