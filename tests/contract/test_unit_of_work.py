"""The unit of work: one transaction, committed explicitly, rolled back otherwise."""

from __future__ import annotations

import pytest

from adapters.sqlalchemy.engine import reading_only
from application.commands import MAX_PER_PAGE, ClientListQuery
from application.ports import UnitOfWork
from contract.examples import UnitOfWorkFactory, a_client, id_of
from domain.clients import Client
from domain.errors import DuplicateEmail
from domain.segments import SegmentRule


def test_committed_work_is_visible_to_a_new_unit_of_work(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        client = uow.clients.add(a_client())
        uow.commit()

    with uow_factory() as uow:
        assert uow.clients.get(id_of(client)) == client


def test_rolls_back_uncommitted_work_by_default(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client())

    with uow_factory() as uow:
        assert uow.clients.count() == 0


def test_rolls_back_when_the_block_raises(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.clients.add(a_client())
        raise RuntimeError("something went wrong before the commit")

    with uow_factory() as uow:
        assert uow.clients.count() == 0


def test_explicit_rollback_discards_work_since_the_last_commit(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        kept = uow.clients.add(a_client("Anna"))
        uow.commit()
        uow.clients.add(a_client("Beata"))
        uow.rollback()
        assert [c.id for c in _all_clients(uow)] == [kept.id]
        uow.commit()

    with uow_factory() as uow:
        assert [c.id for c in _all_clients(uow)] == [kept.id]


def test_work_committed_before_an_error_survives_it(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.clients.add(a_client("Anna"))
        uow.commit()
        uow.clients.add(a_client("Beata"))
        raise RuntimeError("after the commit")

    with uow_factory() as uow:
        assert [c.first_name for c in _all_clients(uow)] == ["Anna"]


def test_a_refused_write_leaves_the_transaction_usable(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        first = uow.clients.add(a_client("Anna"))
        with pytest.raises(DuplicateEmail):
            uow.clients.add(a_client("Beata", email="ANNA@example.pl"))
        second = uow.clients.add(a_client("Celina"))
        uow.commit()

    with uow_factory() as uow:
        assert _all_clients(uow) == [first, second]


def test_uncommitted_work_is_invisible_to_another_unit_of_work(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as writer:
        writer.clients.add(a_client())
        # On SQLite the writer holds the write lock: a reader begun as one (as a GET request's is)
        # reads beside it, where another writer would wait for it.
        with reading_only(), uow_factory() as reader:
            assert reader.clients.count() == 0


def test_the_same_unit_of_work_can_be_used_for_one_block_after_another(
    uow_factory: UnitOfWorkFactory,
) -> None:
    uow = uow_factory()
    with uow:
        client = uow.clients.add(a_client())
        uow.commit()
    with uow:
        assert uow.clients.get(id_of(client)) == client


def _all_clients(uow: UnitOfWork) -> list[Client]:
    page = uow.clients.list(ClientListQuery(per_page=MAX_PER_PAGE), SegmentRule())
    return sorted((item.client for item in page.items), key=lambda client: client.id or 0)
