"""The client list read after or before a position: page after page, it gives what page numbers give."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from application.commands import SORT_VALUES, ClientListQuery, ListPosition
from application.queries import ClientListItem, Page
from contract.examples import UnitOfWorkFactory, a_client, a_forecast, a_purchase_prediction, id_of
from domain.segments import Segment, SegmentRule
from domain.tiers import expected_value

RULE = SegmentRule(medium_from=300, high_from=1000)

# first name: last name, registration day, and forecast (PLN) with purchase chance or None. Names,
# days and values are shared so that ties are broken by id; three clients are not predicted.
CLIENTS: dict[str, tuple[str, int, tuple[float, float] | None]] = {
    "Anna": ("Nowak", 3, (1500.0, 0.91)),
    "Beata": ("Kowalska", 1, (300.0, 0.40)),
    "Celina": ("Nowak", 3, None),
    "Dorota": ("Adamska", 2, (300.0, 0.75)),
    "Ewa": ("Nowak", 1, (1000.0, 0.40)),
    "Felicja": ("Zielińska", 5, None),
    "Gabriela": ("Kowalska", 2, (0.0, 0.05)),
    "Halina": ("Wójcik", 4, (1500.0, 0.91)),
    "Irena": ("Adamska", 5, None),
    "Joanna": ("Nowak", 4, (420.0, 0.40)),
}


@pytest.fixture
def ids(uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    with uow_factory() as uow:
        stored = uow.clients.add_many(
            [
                a_client(name, last_name=last_name, registered_on=date(2023, 1, day))
                for name, (last_name, day, _) in CLIENTS.items()
            ]
        )
        ids = {client.first_name: id_of(client) for client in stored}
        predicted = [(ids[name], values) for name, (_, _, values) in CLIENTS.items() if values is not None]
        uow.predictions.add_many(
            [a_forecast(client_id, value) for client_id, (value, _) in predicted],
            [
                a_purchase_prediction(client_id, chance, expected_value=expected_value(chance, value))
                for client_id, (value, chance) in predicted
            ],
        )
        uow.commit()
    return ids


def listed(uow_factory: UnitOfWorkFactory, **query: Any) -> Page[ClientListItem]:
    with uow_factory() as uow:
        return uow.clients.list(ClientListQuery(**query), RULE)


def names(items: list[ClientListItem]) -> list[str]:
    return [item.client.first_name for item in items]


def walked_forward(uow_factory: UnitOfWorkFactory, per_page: int, **query: Any) -> list[list[str]]:
    """Every page, from the first, each read after the position the one before gave."""
    page = listed(uow_factory, per_page=per_page, **query)
    pages = [names(list(page.items))]
    while page.next is not None:
        assert len(pages) <= 20, "the pages go on and on"
        page = listed(uow_factory, per_page=per_page, after=page.next, **query)
        pages.append(names(list(page.items)))
    return pages


def walked_backwards(uow_factory: UnitOfWorkFactory, per_page: int, **query: Any) -> list[list[str]]:
    """Every page, from the last, each read before the position the one after it gave."""
    whole = listed(uow_factory, per_page=100, **query)
    last_page = -(-whole.total // per_page)
    page = listed(uow_factory, per_page=per_page, page=last_page, **query)
    pages = [names(list(page.items))]
    while page.previous is not None:
        assert len(pages) <= 20, "the pages go on and on"
        page = listed(uow_factory, per_page=per_page, before=page.previous, **query)
        pages.insert(0, names(list(page.items)))
    return pages


@pytest.mark.parametrize("sort", SORT_VALUES)
def test_pages_read_after_each_other_are_the_numbered_pages_in_every_order(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], sort: str
) -> None:
    numbered = [names(list(listed(uow_factory, sort=sort, per_page=3, page=n).items)) for n in (1, 2, 3, 4)]

    assert walked_forward(uow_factory, 3, sort=sort) == numbered
    assert walked_backwards(uow_factory, 3, sort=sort) == numbered


@pytest.mark.parametrize("sort", SORT_VALUES)
@pytest.mark.parametrize("per_page", [1, 3, 4])
def test_every_numbered_page_holds_its_slice_of_the_whole_list(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], sort: str, per_page: int
) -> None:
    """Pages past the middle are read from the list's end; they must hold the same clients."""
    whole = names(list(listed(uow_factory, sort=sort, per_page=100).items))
    pages = -(-len(whole) // per_page)

    numbered = [listed(uow_factory, sort=sort, per_page=per_page, page=n) for n in range(1, pages + 1)]

    assert [names(list(page.items)) for page in numbered] == [
        whole[start : start + per_page] for start in range(0, len(whole), per_page)
    ]
    assert [page.next is not None for page in numbered] == [n < pages for n in range(1, pages + 1)]
    assert [page.previous is not None for page in numbered] == [n > 1 for n in range(1, pages + 1)]


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "-predicted_sales", "segment": Segment.HIGH},
        {"sort": "last_name", "q": "a"},
        {"sort": "-expected_value", "will_buy": False},
        {"sort": "registered_on", "q": "nowak"},
    ],
    ids=["segment", "search", "decision", "search by date"],
)
def test_pages_of_a_filtered_list_read_after_each_other_hold_its_clients_once(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], query: dict[str, Any]
) -> None:
    whole = names(list(listed(uow_factory, per_page=100, **query).items))

    forward = walked_forward(uow_factory, 2, **query)
    backwards = walked_backwards(uow_factory, 2, **query)

    assert [name for page in forward for name in page] == whole
    assert backwards == forward


def test_the_first_page_has_nothing_before_it_and_the_last_nothing_after_it(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    first = listed(uow_factory, sort="first_name", per_page=4)
    last = listed(uow_factory, sort="first_name", per_page=4, page=3)

    assert (first.previous, first.next) == (None, ListPosition("first_name", "dorota", ids["Dorota"]))
    assert (last.previous, last.next) == (ListPosition("first_name", "irena", ids["Irena"]), None)


def test_a_position_read_with_a_whole_page_left_still_knows_nothing_follows(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    """Ten clients in pages of five: the second page ends the list although it is full."""
    second = listed(uow_factory, sort="last_name", per_page=5, after=listed(uow_factory, per_page=5).next)

    assert len(second.items) == 5
    assert second.next is None


def test_a_position_whose_client_is_gone_still_marks_where_the_next_page_starts(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    first = listed(uow_factory, sort="-predicted_sales", per_page=3)
    assert names(list(first.items)) == ["Halina", "Anna", "Ewa"]
    with uow_factory() as uow:
        uow.clients.delete(ids["Ewa"])
        uow.commit()

    assert names(list(listed(uow_factory, sort="-predicted_sales", per_page=3, after=first.next).items)) == [
        "Joanna",
        "Dorota",
        "Beata",
    ]
    assert names(list(listed(uow_factory, sort="-predicted_sales", before=first.next).items)) == [
        "Halina",
        "Anna",
    ]


def test_a_position_among_the_unpredicted_reads_on_from_them_and_back_into_the_predicted(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    celina = ListPosition("-purchase_probability", None, ids["Celina"])

    after = listed(uow_factory, sort="-purchase_probability", after=celina)
    before = listed(uow_factory, sort="-purchase_probability", per_page=2, before=celina)

    assert names(list(after.items)) == ["Felicja", "Irena"]
    assert after.next is None
    assert names(list(before.items)) == ["Beata", "Gabriela"]
    assert before.previous == ListPosition("-purchase_probability", 0.4, ids["Beata"])


@pytest.fixture
def many(uow_factory: UnitOfWorkFactory) -> list[tuple[str, float, float]]:
    """60 clients, every other one in the high segment: a filter that a page's worth of clients
    read in the list's order soon satisfies. Returns (last name, forecast, chance) in id order."""
    rows = [
        (f"Nazwisko{(n * 37) % 60:02d}", 1500.0 if n % 2 else 100.0 + n, 0.2 + n / 100) for n in range(60)
    ]
    with uow_factory() as uow:
        stored = uow.clients.add_many(
            [a_client(f"K{n}", last_name=name) for n, (name, _, _) in enumerate(rows)]
        )
        uow.predictions.add_many(
            [a_forecast(id_of(client), value) for client, (_, value, _) in zip(stored, rows, strict=True)],
            [
                a_purchase_prediction(id_of(client), chance, expected_value=expected_value(chance, value))
                for client, (_, value, chance) in zip(stored, rows, strict=True)
            ],
        )
        uow.commit()
    return rows


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ({"segment": Segment.HIGH}, lambda value, chance: value >= 1000),
        ({"segment": Segment.LOW, "sort": "-last_name"}, lambda value, chance: value < 300),
        ({"will_buy": True}, lambda value, chance: chance >= 0.7),
    ],
    ids=["high", "low", "buyers"],
)
def test_a_common_filter_pages_its_clients_in_order_by_number_and_by_position(
    uow_factory: UnitOfWorkFactory, many: list[tuple[str, float, float]], query: dict[str, Any], kept: Any
) -> None:
    expected = sorted(name for name, value, chance in many if kept(value, chance))
    if query.get("sort") == "-last_name":
        expected.reverse()

    numbered = [listed(uow_factory, per_page=5, page=n, **query) for n in range(1, 8)]
    walked = walked_forward(uow_factory, 5, **query)

    assert numbered[0].total == len(expected)
    assert [item.client.last_name for page in numbered for item in page.items] == expected
    assert [name for page in walked for name in page] == [
        item.client.first_name for page in numbered for item in page.items
    ]
