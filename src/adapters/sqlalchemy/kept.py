"""Summaries of many rows kept beside the data: computed once per change of what they were computed from,
then read back by every request until the data changes again.

What a summary was computed from is a small JSON document (revisions, largest ids, counts, settings) that
changes whenever the summarised rows can have: a kept summary whose document differs is computed again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ScalarSelect, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from adapters.sqlalchemy.tables import (
    kept_summaries,
    model_runs,
    purchase_predictions,
    revisions,
    sales_predictions,
)

T = TypeVar("T")

log = logging.getLogger(__name__)

CREDENTIALS_REVISION = "credentials"
"""The revision of the users and their API tokens: counted up by every change of either."""
SNAPSHOT_REVISION = "snapshots"
"""The revision of the activity snapshots: counted up by every write to them (and by deleting a client)."""
CLIENTS_REVISION = "clients"
"""The revision of the clients' own columns: counted up by every change of clients, which holds it until
its transaction ends (as `PREDICTIONS_REVISION` is held)."""
PREDICTIONS_REVISION = "predictions"
"""The revision of the predictions: counted up by every write of them, last in its transaction. Counting up
locks the revision until the transaction ends (PostgreSQL locks its row, SQLite the database), so that
every write with a lower number is committed once a number is read."""


def newest_predictions() -> list[ScalarSelect[Any]]:
    """The id of the newest forecast and of the newest purchase prediction: every new prediction changes
    one (a prediction is never updated; one deleted goes with its client, which other state records)."""
    return [
        select(func.max(table.c.id)).scalar_subquery() for table in (sales_predictions, purchase_predictions)
    ]


def revised(session: Session, name: str) -> None:
    """Count up a revision (from 0, the revision of a name never counted): whatever was computed from the
    revised rows is computed again."""
    first = insert_or_update(session, revisions).values(name=name, number=1)
    session.execute(
        first.on_conflict_do_update(index_elements=["name"], set_={"number": revisions.c.number + 1})
    )


def revision(session: Session, name: str) -> int:
    return session.scalar(REVISION, {"name": name}) or 0


REVISION = select(revisions.c.number).where(revisions.c.name == bindparam("name"))
"""Built once: a request signed with a token reads it first."""


def kept(
    session: Session,
    name: str,
    computed_from: list[Any],
    compute: Callable[[], T],
    as_document: Callable[[T], Any],
    from_document: Callable[[Any], T],
) -> T:
    """The summary `name` as kept, when it was computed from `computed_from`; else computed now and kept
    (written in the caller's transaction, which keeps it when it commits)."""
    document = _read(session, name, computed_from)
    if document is not None:
        return from_document(document)
    summary = compute()
    keep(session, name, computed_from, as_document(summary))
    return summary


def held(session: Session, name: str) -> None:
    """Lock the summary `name`, when it is kept, until the transaction ends: its writers take turns, and
    each reads what the one before it committed (PostgreSQL locks the row, each statement reading what
    is committed when it starts; on SQLite the one writer holds the whole database)."""
    session.execute(select(kept_summaries.c.name).where(kept_summaries.c.name == name).with_for_update())


def is_kept(session: Session, name: str, computed_from: list[Any]) -> bool:
    """Whether `name` is kept as computed from `computed_from`."""
    return _read(session, name, computed_from) is not None


def _read(session: Session, name: str, computed_from: list[Any]) -> Any | None:
    kept_one = kept_summaries.c.name == name
    stored = session.execute(
        select(kept_summaries.c.computed_from, kept_summaries.c.summary).where(kept_one)
    ).one_or_none()
    return stored.summary if stored is not None and stored.computed_from == computed_from else None


def keep(session: Session, name: str, computed_from: list[Any], document: Any) -> None:
    row = {"computed_from": computed_from, "summary": document}
    upsert = insert_or_update(session, kept_summaries).values(name=name, **row)
    try:
        with session.begin_nested():
            session.execute(upsert.on_conflict_do_update(index_elements=["name"], set_=row))
    except OperationalError:  # SQLite, in a request that began only reading while another one wrote
        log.info("summary %s not kept: the database is being written; it is kept next time", name)


def insert_or_update(session: Session, table: Table) -> Any:
    """An INSERT that can turn into an UPDATE of the row it finds, even one another transaction makes
    meanwhile (ON CONFLICT ... DO UPDATE)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(table)


class SqlAlchemySummaryRepository:
    """Summaries kept in `kept_summaries`, with the state of the data they summarise. Never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def state(self) -> list[Any]:
        """The snapshots' revision, the newest prediction of each kind and the active runs: one row."""
        row = self.session.execute(select(*newest_predictions(), _active_runs())).one()
        return [revision(self.session, SNAPSHOT_REVISION), *row]

    def scoring_inputs(self) -> list[Any]:
        """The snapshots' revision and the active runs."""
        return [revision(self.session, SNAPSHOT_REVISION), self.session.scalar(select(_active_runs()))]

    def read(self, name: str, state: list[Any]) -> Any | None:
        return _read(self.session, name, state)

    def keep(self, name: str, state: list[Any], document: Any) -> None:
        keep(self.session, name, state, document)


def _active_runs() -> ScalarSelect[Any]:
    """The sum of the active runs' ids: it changes whenever another version is activated."""
    return select(func.coalesce(func.sum(model_runs.c.id), 0)).where(model_runs.c.is_active).scalar_subquery()
