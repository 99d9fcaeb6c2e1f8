"""How each database reads a page of the client list.

SQLite: a common filter of a prediction is checked on the clients read in the list's order (in the index
of current values by client), a rare one found through the index of the predictions' values; a page in
an order of the clients' own reads no prediction, a page by forecast none but the forecasts' index.

PostgreSQL, once its statistics are refreshed: the clients not predicted yet, who end a list sorted by a
prediction, are found by an anti-join, one index lookup per client, not by joining every prediction; a
page by name, and a page after a position in the list by forecast, are read from an index alone."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy import Engine

from adapters.sqlalchemy.engine import make_engine, make_session_factory
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.chunks import refresh_statistics
from application.commands import ClientListQuery, ListPosition, position_token
from application.queries import ClientListItem, Page
from contract.examples import a_client, a_forecast, a_purchase_prediction, id_of
from domain.segments import Segment, SegmentRule
from domain.tiers import ContactTier, TierCuts
from recorded_sql import statements_run

RULE = SegmentRule(medium_from=300, high_from=1000)
TIERS = TierCuts(top_above=90, next_above=70, third_above=40)


def picking_statements(engine: Engine) -> AbstractContextManager[list[tuple[str, Any]]]:
    """The statements (and their parameters) that pick a page's clients, as `engine` runs them inside."""
    return statements_run(engine, lambda statement: "sort_key" in statement)


def plans_of_the_page(
    sqlite_url: str, high: int, query: ClientListQuery, *, analysed: bool = False
) -> list[str]:
    """The plans of the statements that pick the page `query` asks for, among 100 clients of whom
    `high` are in the high segment and the rest in the low one, each worth a contact of its number
    (and with the statistics of ANALYZE when `analysed`)."""
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        stored = uow.clients.add_many([a_client(f"K{n}", last_name=f"N{n:03d}") for n in range(100)])
        values = [1500.0 + n if n < high else 100.0 + n for n in range(100)]
        uow.predictions.add_many(
            [a_forecast(id_of(client), value) for client, value in zip(stored, values, strict=True)],
            [
                a_purchase_prediction(id_of(client), expected_value=float(n))
                for n, client in enumerate(stored)
            ],
        )
        uow.commit()
    if analysed:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    with picking_statements(engine) as picking, SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(query, RULE, tiers=TIERS)
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

    assert "INDEX ix_clients_lower_last_name" in plan, plan
    # Each client's forecast is checked in the index of current values by client, not in the table.
    assert "COVERING INDEX ix_sales_predictions_current_value_by_client" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_a_common_decision_is_checked_on_the_clients_read_by_name(sqlite_url: str) -> None:
    # Every client's purchase prediction says yes: a page by name is read from the names' index.
    [plan] = plans_of_the_page(sqlite_url, high=50, query=ClientListQuery(will_buy=True, page=3, per_page=10))

    assert "INDEX ix_clients_lower_last_name" in plan, plan
    assert "COVERING INDEX ix_purchase_predictions_current_will_buy_by_client" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_a_common_contact_tier_is_checked_on_the_clients_read_by_name(sqlite_url: str) -> None:
    # The last 40 of the 100 clients are worth a contact of tier 4.
    query = ClientListQuery(tier=ContactTier.REST, page=2, per_page=10)
    [plan] = plans_of_the_page(sqlite_url, high=50, query=query)

    assert "INDEX ix_clients_lower_last_name" in plan, plan
    assert "COVERING INDEX ix_purchase_predictions_current_expected_value_by_client" in plan, plan
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


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("predicted_sales", "ix_sales_predictions_current_value_client_id"),
        ("purchase_probability", "ix_purchase_predictions_current_probability_client_id"),
        ("-purchase_probability", "ix_purchase_predictions_current_probability_client_id"),
        ("-last_name", "ix_clients_lower_last_name"),
        ("-registered_on", "ix_clients_registered_on"),
    ],
)
def test_a_page_in_either_direction_is_read_in_its_index_order_with_no_ties_to_sort(
    sqlite_url: str, sort: str, index: str
) -> None:
    # Ties fall or rise by id with the sort, as the index of (key, id) is read backwards or forwards.
    plans = plans_of_the_page(sqlite_url, high=0, query=ClientListQuery(sort=sort, page=3, per_page=10))

    assert len(plans) == 1, plans
    assert index in plans[0], plans[0]
    assert "TEMP B-TREE" not in plans[0], plans[0]


def test_a_page_of_the_high_segment_by_forecast_is_read_from_the_forecasts_index_alone(
    sqlite_url: str,
) -> None:
    query = ClientListQuery(sort="-predicted_sales", segment=Segment.HIGH, page=2, per_page=10)
    plans = plans_of_the_page(sqlite_url, high=50, query=query)

    assert len(plans) == 1, plans
    assert "COVERING INDEX ix_sales_predictions_current_value_client_id" in plans[0], plans[0]
    assert "TEMP B-TREE" not in plans[0], plans[0]


# --- PostgreSQL ---


def postgres_plan_of_the_page(engine: Engine, query: ClientListQuery) -> tuple[Page[ClientListItem], str]:
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
    with picking_statements(engine) as picking, SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(query, RULE, tiers=TIERS)
    [(statement, parameters)] = picking
    with engine.connect() as connection:
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    return page, plan


@pytest.mark.postgres
def test_the_clients_not_predicted_are_read_by_an_anti_join(postgres_engine: Engine) -> None:
    page, plan = postgres_plan_of_the_page(
        postgres_engine, ClientListQuery(sort="-predicted_sales", page=80, per_page=25)
    )

    assert [item.predicted_sales for item in page.items] == [None] * 25
    assert "Anti Join" in plan, plan


@pytest.mark.postgres
def test_the_page_after_a_forecast_is_read_from_the_forecasts_index_alone(postgres_engine: Engine) -> None:
    after = ListPosition(sort="-predicted_sales", key=1500.5, client_id=1)
    query = ClientListQuery(sort="-predicted_sales", after=position_token(after), per_page=25)

    page, plan = postgres_plan_of_the_page(postgres_engine, query)

    assert len(page.items) == 25
    assert "Index Only Scan Backward using ix_sales_predictions_current_value_client_id" in plan, plan
    assert "Index Cond: ((value IS NOT NULL) AND (value <= " in plan, plan


@pytest.mark.postgres
def test_a_page_by_name_is_read_from_the_names_index_alone(postgres_engine: Engine) -> None:
    page, plan = postgres_plan_of_the_page(postgres_engine, ClientListQuery(page=30, per_page=25))

    assert len(page.items) == 25
    assert "Index Only Scan using ix_clients_lower_last_name" in plan, plan
    assert "Sort" not in plan, plan


def test_a_search_sorted_by_a_prediction_counts_its_matches_and_the_predicted_ones_in_one_pass(
    sqlite_url: str,
) -> None:
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        stored = uow.clients.add_many([a_client(f"Anna{n:02d}", last_name="Kos") for n in range(30)])
        stored += uow.clients.add_many([a_client("Ewa", last_name="Lis", email="ewa@example.pl")])
        predicted = {id_of(client): 10.0 * (n % 7) for n, client in enumerate(stored[:20])}
        uow.predictions.add_many([a_forecast(client_id, value) for client_id, value in predicted.items()], [])
        uow.commit()
    in_order = [
        *sorted(predicted, key=lambda client_id: (predicted[client_id], client_id), reverse=True),
        *sorted(id_of(client) for client in stored[20:30]),
    ]

    for page in (1, 2, 3, 4, 5):
        query = ClientListQuery(q="anna", sort="-predicted_sales", page=page, per_page=7)
        counted = statements_run(engine, lambda statement: "count(" in statement)
        with counted as counting, SqlAlchemyUnitOfWork(session_factory) as uow:
            listed = uow.clients.list(query, RULE, tiers=TIERS)
        assert len(counting) == 1, counting
        assert listed.total == 30
        assert [item.client.id for item in listed.items] == in_order[(page - 1) * 7 : page * 7]
    engine.dispose()
