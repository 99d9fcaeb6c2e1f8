"""The client list's contact tiers: each client placed by the worth recorded with its current purchase
prediction and the cut points the list is given, and the tier filter."""

from __future__ import annotations

from typing import Any

import pytest

from application.commands import ClientListQuery
from application.exports import export_clients
from application.queries import ClientListItem, Page
from contract.examples import UnitOfWorkFactory, a_client, a_forecast, a_purchase_prediction, id_of, later
from domain.segments import SegmentRule
from domain.tiers import ContactTier, TierCuts, expected_value

# first name: forecast and purchase probability, None where not predicted. Worth of a contact:
# Anna 1,365, Ewa 400, Dorota 224.99, Beata 120, Gabriela 0.
PREDICTED: dict[str, tuple[float, float] | None] = {
    "Anna": (1500.0, 0.91),
    "Beata": (300.0, 0.40),
    "Celina": None,
    "Dorota": (299.99, 0.75),
    "Ewa": (1000.0, 0.40),
    "Gabriela": (0.0, 0.05),
}
CUTS = TierCuts(top_above=1000.0, next_above=300.0, third_above=100.0)
AT_THE_CUTS = TierCuts(
    top_above=expected_value(0.91, 1500.0),
    next_above=expected_value(0.40, 1000.0),
    third_above=expected_value(0.40, 300.0),
)
"""Anna, Ewa and Beata exactly at a cut point each."""


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


def listed(
    uow_factory: UnitOfWorkFactory, tiers: TierCuts | None = CUTS, **query: Any
) -> Page[ClientListItem]:
    with uow_factory() as uow:
        return uow.clients.list(
            ClientListQuery(**({"per_page": 100, "sort": "first_name"} | query)), SegmentRule(), tiers=tiers
        )


def tiers_of(page: Page[ClientListItem]) -> dict[str, ContactTier | None]:
    return {item.client.first_name: item.tier for item in page.items}


def test_each_client_is_placed_by_the_worth_of_its_current_predictions(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    assert tiers_of(listed(uow_factory)) == {
        "Anna": ContactTier.TOP,
        "Beata": ContactTier.THIRD,
        "Celina": None,
        "Dorota": ContactTier.THIRD,
        "Ewa": ContactTier.NEXT,
        "Gabriela": ContactTier.REST,
    }


def test_without_cut_points_no_client_has_a_tier_or_matches_one(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    assert set(tiers_of(listed(uow_factory, tiers=None)).values()) == {None}
    assert listed(uow_factory, tiers=None, tier=ContactTier.REST).total == 0


@pytest.mark.parametrize(
    ("tiers", "tier", "expected"),
    [
        (CUTS, ContactTier.TOP, ["Anna"]),
        (CUTS, ContactTier.NEXT, ["Ewa"]),
        (CUTS, ContactTier.THIRD, ["Beata", "Dorota"]),
        (CUTS, ContactTier.REST, ["Gabriela"]),
        pytest.param(AT_THE_CUTS, ContactTier.TOP, [], id="at the cuts-top"),
        pytest.param(AT_THE_CUTS, ContactTier.NEXT, ["Anna"], id="at the cuts-next"),
        pytest.param(AT_THE_CUTS, ContactTier.THIRD, ["Dorota", "Ewa"], id="at the cuts-third"),
        pytest.param(AT_THE_CUTS, ContactTier.REST, ["Beata", "Gabriela"], id="at the cuts-rest"),
    ],
)
def test_filters_by_tier_as_the_domain_places_each_client_leaving_out_the_unpredicted(
    uow_factory: UnitOfWorkFactory,
    ids: dict[str, int],
    tiers: TierCuts,
    tier: ContactTier,
    expected: list[str],
) -> None:
    page = listed(uow_factory, tiers=tiers, tier=tier)

    assert ([item.client.first_name for item in page.items], page.total) == (expected, len(expected))
    assert {item.tier for item in page.items} <= {tier}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"will_buy": True}, ["Dorota"], id="decision"),
        pytest.param({"q": "beata"}, ["Beata"], id="search"),
        pytest.param({"sort": "-expected_value", "per_page": 1, "page": 2}, ["Beata"], id="sorted, paged"),
    ],
)
def test_the_tier_filter_combines_with_the_others(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int], query: dict[str, Any], expected: list[str]
) -> None:
    page = listed(uow_factory, tier=ContactTier.THIRD, **query)

    assert [item.client.first_name for item in page.items] == expected


def test_an_export_filtered_by_tier_has_that_tier_s_clients(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    with uow_factory() as uow:
        uow.settings.set_tier_cuts(CUTS, "batch scoring", later(2))
        uow.commit()

    exported = export_clients(ClientListQuery(tier=ContactTier.THIRD, sort="first_name"), uow_factory())

    assert [(item.client.first_name, item.tier) for item in exported] == [
        ("Beata", ContactTier.THIRD),
        ("Dorota", ContactTier.THIRD),
    ]


def test_the_worth_of_a_contact_is_read_back_with_the_purchase_prediction(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    with uow_factory() as uow:
        _, purchase = uow.predictions.current(ids["Dorota"])

    assert purchase is not None and purchase.expected_value == expected_value(0.75, 299.99)


def test_a_client_whose_worth_was_not_recorded_has_no_tier(
    uow_factory: UnitOfWorkFactory, ids: dict[str, int]
) -> None:
    with uow_factory() as uow:
        uow.predictions.add_many(
            [a_forecast(ids["Anna"], 1500.0, made_at=later(2))],
            [a_purchase_prediction(ids["Anna"], 0.91, made_at=later(2))],
        )
        uow.commit()

    assert tiers_of(listed(uow_factory))["Anna"] is None
    assert "Anna" not in [item.client.first_name for item in listed(uow_factory, tier=ContactTier.TOP).items]
