"""After a bulk write PostgreSQL learns its tables again and marks their pages visible to all, so that a
count an index answers is read from the index alone, not from the whole table, as it would be until
autovacuum (off on some servers) got to them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from adapters.clock import FixedClock
from adapters.sqlalchemy.engine import make_session_factory
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.chunks import refresh_statistics
from application.demo import seed_demo_company
from contract.examples import a_client, a_forecast, a_purchase_prediction, id_of

pytestmark = pytest.mark.postgres

CLOCK = FixedClock(datetime(2025, 11, 26, tzinfo=UTC))
NO_BUYER = "SELECT count(*) FROM purchase_predictions WHERE is_current AND will_buy"


def rows_known(engine: Engine, table: str) -> float:
    """The rows the planner believes `table` holds (-1 until it was analysed)."""
    with engine.connect() as connection:
        return float(
            connection.execute(text(f"SELECT reltuples FROM pg_class WHERE relname = '{table}'")).scalar_one()
        )


def pages_visible_to_all(engine: Engine, table: str) -> tuple[int, int]:
    """How many of `table`'s pages the visibility map marks all-visible, and how many it has."""
    with engine.connect() as connection:
        visible, pages = connection.execute(
            text(f"SELECT relallvisible, relpages FROM pg_class WHERE relname = '{table}'")
        ).one()
    return int(visible), int(pages)


def plan_of(engine: Engine, statement: str) -> str:
    with engine.connect() as connection:
        return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}"))


def store_3000_scored_clients(session_factory: sessionmaker[Session]) -> None:
    """3,000 clients, each forecast to spend 100 PLN and with a 20% chance of buying."""
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        stored = uow.clients.add_many([a_client(f"K{n}") for n in range(3000)])
        uow.predictions.add_many(
            [a_forecast(id_of(client), 100.0) for client in stored],
            [a_purchase_prediction(id_of(client), probability=0.2) for client in stored],
        )
        uow.commit()


def test_a_count_of_the_few_buyers_is_read_from_the_index_once_the_statistics_are_refreshed(
    postgres_engine: Engine,
) -> None:
    session_factory = make_session_factory(postgres_engine)
    store_3000_scored_clients(session_factory)

    refresh_statistics(SqlAlchemyUnitOfWork(session_factory))

    assert rows_known(postgres_engine, "purchase_predictions") == 3000
    plan = plan_of(postgres_engine, NO_BUYER)
    assert "ix_purchase_predictions_current_will_buy_probability" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_predictions_are_vacuumed_so_that_their_indexes_alone_answer(postgres_engine: Engine) -> None:
    session_factory = make_session_factory(postgres_engine)
    store_3000_scored_clients(session_factory)
    assert pages_visible_to_all(postgres_engine, "sales_predictions")[0] == 0

    refresh_statistics(SqlAlchemyUnitOfWork(session_factory))

    visible, pages = pages_visible_to_all(postgres_engine, "sales_predictions")
    assert pages > 0 and visible == pages


def test_a_seeded_company_is_known_to_the_planner(postgres_engine: Engine) -> None:
    uow = SqlAlchemyUnitOfWork(make_session_factory(postgres_engine))

    report = seed_demo_company(uow, CLOCK, clients=200, months=3, seed=7)

    assert rows_known(postgres_engine, "clients") == 200
    assert rows_known(postgres_engine, "orders") == report.orders
