"""How PostgreSQL reads a page of the client list once its statistics are refreshed: the clients not
predicted yet, who end a list sorted by a prediction, are found by an anti-join, one index lookup per
client, not by joining every prediction; a page by name, and a page after a position in the list by
forecast, are read from an index alone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event

from adapters.sqlalchemy.engine import make_session_factory
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.chunks import refresh_statistics
from application.commands import ClientListQuery, ListPosition, position_token
from application.queries import ClientListItem, Page
from contract.examples import a_client, a_forecast, a_purchase_prediction, id_of
from domain.segments import SegmentRule

pytestmark = pytest.mark.postgres

RULE = SegmentRule(medium_from=300, high_from=1000)


def plan_of_the_page(engine: Engine, query: ClientListQuery) -> tuple[Page[ClientListItem], str]:
    """The page `query` asks for among 2,000 clients (the last 100 not predicted yet), once their
    statistics are refreshed, and the plan of the one statement that picks it."""
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        stored = uow.clients.add_many([a_client(f"K{n}", last_name=f"N{n % 300:03d}") for n in range(2000)])
        predicted = stored[:1900]
        uow.predictions.add_many(
            [a_forecast(id_of(client), 100.0 + n) for n, client in enumerate(predicted)],
            [a_purchase_prediction(id_of(client)) for client in predicted],
        )
        uow.commit()
    refresh_statistics(SqlAlchemyUnitOfWork(session_factory))
    picking: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "sort_key" in statement:
            picking.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(query, RULE)
    event.remove(engine, "before_cursor_execute", record)
    [(statement, parameters)] = picking
    with engine.connect() as connection:
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    return page, plan


def test_the_clients_not_predicted_are_read_by_an_anti_join(postgres_engine: Engine) -> None:
    page, plan = plan_of_the_page(
        postgres_engine, ClientListQuery(sort="-predicted_sales", page=80, per_page=25)
    )

    assert [item.predicted_sales for item in page.items] == [None] * 25
    assert "Anti Join" in plan, plan


def test_the_page_after_a_forecast_is_read_from_the_forecasts_index_alone(postgres_engine: Engine) -> None:
    after = ListPosition(sort="-predicted_sales", key=1500.5, client_id=1)
    query = ClientListQuery(sort="-predicted_sales", after=position_token(after), per_page=25)

    page, plan = plan_of_the_page(postgres_engine, query)

    assert len(page.items) == 25
    assert "Index Only Scan Backward using ix_sales_predictions_current_value_client_id" in plan, plan
    assert "Index Cond: ((value IS NOT NULL) AND (value <= " in plan, plan


def test_a_page_by_name_is_read_from_the_names_index_alone(postgres_engine: Engine) -> None:
    page, plan = plan_of_the_page(postgres_engine, ClientListQuery(page=30, per_page=25))

    assert len(page.items) == 25
    assert "Index Only Scan using ix_clients_lower_last_name" in plan, plan
    assert "Sort" not in plan, plan
