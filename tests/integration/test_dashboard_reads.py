"""What a dashboard costs once its summaries are kept: the clients are counted once, and the contact list
reads the page of its own clients only."""

from __future__ import annotations

import re

from adapters.sqlalchemy.engine import make_engine, make_session_factory
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.queries import CONTACT_NEXT, dashboard
from contract.examples import a_client, a_forecast, a_purchase_prediction, id_of
from recorded_sql import statements_run

COUNTS_CLIENTS = re.compile(r"count\(\*\).*FROM clients\b", re.IGNORECASE | re.DOTALL)


def test_a_dashboard_counts_the_clients_once_and_lists_those_worth_contacting_first(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        stored = uow.clients.add_many([a_client(f"K{n}", last_name=f"N{n:02d}") for n in range(12)])
        uow.clients.add(a_client("Unscored"))
        uow.predictions.add_many(
            [a_forecast(id_of(client), 100.0 * (n + 1)) for n, client in enumerate(stored)],
            [
                a_purchase_prediction(id_of(client), 0.5, expected_value=50.0 * (n + 1))
                for n, client in enumerate(stored)
            ],
        )
        uow.commit()
    dashboard(SqlAlchemyUnitOfWork(session_factory))  # computes and keeps the summaries
    with statements_run(engine) as run:
        board = dashboard(SqlAlchemyUnitOfWork(session_factory))
    engine.dispose()
    statements = [statement for statement, _ in run]

    assert board.client_count == 13
    assert [item.client.id for item in board.contact_next] == [id_of(c) for c in stored[::-1][:CONTACT_NEXT]]
    assert len([s for s in statements if COUNTS_CLIENTS.search(s)]) == 1, statements
