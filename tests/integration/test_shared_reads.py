"""One session shared by the units of work of a request that only reads: one transaction for all of them,
ended by an error in one of them or by the request's end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from adapters.sqlalchemy.unit_of_work import end_shared_session, share_one_session
from contract.examples import a_client


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@contextmanager
def transactions_begun(engine: Engine) -> Iterator[list[object]]:
    """The transactions `engine` begins inside."""
    begun: list[object] = []

    def record(connection: Any) -> None:
        begun.append(connection)

    event.listen(engine, "begin", record)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", record)


@contextmanager
def shared_session(engine: Engine) -> Iterator[None]:
    share_one_session(make_session_factory(engine))
    try:
        yield
    finally:
        end_shared_session()


def test_units_of_work_inside_a_shared_session_read_in_one_transaction(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with transactions_begun(engine) as begun, shared_session(engine):
        for _ in range(3):
            with SqlAlchemyUnitOfWork(factory) as uow:
                assert uow.clients.count() == 0
    assert len(begun) == 1


def test_without_a_shared_session_each_unit_of_work_begins_its_own(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with shared_session(engine):
        pass
    with transactions_begun(engine) as begun:
        for _ in range(3):
            with SqlAlchemyUnitOfWork(factory) as uow:
                uow.clients.count()
    assert len(begun) == 3


def test_a_unit_of_work_left_by_an_error_rolls_the_shared_transaction_back(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with transactions_begun(engine) as begun, shared_session(engine):
        with pytest.raises(RuntimeError), SqlAlchemyUnitOfWork(factory) as uow:
            uow.clients.add(a_client())
            raise RuntimeError("before the commit")
        with SqlAlchemyUnitOfWork(factory) as uow:
            assert uow.clients.count() == 0
    assert len(begun) == 2


def test_what_a_unit_of_work_commits_in_a_shared_session_is_committed(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with shared_session(engine), SqlAlchemyUnitOfWork(factory) as uow:
        uow.clients.add(a_client())
        uow.commit()
    with SqlAlchemyUnitOfWork(factory) as uow:
        assert uow.clients.count() == 1


def test_the_end_of_the_shared_session_rolls_back_what_was_not_committed(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with shared_session(engine), SqlAlchemyUnitOfWork(factory) as uow:
        uow.clients.add(a_client())
    with SqlAlchemyUnitOfWork(factory) as uow:
        assert uow.clients.count() == 0
