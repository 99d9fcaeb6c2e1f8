"""The client export: every client a filter selects, in its order, read a window at a time."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.memory import InMemoryUnitOfWork
from application import exports
from application.commands import ClientFilter, ClientListQuery
from application.exports import export_clients, export_row
from domain.clients import Client


@pytest.fixture
def uow(uow: InMemoryUnitOfWork) -> InMemoryUnitOfWork:
    """Five clients."""
    with uow:
        uow.clients.add_many(
            [
                Client(name, "Nowak", f"{name.lower()}@example.pl", date(2023, 1, 15))
                for name in ("Ala", "Ola", "Ela", "Iza", "Ula")
            ]
        )
        uow.commit()
    return uow


def names(selection: ClientFilter, uow: InMemoryUnitOfWork) -> list[str]:
    return [item.client.first_name for item in export_clients(selection, uow)]


def test_every_selected_client_is_exported_in_order_across_windows(
    uow: InMemoryUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "EXPORT_PAGE", 2)

    assert names(ClientFilter.parse({"sort": "-first_name"}), uow) == ["Ula", "Ola", "Iza", "Ela", "Ala"]
    assert names(ClientFilter.parse({"q": "la", "sort": "first_name"}), uow) == ["Ala", "Ela", "Ola", "Ula"]


def test_a_list_querys_own_page_is_ignored(uow: InMemoryUnitOfWork) -> None:
    query = ClientListQuery.parse({"sort": "first_name", "page": 3, "per_page": 1})

    assert names(query, uow) == ["Ala", "Ela", "Iza", "Ola", "Ula"]


def test_a_row_without_predictions_leaves_their_columns_empty(uow: InMemoryUnitOfWork) -> None:
    item = next(export_clients(ClientFilter(), uow))

    assert export_row(item) | {"id": 0} == {
        "id": 0,
        "first_name": "Ala",
        "last_name": "Nowak",
        "email": "ala@example.pl",
        "registered_on": "2023-01-15",
        "predicted_sales": "",
        "purchase_probability": "",
        "will_buy": "",
        "segment": "",
    }
