"""How SQLite reads a page of the client list: a common filter of a prediction is checked on the clients
read in the list's order, a rare one found through the index of the predictions' values; a page in an
order of the clients' own reads no prediction, a page by forecast none but the forecasts' index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from adapters.sqlalchemy.engine import make_engine, make_session_factory
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import ClientListQuery
from contract.examples import a_client, a_forecast, a_purchase_prediction, id_of
from domain.segments import Segment, SegmentRule

RULE = SegmentRule(medium_from=300, high_from=1000)


def plans_of_the_page(
    sqlite_url: str, high: int, query: ClientListQuery, *, analysed: bool = False
) -> list[str]:
    """The plans of the statements that pick the page `query` asks for, among 100 clients of whom
    `high` are in the high segment and the rest in the low one (and with the statistics of ANALYZE
    when `analysed`)."""
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        stored = uow.clients.add_many([a_client(f"K{n}", last_name=f"N{n:03d}") for n in range(100)])
        values = [1500.0 + n if n < high else 100.0 + n for n in range(100)]
        uow.predictions.add_many(
            [a_forecast(id_of(client), value) for client, value in zip(stored, values, strict=True)],
            [a_purchase_prediction(id_of(client)) for client in stored],
        )
        uow.commit()
    if analysed:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    picking: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "sort_key" in statement:
            picking.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(query, RULE)
    event.remove(engine, "before_cursor_execute", record)
    assert page.items, "the page holds clients"
    with engine.connect() as connection:
        plans = [
            "\n".join(
                str(row[-1])
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            for statement, parameters in picking
        ]
    engine.dispose()
    return plans


def plan_of_the_page(sqlite_url: str, high: int, segment: Segment) -> str:
    """The plan of the statement that picks the first page of `segment`."""
    [plan] = plans_of_the_page(sqlite_url, high, ClientListQuery(segment=segment, per_page=10))
    return plan


def test_a_common_segment_is_checked_on_the_clients_read_by_name(sqlite_url: str) -> None:
    plan = plan_of_the_page(sqlite_url, high=50, segment=Segment.HIGH)

    assert "USING INDEX ix_clients_lower_last_name" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_a_rare_segment_is_found_through_the_forecasts_index(sqlite_url: str) -> None:
    plan = plan_of_the_page(sqlite_url, high=2, segment=Segment.HIGH)

    assert "ix_sales_predictions_current_value" in plan, plan


def test_a_numbered_page_sorted_by_name_steps_over_the_names_index_alone(sqlite_url: str) -> None:
    # Once analysed, each client's one purchase prediction makes SQLite read that join through an index
    # that is not unique, which it then cannot leave out: the page must not ask for the join at all.
    [plan] = plans_of_the_page(sqlite_url, high=50, query=ClientListQuery(page=3, per_page=10), analysed=True)

    assert "ix_clients_lower_last_name" in plan, plan
    assert "predictions" not in plan, plan


def test_a_numbered_page_sorted_by_forecast_steps_over_the_forecasts_index_alone(sqlite_url: str) -> None:
    plans = plans_of_the_page(
        sqlite_url, high=50, query=ClientListQuery(sort="-predicted_sales", page=3, per_page=10)
    )

    assert len(plans) == 1, plans
    assert "COVERING INDEX ix_sales_predictions_current_value_client_id" in plans[0], plans[0]
    assert "clients" not in plans[0], plans[0]
    assert "TEMP B-TREE" not in plans[0], plans[0]


def test_a_page_of_the_high_segment_by_forecast_is_read_from_the_forecasts_index_alone(
    sqlite_url: str,
) -> None:
    query = ClientListQuery(sort="-predicted_sales", segment=Segment.HIGH, page=2, per_page=10)
    plans = plans_of_the_page(sqlite_url, high=50, query=query)

    assert len(plans) == 1, plans
    assert "COVERING INDEX ix_sales_predictions_current_value_client_id" in plans[0], plans[0]
    assert "TEMP B-TREE" not in plans[0], plans[0]
