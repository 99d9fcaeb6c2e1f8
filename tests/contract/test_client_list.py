"""The client list: filtering by name or email, sorting by every column, pages and totals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from application.commands import ClientListQuery, ClientSort
from application.queries import ClientListItem, Page
from contract.examples import UnitOfWorkFactory, a_client, id_of
from domain.clients import Client
from domain.segments import SegmentRule

PEOPLE = [
    # first name, last name, email, registered on
    ("Zofia", "Adamska", "zofia.a@firma.pl", date(2021, 6, 1)),
    ("adam", "Wolski", "biuro@wolski.com", date(2023, 2, 1)),
    ("Marek", "kowalski", "marek@example.pl", date(2020, 1, 1)),
    ("Ewa", "Nowak", "Ewa.Nowak@Example.pl", date(2022, 9, 1)),
    ("Jan", "Kowalski", "jan@poczta.pl", date(2022, 3, 1)),
]

BY_COLUMN = {
    ClientSort.FIRST_NAME: lambda c: c.first_name.lower(),
    ClientSort.LAST_NAME: lambda c: c.last_name.lower(),
    ClientSort.EMAIL: lambda c: c.email.lower(),
    ClientSort.REGISTERED_ON: lambda c: c.registered_on,
}


@pytest.fixture
def people(uow_factory: UnitOfWorkFactory) -> list[Client]:
    with uow_factory() as uow:
        stored = uow.clients.add_many(
            [Client(first, last, email, registered_on) for first, last, email, registered_on in PEOPLE]
        )
        uow.commit()
    return stored


def listed(uow_factory: UnitOfWorkFactory, **query: Any) -> Page[ClientListItem]:
    with uow_factory() as uow:
        return uow.clients.list(ClientListQuery(**query), SegmentRule())


def emails(page: Page[ClientListItem]) -> list[str]:
    return [item.client.email for item in page.items]


def test_lists_every_client_without_a_filter(uow_factory: UnitOfWorkFactory, people: list[Client]) -> None:
    page = listed(uow_factory)

    assert sorted(emails(page)) == sorted(c.email for c in people)
    assert page.total == len(people)


def test_an_empty_database_gives_an_empty_first_page(uow_factory: UnitOfWorkFactory) -> None:
    page = listed(uow_factory)

    assert (page.items, page.total, page.page, page.pages) == ([], 0, 1, 1)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("ZOF", ["zofia.a@firma.pl"], id="first name"),
        pytest.param("KOWAL", ["marek@example.pl", "jan@poczta.pl"], id="last name"),
        pytest.param("jan kowalski", ["jan@poczta.pl"], id="full name"),
        pytest.param("ewa.nowak@example", ["Ewa.Nowak@Example.pl"], id="email"),
        pytest.param("wolski.COM", ["biuro@wolski.com"], id="email domain"),
        pytest.param("adam", ["zofia.a@firma.pl", "biuro@wolski.com"], id="first or last name"),
    ],
)
def test_filters_on_first_last_and_full_name_and_email_ignoring_case(
    uow_factory: UnitOfWorkFactory, people: list[Client], q: str, expected: list[str]
) -> None:
    page = listed(uow_factory, q=q)

    assert sorted(emails(page)) == sorted(expected)
    assert page.total == len(expected)


def test_a_filter_does_not_match_text_running_from_the_name_into_the_email(
    uow_factory: UnitOfWorkFactory, people: list[Client]
) -> None:
    assert listed(uow_factory, q="kowalski jan").total == 0


def test_a_filter_matching_nobody_gives_an_empty_list(
    uow_factory: UnitOfWorkFactory, people: list[Client]
) -> None:
    page = listed(uow_factory, q="nobody-has-this")

    assert (page.items, page.total) == ([], 0)


def test_percent_and_underscore_in_a_filter_are_plain_characters(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add_many(
            [a_client("Anna", email="a_b@example.pl"), a_client("Beata", email="axb@example.pl")]
        )
        uow.clients.add(a_client("Celina", last_name="100%Nowak"))
        uow.commit()

    assert emails(listed(uow_factory, q="a_b")) == ["a_b@example.pl"]
    assert listed(uow_factory, q="0%n").total == 1


def test_non_ascii_names_are_found_ignoring_case(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client("Łukasz", last_name="Żółkiewski", email="lukasz@example.pl"))
        uow.commit()

    assert listed(uow_factory, q="łukasz żółk").total == 1
    assert listed(uow_factory, q="ŻÓŁKIEWSKI").total == 1


def test_letters_beyond_ascii_whose_lower_case_is_ascii_are_found_by_ascii_searches(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:  # the Kelvin sign (U+212A) folds to k, İ (U+0130) to i and a dot above
        uow.clients.add(a_client("Jan", last_name="\u212aowalczyk", email="jan@example.pl"))
        uow.clients.add(a_client("\u0130pek", last_name="Nowak", email="pn@example.pl"))
        uow.commit()

    assert emails(listed(uow_factory, q="kowal")) == ["jan@example.pl"]
    assert emails(listed(uow_factory, q="i")) == ["pn@example.pl"]
    assert sorted(emails(listed(uow_factory, q="ow"))) == ["jan@example.pl", "pn@example.pl"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("ki", ["ola@firma.pl"], id="two letters ending the name"),
        pytest.param("ąk", ["zb@example.com"], id="two letters beyond ascii ending the name"),
        pytest.param("DE", ["ewa@firma.de"], id="two letters ending the email"),
        pytest.param("ol", ["ola@firma.pl"], id="two letters beginning the name"),
        pytest.param("la", ["ola@firma.pl"], id="two letters ending the first name"),
        pytest.param("@F", ["ola@firma.pl", "ewa@firma.de", "ida@firma.ru"], id="a sign and a letter"),
        pytest.param("j", ["zb@example.com"], id="one letter ending the first name"),
        pytest.param("U", ["ida@firma.ru"], id="one letter ending the email"),
        pytest.param(
            "m", ["ola@firma.pl", "ewa@firma.de", "zb@example.com", "ida@firma.ru"], id="one letter"
        ),
        pytest.param("q", [], id="one letter nobody has"),
    ],
)
def test_a_text_shorter_than_three_letters_is_found_wherever_it_stands(
    uow_factory: UnitOfWorkFactory, q: str, expected: list[str]
) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client("Ola", last_name="Kowalski", email="ola@firma.pl"))
        uow.clients.add(a_client("Ewa", last_name="Nowak", email="ewa@firma.de"))
        uow.clients.add(a_client("Zdzij", last_name="Bąk", email="zb@example.com"))
        uow.clients.add(a_client("Ida", last_name="Lis", email="ida@firma.ru"))
        uow.commit()

    page = listed(uow_factory, q=q)

    assert sorted(emails(page)) == sorted(expected)
    assert page.total == len(expected)


@pytest.mark.parametrize(
    ("q", "found"),
    [("]\\", True), ("ę]", True), ("'b", True), ("n-", True), ("-Ł", True), ("k^", True), ("[x", False)],
)
def test_a_short_text_is_found_beside_the_characters_a_regular_expression_keeps_for_itself(
    uow_factory: UnitOfWorkFactory, q: str, found: bool
) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client("Ję]\\", last_name="O'Brien-Łęk^", email="jb@example.ie"))
        uow.clients.add(a_client("Ewa", last_name="Nowak", email="ewa@firma.de"))
        uow.commit()

    assert emails(listed(uow_factory, q=q)) == (["jb@example.ie"] if found else [])


def test_search_follows_a_clients_new_name_and_email_and_forgets_a_deleted_client(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        anna, beata = uow.clients.add_many(
            [a_client("Anna", last_name="Kowalska"), a_client("Beata", last_name="Kowalczyk")]
        )
        uow.clients.update(replace(anna, last_name="Nowak", email="anna.nowak@example.pl"))
        uow.commit()
    assert [item.client.first_name for item in listed(uow_factory, q="kowal").items] == ["Beata"]
    assert emails(listed(uow_factory, q="nowak")) == ["anna.nowak@example.pl"]

    with uow_factory() as uow:
        uow.clients.delete(id_of(beata))
        uow.commit()
    assert listed(uow_factory, q="kowal").total == 0
    assert listed(uow_factory, q="an").total == 1  # shorter than a trigram: its index entries are others


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("column", list(BY_COLUMN))
def test_sorts_by_each_column_both_ways(
    uow_factory: UnitOfWorkFactory, people: list[Client], column: ClientSort, descending: bool
) -> None:
    sort = f"-{column.value}" if descending else column.value
    page = listed(uow_factory, sort=sort, per_page=100)

    by_key_then_id = sorted(people, key=lambda c: c.id or 0, reverse=descending)
    by_key_then_id.sort(key=BY_COLUMN[column], reverse=descending)
    assert emails(page) == [c.email for c in by_key_then_id]


@pytest.mark.parametrize(
    "sort", ["predicted_sales", "-predicted_sales", "purchase_probability", "-purchase_probability"]
)
def test_sorting_by_a_prediction_keeps_clients_in_id_order_while_none_are_predicted(
    uow_factory: UnitOfWorkFactory, people: list[Client], sort: str
) -> None:
    page = listed(uow_factory, sort=sort, per_page=100)

    assert [item.client.id for item in page.items] == sorted(c.id or 0 for c in people)


def test_list_items_carry_no_predictions_while_none_are_made(
    uow_factory: UnitOfWorkFactory, people: list[Client]
) -> None:
    page = listed(uow_factory)

    assert {(i.predicted_sales, i.purchase_probability, i.will_buy) for i in page.items} == {
        (None, None, None)
    }
    assert {item.client for item in page.items} == set(people)


@pytest.mark.parametrize("sort", ["last_name", "-last_name", "registered_on", "-registered_on"])
def test_ties_are_broken_by_id_in_the_sorts_direction_so_pages_neither_overlap_nor_skip(
    uow_factory: UnitOfWorkFactory, sort: str
) -> None:
    with uow_factory() as uow:
        stored = uow.clients.add_many([a_client(f"Klient{n:02d}") for n in range(23)])
        uow.commit()

    pages = [listed(uow_factory, sort=sort, page=number, per_page=5) for number in range(1, 6)]

    in_the_sorts_direction = sorted((c.id or 0 for c in stored), reverse=sort.startswith("-"))
    assert [item.client.id for page in pages for item in page.items] == in_the_sorts_direction
    assert [len(page.items) for page in pages] == [5, 5, 5, 5, 3]
    assert {(page.total, page.pages) for page in pages} == {(23, 5)}


def test_the_total_counts_every_match_not_just_the_page(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add_many([a_client(f"Klient{n:02d}") for n in range(12)] + [a_client("Other")])
        uow.commit()

    page = listed(uow_factory, q="klient", per_page=5, page=2)

    assert (len(page.items), page.total, page.page, page.per_page) == (5, 12, 2, 5)


def test_a_page_beyond_the_end_is_empty_and_still_reports_the_total(
    uow_factory: UnitOfWorkFactory, people: list[Client]
) -> None:
    page = listed(uow_factory, page=3, per_page=5)

    assert (page.items, page.total, page.page) == ([], len(people), 3)
