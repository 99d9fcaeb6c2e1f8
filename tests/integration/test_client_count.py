"""PostgreSQL keeps the number of clients itself (migration 0020_client_count): a row per statement that
added or removed clients, summed when read, folded into one after bulk writes. The number must always be
the count of the table, and writers of clients must not wait for one another because of it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from adapters.sqlalchemy.engine import make_session_factory
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.chunks import refresh_statistics
from contract.examples import a_client, id_of

pytestmark = pytest.mark.postgres


def counted(engine: Engine) -> tuple[int, int]:
    """The number of clients as the app reads it, and the count of the table."""
    with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
        number = uow.clients.count()
    assert type(number) is int, type(number)
    with engine.connect() as connection:
        return number, int(connection.execute(text("SELECT count(*) FROM clients")).scalar_one())


def rows_of_the_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM client_count")).scalar_one())


def test_the_number_follows_every_addition_and_removal_and_survives_a_fold(postgres_engine: Engine) -> None:
    session_factory = make_session_factory(postgres_engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        stored = uow.clients.add_many([a_client(f"K{n}") for n in range(30)])
        uow.clients.add(a_client("Ola"))
        uow.commit()
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        uow.clients.delete(id_of(stored[0]))
        uow.clients.delete(id_of(stored[1]))
        uow.commit()
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        uow.clients.add(a_client("Ewa"))  # rolled back: never counted

    assert counted(postgres_engine) == (29, 29)
    assert rows_of_the_count(postgres_engine) > 1

    refresh_statistics(SqlAlchemyUnitOfWork(session_factory))

    assert counted(postgres_engine) == (29, 29)
    assert rows_of_the_count(postgres_engine) == 1


def test_a_count_inside_a_transaction_includes_its_own_clients(postgres_engine: Engine) -> None:
    with SqlAlchemyUnitOfWork(make_session_factory(postgres_engine)) as uow:
        uow.clients.add_many([a_client(f"K{n}") for n in range(5)])
        assert uow.clients.count() == 5


def test_writers_of_clients_do_not_wait_for_one_another(postgres_engine: Engine) -> None:
    first, second = postgres_engine.connect(), postgres_engine.connect()
    try:
        for n, connection in enumerate((first, second)):
            connection.execute(text("SET lock_timeout = '1s'"))
            connection.execute(
                text(
                    "INSERT INTO clients (first_name, last_name, email, email_key, registered_on)"
                    " VALUES ('A', 'B', :email, :email, '2024-01-01')"
                ),
                {"email": f"writer{n}@example.pl"},
            )
        first.execute(text("DELETE FROM clients WHERE email_key = 'writer0@example.pl'"))
        second.commit()
        first.commit()
    finally:
        first.close()
        second.close()

    assert counted(postgres_engine) == (1, 1)
