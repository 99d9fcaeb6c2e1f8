"""The client export: every client a filter selects, in its order, read a window at a time."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.memory import InMemoryUnitOfWork
from application.commands import ClientExport, ClientFilter, ClientListQuery
from application.exports import export_clients, export_row
from domain.clients import Client
from domain.segments import SegmentRule


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


def test_every_selected_client_is_exported_in_order(uow: InMemoryUnitOfWork) -> None:
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
        "tier": "",
    }


def export_names(query: dict[str, object], uow: InMemoryUnitOfWork) -> list[str]:
    return [item.client.first_name for item in export_clients(ClientExport.parse(query), uow)]


def test_a_limit_exports_the_first_n_in_the_lists_order(uow: InMemoryUnitOfWork) -> None:
    assert export_names({"sort": "-first_name", "limit": 3}, uow) == ["Ula", "Ola", "Iza"]
    assert export_names({"sort": "first_name", "limit": 4}, uow) == ["Ala", "Ela", "Iza", "Ola"]
    assert export_names({"sort": "first_name", "limit": 99}, uow) == ["Ala", "Ela", "Iza", "Ola", "Ula"]


def test_ids_export_only_those_clients_in_the_lists_order(uow: InMemoryUnitOfWork) -> None:
    with uow:
        by_name = {
            c.client.first_name: c.client.id for c in uow.clients.list(ClientListQuery(), SegmentRule()).items
        }

    chosen = f"{by_name['Ula']},{by_name['Ala']},{by_name['Iza']}"
    assert export_names({"sort": "first_name", "ids": chosen}, uow) == ["Ala", "Iza", "Ula"]
    assert export_names({"sort": "-first_name", "ids": [chosen], "limit": 2}, uow) == ["Ula", "Iza"]
    assert export_names({"sort": "first_name", "ids": chosen, "q": "iza"}, uow) == ["Iza"]


def test_an_export_reads_the_list_once_without_counting_or_paging_it(
    uow: InMemoryUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("an export reads no page of the list")

    monkeypatch.setattr(type(uow.clients), "list", refused)

    assert export_names({"sort": "first_name", "limit": 2}, uow) == ["Ala", "Ela"]
