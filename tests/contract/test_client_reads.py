"""One client read straight on a pooled DBAPI connection (`SqlAlchemyClientReads`): the same facts, of the
same types, as a unit of work reads one by one, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, event

from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from adapters.sqlalchemy.client_reads import SqlAlchemyClientReads
from application.queries import ClientReading
from contract.examples import (
    a_client,
    a_forecast,
    a_purchase_prediction,
    a_snapshot,
    a_succeeded_run,
    a_user,
    id_of,
    later,
)
from domain.model_runs import Activation
from domain.predictions import DecisionThreshold, ModelKind
from domain.segments import SegmentRule
from domain.tiers import TierCuts

ADMIN = "admin@example.pl"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def unit_of_work(engine: Engine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(make_session_factory(engine))


def read_one_by_one(engine: Engine, client_id: int) -> ClientReading:
    with unit_of_work(engine) as uow:
        return ClientReading(
            credentials_revision=uow.tokens.credentials_revision(),
            scored=uow.clients.scored(client_id),
            segments=uow.settings.segment_rule(),
            threshold=uow.settings.threshold(),
            tier_cuts=uow.settings.tier_cuts(),
        )


def test_on_an_empty_database_nothing_is_found_and_the_settings_are_the_defaults(engine: Engine) -> None:
    reading = SqlAlchemyClientReads(engine)(1)

    assert reading == read_one_by_one(engine, 1)
    assert reading == ClientReading(0, None, SegmentRule(), DecisionThreshold(), None)


def test_a_scored_client_and_changed_settings_read_as_a_unit_of_work_reads_them(engine: Engine) -> None:
    with unit_of_work(engine) as uow:
        anna, beata = uow.clients.add_many([a_client("Anna"), a_client("Beata")])
        for day in (date(2024, 1, 31), date(2024, 3, 31)):
            uow.activity.add(a_snapshot(id_of(anna), day))
        uow.model_runs.add(a_succeeded_run(ModelKind.SALES, 1))
        uow.model_runs.activate(Activation(ModelKind.SALES, 1, ADMIN, later(1)))
        forecasts = [a_forecast(id_of(anna), 1234.56, observed_on=date(2024, 3, 31))]
        uow.predictions.add_many(forecasts, [a_purchase_prediction(id_of(anna), 0.35, expected_value=432.1)])
        uow.settings.set_threshold(DecisionThreshold(0.55), ADMIN, later(2))
        uow.settings.set_segment_rule(SegmentRule(medium_from=50, high_from=500), ADMIN, later(2))
        uow.settings.set_tier_cuts(TierCuts(top_above=300, next_above=100, third_above=5), ADMIN, later(2))
        uow.tokens.revoke_all(id_of(uow.users.add(a_user())), later(3))
        uow.commit()
    reads = SqlAlchemyClientReads(engine)

    for client in (anna, beata):
        reading = reads(id_of(client))
        assert reading == read_one_by_one(engine, id_of(client))
        assert reading.scored is not None and reading.scored.client == client

    reading = reads(id_of(anna))
    assert reading.credentials_revision == 1 and reading.threshold == DecisionThreshold(0.55)
    assert reading.scored is not None and reading.scored.forecast is not None
    assert reading.scored.forecast.made_at.tzinfo is not None
    assert type(reading.scored.latest_observed_on) is date and reading.scored.forecast.value == 1234.56


def test_each_read_gives_its_connection_back_to_the_pool(engine: Engine) -> None:
    reads = SqlAlchemyClientReads(engine)
    for client_id in range(1, 4):
        reads(client_id)

    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_on_sqlite_a_read_never_waits_for_a_writer_and_sees_only_what_was_committed(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    reads = SqlAlchemyClientReads(engine)
    try:
        with unit_of_work(engine) as writer:
            writer.settings.set_threshold(DecisionThreshold(0.9), ADMIN, later(1))  # holds the write lock
            started = time.perf_counter()
            reading = reads(1)
            waited = time.perf_counter() - started
            writer.commit()

        assert waited < 1 and reading.threshold == DecisionThreshold()
        assert reads(1).threshold == DecisionThreshold(0.9)
    finally:
        engine.dispose()


def test_on_sqlite_the_three_reads_are_one_transaction_ended_when_the_connection_goes_back(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    run: list[str] = []
    event.listen(engine, "connect", lambda connection, _record: connection.set_trace_callback(run.append))
    try:
        SqlAlchemyClientReads(engine)(1)

        assert [statement.split()[0] for statement in run] == [
            "BEGIN",
            "SELECT",
            "SELECT",
            "SELECT",
            "ROLLBACK",
        ]
    finally:
        engine.dispose()
