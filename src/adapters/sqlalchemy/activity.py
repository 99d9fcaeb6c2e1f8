"""Activity snapshots on SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.integrity import Translation, Violation, savepoint
from adapters.sqlalchemy.rows import Values, outcome_values, snapshot_from_row, snapshot_values
from adapters.sqlalchemy.statements import chunks, rows_changed
from adapters.sqlalchemy.tables import client_activity, clients
from domain.activity import ActivitySnapshot
from domain.errors import ClientNotFound, DomainError, DuplicateSnapshot, SnapshotNotFound


class SqlAlchemyActivityRepository:
    """Snapshots in `client_activity`, one per client per observation date. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, snapshot: ActivitySnapshot) -> ActivitySnapshot:
        values = snapshot_values(snapshot)
        with savepoint(self.session, _refuse(snapshot.client_id, snapshot.observed_on)):
            statement = insert(client_activity).values(values).returning(client_activity.c.id)
            snapshot_id = self.session.execute(statement).scalar_one()
        return replace(snapshot, **values, id=snapshot_id)

    def add_many(self, snapshots: Iterable[ActivitySnapshot]) -> int:
        """All or nothing, inserted in chunks; returns how many were stored."""
        stored = 0
        with self.session.begin_nested():
            for chunk in chunks(snapshot_values(snapshot) for snapshot in snapshots):
                self._insert_chunk(chunk)
                stored += len(chunk)
        return stored

    def get(self, client_id: int, observed_on: date) -> ActivitySnapshot | None:
        statement = select(client_activity).where(
            client_activity.c.client_id == client_id, client_activity.c.observed_on == observed_on
        )
        row = self.session.execute(statement).one_or_none()
        return None if row is None else snapshot_from_row(row)

    def update_outcomes(self, snapshot: ActivitySnapshot) -> None:
        statement = (
            update(client_activity)
            .where(
                client_activity.c.client_id == snapshot.client_id,
                client_activity.c.observed_on == snapshot.observed_on,
            )
            .values(outcome_values(snapshot))
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
        return [snapshot_from_row(row) for row in self.session.execute(statement)]

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(client_activity)) or 0

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


def _refuse(client_id: int, observed_on: date) -> Translation:
    def translate(violation: Violation) -> DomainError | None:
        if violation is Violation.UNIQUE:
            return DuplicateSnapshot(client_id, observed_on)
        if violation is Violation.FOREIGN_KEY:
            return ClientNotFound(client_id)
        return None

    return translate
