"""The client list with predictions: current values, segments, sorting with the unpredicted last, filters."""

from __future__ import annotations

from typing import Any

import pytest

from application.commands import ClientListQuery
from application.queries import ClientListItem, Page
from contract.examples import UnitOfWorkFactory, a_client, a_forecast, a_purchase_prediction, id_of, later
from domain.segments import Segment, SegmentRule
from domain.tiers import expected_value

RULE = SegmentRule(medium_from=300, high_from=1000)

# first name: forecast (PLN) and purchase probability, None where not predicted
PREDICTED: dict[str, tuple[float, float] | None] = {
    "Anna": (1500.0, 0.91),
    "Beata": (300.0, 0.40),
    "Celina": None,
    "Dorota": (299.99, 0.75),
    "Ewa": (1000.0, 0.40),
    "Felicja": None,
    "Gabriela": (0.0, 0.05),
}


@pytest.fixture
def ids(uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    """Clients by first name, predicted as PREDICTED says (with an older, no longer current batch)."""
    with uow_factory() as uow:
        clients = uow.clients.add_many([a_client(name) for name in PREDICTED])
        ids = {client.first_name: id_of(client) for client in clients}
        predicted = [(ids[name], values) for name, values in PREDICTED.items() if values is not None]
        uow.predictions.add_many(
            [a_forecast(client_id, 5000.0) for client_id, _ in predicted],
            [a_purchase_prediction(client_id, 0.99) for client_id, _ in predicted],
        )
        uow.predictions.add_many(
            [a_forecast(client_id, value, made_at=later(1)) for client_id, (value, _) in predicted],
            [
                a_purchase_prediction(
                    client_id, chance, made_at=later(1), expected_value=expected_value(chance, value)
                )
                for client_id, (value, chance) in predicted
            ],
        )
        uow.commit()
    return ids


def listed(uow_factory: UnitOfWorkFactory, rule: SegmentRule = RULE, **query: Any) -> Page[ClientListItem]:
    with uow_factory() as uow:
        return uow.clients.list(ClientListQuery(**({"per_page": 100} | query)), rule)


def names(page: Page[ClientListItem]) -> list[str]:
    return [item.client.first_name for item in page.items]


def test_each_client_comes_with_its_current_predictions_and_segment(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    items = {item.client.first_name: item for item in listed(uow_factory).items}

    assert {
        name: (item.predicted_sales, item.purchase_probability, item.will_buy, item.segment)
        for name, item in items.items()
    } == {
        "Anna": (1500.0, 0.91, True, Segment.HIGH),
        "Beata": (300.0, 0.40, False, Segment.MEDIUM),
        "Celina": (None, None, None, None),
        "Dorota": (299.99, 0.75, True, Segment.LOW),
        "Ewa": (1000.0, 0.40, False, Segment.HIGH),
        "Felicja": (None, None, None, None),
        "Gabriela": (0.0, 0.05, False, Segment.LOW),
    }


def test_segments_follow_the_rule_the_list_is_given(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    page = listed(uow_factory, rule=SegmentRule(medium_from=100, high_from=2000))

    assert {item.client.first_name: item.segment for item in page.items if item.segment} == {
        "Anna": Segment.MEDIUM,
        "Beata": Segment.MEDIUM,
        "Dorota": Segment.MEDIUM,
        "Ewa": Segment.MEDIUM,
        "Gabriela": Segment.LOW,
    }


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("predicted_sales", ["Gabriela", "Dorota", "Beata", "Ewa", "Anna", "Celina", "Felicja"]),
        ("-predicted_sales", ["Anna", "Ewa", "Beata", "Dorota", "Gabriela", "Celina", "Felicja"]),
        # Beata and Ewa share a probability: the tie is broken by id in the sort's direction.
        ("purchase_probability", ["Gabriela", "Beata", "Ewa", "Dorota", "Anna", "Celina", "Felicja"]),
        ("-purchase_probability", ["Anna", "Dorota", "Ewa", "Beata", "Gabriela", "Celina", "Felicja"]),
        # Worth of a contact (probability x forecast): Anna 1,365, Ewa 400, Dorota 225, Beata 120, Gabriela 0.
        ("-expected_value", ["Anna", "Ewa", "Dorota", "Beata", "Gabriela", "Celina", "Felicja"]),
        ("expected_value", ["Gabriela", "Beata", "Dorota", "Ewa", "Anna", "Celina", "Felicja"]),
    ],
)
def test_sorts_by_current_predictions_both_ways_with_the_unpredicted_last_in_id_order(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], sort: str, expected: list[str]
) -> None:
    assert names(listed(uow_factory, sort=sort)) == expected


def test_pages_sorted_by_a_prediction_neither_overlap_nor_skip(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    pages = [listed(uow_factory, sort="-purchase_probability", page=n, per_page=3).items for n in (1, 2, 3)]

    assert [item.client.first_name for page in pages for item in page] == names(
        listed(uow_factory, sort="-purchase_probability")
    )


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        (Segment.HIGH, ["Anna", "Ewa"]),
        (Segment.MEDIUM, ["Beata"]),
        (Segment.LOW, ["Dorota", "Gabriela"]),
    ],
)
def test_filters_by_segment_of_the_current_forecast_leaving_out_the_unpredicted(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], segment: Segment, expected: list[str]
) -> None:
    page = listed(uow_factory, segment=segment, sort="first_name")

    assert names(page) == expected
    assert page.total == len(expected)
    assert {item.segment for item in page.items} == {segment}


def test_the_segment_filter_uses_the_rule_the_list_is_given(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    page = listed(uow_factory, rule=SegmentRule(medium_from=100, high_from=1200), segment=Segment.HIGH)

    assert names(page) == ["Anna"]


@pytest.mark.parametrize(
    ("will_buy", "expected"),
    [(True, ["Anna", "Dorota"]), (False, ["Beata", "Ewa", "Gabriela"])],
)
def test_filters_by_the_current_decision_leaving_out_the_unpredicted(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], will_buy: bool, expected: list[str]
) -> None:
    page = listed(uow_factory, will_buy=will_buy, sort="first_name")

    assert (names(page), page.total) == (expected, len(expected))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"segment": Segment.HIGH, "will_buy": False}, ["Ewa"], id="segment and decision"),
        pytest.param({"segment": Segment.LOW, "q": "dorota"}, ["Dorota"], id="segment and search"),
        pytest.param({"will_buy": False, "q": "EWA"}, ["Ewa"], id="decision and search"),
        pytest.param({"segment": Segment.LOW, "will_buy": True, "q": "doro"}, ["Dorota"], id="all three"),
        pytest.param({"segment": Segment.LOW, "will_buy": True, "q": "anna"}, [], id="all three, none match"),
        pytest.param({"segment": Segment.HIGH, "q": "celina"}, [], id="the unpredicted match no segment"),
    ],
)
def test_filters_combine_with_each_other_and_with_the_search(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], query: dict[str, Any], expected: list[str]
) -> None:
    page = listed(uow_factory, sort="first_name", **query)

    assert (names(page), page.total) == (expected, len(expected))


def test_the_total_of_a_filtered_list_counts_every_match_not_just_the_page(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    page = listed(uow_factory, will_buy=False, per_page=2, page=2)

    assert (len(page.items), page.total, page.pages) == (1, 3, 2)


def test_without_filters_the_unpredicted_are_listed_and_counted(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    page = listed(uow_factory)

    assert page.total == len(PREDICTED)


CHOSEN = ("Ewa", "Celina", "Anna", "Dorota")


def chosen(uow_factory: UnitOfWorkFactory, ids: dict[str, int], **query: Any) -> Page[ClientListItem]:
    """The list of the CHOSEN clients only (rows ticked for an export), and an id no client has."""
    with uow_factory() as uow:
        return uow.clients.list(
            ClientListQuery(**({"per_page": 100} | query)), RULE, ids=[*(ids[n] for n in CHOSEN), 10**9]
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            {"sort": "-purchase_probability"}, ["Anna", "Dorota", "Ewa", "Celina"], id="by prediction"
        ),
        pytest.param({"sort": "first_name"}, ["Anna", "Celina", "Dorota", "Ewa"], id="by name"),
        pytest.param({"sort": "-purchase_probability", "will_buy": True}, ["Anna", "Dorota"], id="decision"),
        pytest.param({"sort": "-predicted_sales", "segment": "high"}, ["Anna", "Ewa"], id="segment"),
        pytest.param({"sort": "first_name", "q": "in"}, ["Celina"], id="search"),
        pytest.param({"sort": "-expected_value", "will_buy": False, "segment": "high"}, ["Ewa"], id="both"),
    ],
)
def test_chosen_ids_list_only_those_clients_in_the_lists_order_and_filters(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], query: dict[str, Any], expected: list[str]
) -> None:
    page = chosen(uow_factory, ids, **query)

    assert names(page) == expected
    assert page.total == len(expected)


def test_chosen_ids_are_paged_like_the_list(uow_factory: UnitOfWorkFactory, ids: dict[str, int]) -> None:
    page = chosen(uow_factory, ids, sort="-purchase_probability", page=2, per_page=3)

    assert (names(page), page.total) == (["Celina"], 4)


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "-predicted_sales"},
        {"sort": "predicted_sales"},
        {"sort": "-purchase_probability", "will_buy": False},
        {"sort": "last_name", "segment": "high"},
        {"sort": "-registered_on", "q": "a"},
    ],
)
def test_a_stream_gives_what_the_pages_give_in_their_order_and_stops_at_its_limit(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], query: dict[str, Any]
) -> None:
    paged = []
    for page in range(1, 5):
        paged += listed(uow_factory, **query, page=page, per_page=2).items
    with uow_factory() as uow:
        streamed = list(uow.clients.stream(ClientListQuery(**query), RULE))
        first_three = list(uow.clients.stream(ClientListQuery(**query), RULE, limit=3))

    assert streamed == paged and first_three == paged[:3]


def test_sorted_by_worth_a_prediction_made_before_worth_was_recorded_comes_with_the_unpredicted(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    with uow_factory() as uow:
        [older] = uow.clients.add_many([a_client("Halina")])
        uow.predictions.add_many(
            [a_forecast(id_of(older), 9000.0)], [a_purchase_prediction(id_of(older), 0.99)]
        )
        uow.commit()

    for sort in ("-expected_value", "expected_value"):
        assert names(listed(uow_factory, sort=sort))[-3:] == ["Celina", "Felicja", "Halina"]
    [halina] = [item for item in listed(uow_factory).items if item.client.first_name == "Halina"]
    assert halina.contact_worth is None and halina.expected_value == expected_value(0.99, 9000.0)
