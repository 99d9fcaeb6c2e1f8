"""The client page's customer-lifetime card: shown once a customer-lifetime model is trained."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from domain.lifetime import LifetimeUnavailable
from domain.users import User
from e2e.conftest import train_lifetime_model
from entrypoints.container import container_of


@pytest.fixture
def signed_in(demo_client, demo_auth, demo_analyst: User):  # type: ignore[no-untyped-def]
    demo_auth.login(demo_analyst.email)
    return demo_client


def clients_by_lifetime(app: Flask) -> dict[LifetimeUnavailable | None, int]:
    """A client of each kind the lifetime model reads: None for one with an estimate."""
    container = container_of(app)
    with container.uow() as uow:
        rows = uow.activity.newest_rows(after_client_id=0, limit=1000)
    found: dict[LifetimeUnavailable | None, int] = {}
    for row in rows:
        client_id = row.snapshot.client_id
        found.setdefault(container.client_lifetime()(client_id).unavailable, client_id)
    return found


def test_without_a_lifetime_model_the_page_has_no_lifetime_card(signed_in, demo_app: Flask) -> None:
    client_id = next(iter(clients_by_lifetime(demo_app).values()))

    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    assert 'id="lifetime"' not in html


def test_the_card_shows_the_chance_of_being_a_customer_orders_next_order_and_12_month_value(
    signed_in, demo_app: Flask
) -> None:
    version = train_lifetime_model(demo_app)
    client_id = clients_by_lifetime(demo_app)[None]
    lifetime = container_of(demo_app).client_lifetime()(client_id)
    estimate = lifetime.estimate

    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    card = html.split('id="lifetime"')[1].split("</section>")[0]
    alive = estimate.probability_alive
    assert ("&gt; 99%" if alive > 0.99 else "&lt; 1%" if alive < 0.01 else f">{alive:.1%}<") in card
    assert f">{estimate.expected_orders_90d:.2f}<" in card
    assert f"PLN\xa0{estimate.value_12m:,.2f}" in card
    if lifetime.next_order_on is None:
        assert "Not within a year" in card
    else:
        assert lifetime.next_order_on - lifetime.observed_on == timedelta(days=estimate.days_to_next_order)
        assert "the first day by which one order is expected" in card
    assert f"version {version}" in card and "the ranges hold 8 in 10 of the futures" in card
    low, high = estimate.orders_90d_likely
    assert f'id="lifetime-orders-likely">8 in 10 chances: {low:.0f} to {high:.0f}<' in card


def test_a_client_the_model_cannot_read_is_told_why(signed_in, demo_app: Flask) -> None:
    train_lifetime_model(demo_app)
    never_bought = clients_by_lifetime(demo_app).get(LifetimeUnavailable.NEVER_BOUGHT)
    if never_bought is None:
        pytest.skip("every client of this demo company has bought")

    html = signed_in.get(f"/clients/{never_bought}").get_data(as_text=True)

    card = html.split('id="lifetime"')[1].split("</section>")[0]
    assert "the lifetime model starts at a first purchase" in card
    assert 'id="lifetime-alive"' not in card
