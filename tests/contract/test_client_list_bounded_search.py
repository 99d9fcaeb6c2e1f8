"""A search counted up to a bound: past it the total says "more than", and its pages, read however the
search is read (its matches sorted, or the sort's index walked), hold what the exact list holds."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.sqlalchemy import clients as sqlalchemy_clients
from application.commands import SORT_VALUES, ClientListQuery
from application.queries import ClientListItem, Page
from contract.examples import UnitOfWorkFactory
from contract.test_client_list_cursors import RULE, ids, names  # noqa: F401  (ids: a fixture)


def listed(uow_factory: UnitOfWorkFactory, bound: int | None, **query: Any) -> Page[ClientListItem]:
    with uow_factory() as uow:
        return uow.clients.list(ClientListQuery(**query), RULE, count_searches_up_to=bound)


def pages_forward(
    uow_factory: UnitOfWorkFactory, bound: int, per_page: int, **query: Any
) -> tuple[list[list[str]], Page[ClientListItem]]:
    """Every page from the first, each read after the one before; and the last page."""
    page = listed(uow_factory, bound, per_page=per_page, **query)
    pages = [names(list(page.items))]
    while page.next is not None:
        assert len(pages) <= 20, "the pages go on and on"
        page = listed(uow_factory, bound, per_page=per_page, after=page.next, **query)
        pages.append(names(list(page.items)))
    return pages, page


def pages_backwards(
    uow_factory: UnitOfWorkFactory, bound: int, per_page: int, last: Page[ClientListItem], **query: Any
) -> list[list[str]]:
    """Every page from `last` back to the first, each read before the one after it."""
    page, pages = last, [names(list(last.items))]
    while page.previous is not None:
        assert len(pages) <= 20, "the pages go on and on"
        page = listed(uow_factory, bound, per_page=per_page, before=page.previous, **query)
        pages.insert(0, names(list(page.items)))
    return pages


@pytest.fixture(
    params=[
        "matches sorted",
        "index walked",
        "walk cut short",
        "scored list walked",
    ]
)
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """How a widely matching search is read on SQL databases: every match sorted (the search index
    finds few candidates), the sort's index walked, or walked through two clients at most and then
    every match sorted; or, once the scored clients' list is kept, in a prediction's order its index of
    the prediction walked (never cut short). The list in memory is read one way."""
    if request.param != "matches sorted":
        monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 0)
    if request.param.startswith("scored list"):
        uow_factory = request.getfixturevalue("uow_factory")
        request.getfixturevalue("ids")
        with uow_factory() as uow:
            uow.clients.keep_scored_list()
            uow.commit()
    if request.param == "walk cut short":
        monkeypatch.setattr(sqlalchemy_clients, "WALKED_AT_LEAST", 2)
        monkeypatch.setattr(sqlalchemy_clients, "WALKED_PER_CLIENT", 0)
        monkeypatch.setattr(sqlalchemy_clients, "WALKED_FURTHER", 1)
    return str(request.param)


@pytest.mark.parametrize(("q", "bound", "total", "exact"), [("a", 4, 4, False), ("a", 10, 10, True)])
def test_a_search_that_matches_more_clients_than_its_bound_counts_up_to_it(
    uow_factory: UnitOfWorkFactory,
    ids: dict[str, int],  # noqa: F811
    reading: str,
    q: str,
    bound: int,
    total: int,
    exact: bool,
) -> None:
    page = listed(uow_factory, bound, q=q, per_page=3)

    assert (page.total, page.total_exact) == (total, exact)
    assert len(page.items) == 3


def test_a_search_within_its_bound_or_without_one_counts_exactly(
    uow_factory: UnitOfWorkFactory,
    ids: dict[str, int],  # noqa: F811
    reading: str,
) -> None:
    assert (listed(uow_factory, 4, q="nowak").total, listed(uow_factory, 4, q="nowak").total_exact) == (
        4,
        True,
    )
    assert (listed(uow_factory, None, q="a").total, listed(uow_factory, None, q="a").total_exact) == (
        10,
        True,
    )
    assert listed(uow_factory, 2, sort="last_name").total == 10  # not a search: never bounded


@pytest.mark.parametrize("sort", SORT_VALUES)
@pytest.mark.parametrize("q", ["a", "ska"])
def test_pages_of_a_search_past_its_bound_hold_what_the_exact_list_holds(
    uow_factory: UnitOfWorkFactory,
    ids: dict[str, int],  # noqa: F811
    reading: str,
    sort: str,
    q: str,
) -> None:
    whole = names(list(listed(uow_factory, None, sort=sort, q=q, per_page=100).items))

    forward, last = pages_forward(uow_factory, 2, 2, sort=sort, q=q)
    numbered = [
        names(list(listed(uow_factory, 2, sort=sort, q=q, per_page=2, page=n).items))
        for n in range(1, len(forward) + 1)
    ]

    assert [name for page in forward for name in page] == whole
    assert pages_backwards(uow_factory, 2, 2, last, sort=sort, q=q) == forward
    assert numbered == forward  # numbered pages past the bound too
