"""Kept summaries: one computed in a request that only reads (SQLite begins it deferred) while another
request writes is answered all the same and kept by a later request; one kept is read back while the
data it summarises is as it was, and not once a snapshot, a prediction or the active model changed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from adapters.sqlalchemy.engine import make_engine, make_session_factory, reading_only
from adapters.sqlalchemy.tables import kept_summaries
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import ClientListQuery
from application.queries import list_clients
from contract.examples import (
    MORNING,
    a_client,
    a_forecast,
    a_purchase_prediction,
    a_snapshot,
    a_succeeded_run,
    id_of,
)
from domain.model_runs import Activation
from domain.predictions import DecisionThreshold, ModelKind
from domain.segments import Segment, SegmentRule


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def uow_factory(request: pytest.FixtureRequest) -> Iterator[Callable[[], SqlAlchemyUnitOfWork]]:
    if request.param == "sqlite":
        engine = make_engine(request.getfixturevalue("sqlite_url"))
        yield lambda: SqlAlchemyUnitOfWork(make_session_factory(engine))
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        yield lambda: SqlAlchemyUnitOfWork(make_session_factory(engine))


def test_a_kept_summary_is_read_back_while_the_data_is_as_it_was_and_not_once_it_changed(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    with uow_factory() as uow:
        client = uow.clients.add(a_client("Anna"))
        uow.commit()

    def state() -> list[Any]:
        with uow_factory() as uow:
            return uow.summaries.state()

    def keep(at: list[Any]) -> None:
        with uow_factory() as uow:
            uow.summaries.keep("advice", at, [{"kind": "sales", "reasons": []}])
            uow.commit()

    def read() -> Any:
        with uow_factory() as uow:
            return uow.summaries.read("advice", uow.summaries.state())

    keep(state())
    assert read() == [{"kind": "sales", "reasons": []}]
    changes: list[Callable[[SqlAlchemyUnitOfWork], object]] = [
        lambda uow: uow.activity.add(a_snapshot(id_of(client))),
        lambda uow: uow.predictions.add_many([a_forecast(id_of(client))], []),
        lambda uow: uow.predictions.add_many([], [a_purchase_prediction(id_of(client))]),
        lambda uow: uow.model_runs.add(a_succeeded_run(ModelKind.SALES, 1)),
        lambda uow: uow.model_runs.activate(Activation(ModelKind.SALES, 1, "admin@example.pl", MORNING)),
    ]
    for number, change in enumerate(changes):
        with uow_factory() as uow:
            change(uow)
            uow.commit()
        if number == 3:  # a run stored, not active: the advice is about the active ones
            assert read() is not None
            continue
        assert read() is None, number  # the data changed since it was kept
        keep(state())
        assert read() is not None


def test_the_totals_of_lists_filtered_by_predictions_are_kept_until_predictions_clients_or_bands_change(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    with uow_factory() as uow:
        anna, beata, cezary = uow.clients.add_many([a_client("Anna"), a_client("Beata"), a_client("Cezary")])
        forecasts = [a_forecast(id_of(anna), 1500.0), a_forecast(id_of(beata), 50.0)]
        purchases = [a_purchase_prediction(id_of(anna), 0.9), a_purchase_prediction(id_of(beata), 0.2)]
        uow.predictions.add_many(forecasts, purchases)
        uow.commit()
    high, not_buying = ClientListQuery(segment=Segment.HIGH), ClientListQuery(will_buy=False)
    high_buying = ClientListQuery(segment=Segment.HIGH, will_buy=True)

    def totals() -> tuple[int, ...]:
        return tuple(list_clients(query, uow_factory()).total for query in (high, not_buying, high_buying))

    def kept_totals() -> dict[str, Any]:
        with uow_factory() as uow:
            rows = uow.session.execute(select(kept_summaries.c.name, kept_summaries.c.summary))
            return {name: summary for name, summary in rows if name.startswith("list_total")}

    def misstate_kept_totals() -> None:  # what a list then reads is the kept total, not a count
        with uow_factory() as uow:
            uow.session.execute(
                kept_summaries.update()
                .where(kept_summaries.c.name.startswith("list_total"))
                .values(summary=7)
            )
            uow.commit()

    assert totals() == (1, 1, 1)
    assert kept_totals() == {
        "list_total segment=high will_buy=None tier=None": 1,
        "list_total segment=None will_buy=False tier=None": 1,
        "list_total segment=high will_buy=True tier=None": 1,
    }
    misstate_kept_totals()
    assert totals() == (7, 7, 7)
    assert list_clients(ClientListQuery(segment=Segment.HIGH, q="ann"), uow_factory()).total == 1  # searched

    changes: list[Callable[[SqlAlchemyUnitOfWork], object]] = [
        lambda uow: uow.predictions.add_many(
            [a_forecast(id_of(cezary), 2500.0)], [a_purchase_prediction(id_of(cezary), 0.1)]
        ),
        lambda uow: uow.clients.update(replace(uow.clients.get(id_of(beata)), first_name="Bea")),
        lambda uow: uow.clients.delete(id_of(anna)),
        lambda uow: uow.settings.set_segment_rule(SegmentRule(10.0, 40.0), "admin@example.pl", MORNING),
    ]
    expected = [(2, 2, 1), (7, 7, 7), (1, 2, 0), (2, 2, 0)]
    for number, (change, after) in enumerate(zip(changes, expected, strict=True)):
        with uow_factory() as uow:
            change(uow)
            uow.commit()
        assert totals() == after, number  # counted again, but after a rename: still the misstated ones
        if number == 1:
            with uow_factory() as uow:
                uow.session.execute(kept_summaries.delete().where(kept_summaries.c.name.startswith("list_")))
                uow.commit()
            assert totals() == (2, 2, 1)
        misstate_kept_totals()
