"""A summary computed in a request that only reads (SQLite begins it deferred) while another request
writes: it is answered all the same, and kept by a later request."""

from __future__ import annotations

from sqlalchemy import select

from adapters.sqlalchemy.engine import make_engine, make_session_factory, reading_only
from adapters.sqlalchemy.tables import kept_summaries
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from contract.examples import a_client, a_snapshot, id_of
from domain.predictions import DecisionThreshold
from domain.segments import SegmentRule


def test_a_summary_computed_while_another_transaction_writes_is_answered_and_kept_later(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    sessions = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(sessions) as uow:
        client = uow.clients.add(a_client("Anna"))
        uow.commit()

    with reading_only(), SqlAlchemyUnitOfWork(sessions) as reader:
        assert reader.clients.count() == 1  # the read transaction's snapshot is taken here
        with SqlAlchemyUnitOfWork(sessions) as writer:  # another request writes and commits meanwhile
            writer.activity.add(a_snapshot(id_of(client)))
            writer.commit()
        summary = reader.predictions.summary(DecisionThreshold(), SegmentRule())
        reader.commit()
    assert summary.clients_scored == 0

    with SqlAlchemyUnitOfWork(sessions) as uow:
        assert uow.session.scalar(select(kept_summaries.c.name)) is None
        uow.predictions.summary(DecisionThreshold(), SegmentRule())
        uow.commit()
    with SqlAlchemyUnitOfWork(sessions) as uow:
        assert uow.session.scalar(select(kept_summaries.c.name)) == "prediction_summary"
    engine.dispose()
