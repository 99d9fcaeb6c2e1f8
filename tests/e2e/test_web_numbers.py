"""Numbers in the panel's forms, typed as the panel's language writes them; unusual values confirmed first."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from domain.users import User
from e2e.test_web_client_page import SNAPSHOT, detail_of, first_client_id, new_client


@pytest.fixture
def signed_in(demo_client, demo_auth, demo_analyst: User):  # type: ignore[no-untyped-def]
    demo_auth.login(demo_analyst.email)
    return demo_client


def field_errors(html: str, name: str) -> str:
    start = html.index(f'id="snapshot-{name}-errors"')
    return html[start : html.index("</div>", start)]


@pytest.mark.parametrize(("typed", "stored"), [("149,90", 149.90), ("1 234,50", 1234.50), ("149.90", 149.90)])
def test_polish_stores_the_basket_as_polish_writes_it(signed_in, demo_auth, demo_app: Flask, typed, stored):
    client_id = new_client(demo_app)
    demo_auth.post("/language/pl")

    response = demo_auth.post(
        f"/clients/{client_id}/activity",
        {**SNAPSHOT, "snapshot-avg_basket_value": typed, "snapshot-time_on_site_7d": "18,5"},
    )

    assert response.status_code == 302
    [snapshot] = detail_of(demo_app, client_id).activity
    assert snapshot.avg_basket_value == stored and snapshot.time_on_site_7d == 18.5


def test_english_refuses_a_decimal_comma_naming_the_field_and_stores_nothing(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)

    response = demo_auth.post(
        f"/clients/{client_id}/activity",
        {**SNAPSHOT, "snapshot-avg_basket_value": "149,90", "snapshot-purchases_30d": ""},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“Average basket value”: use a dot for decimals, as in 149.90." in field_errors(
        html, "avg_basket_value"
    )
    assert "This value is required." in field_errors(html, "purchases_30d")
    assert 'value="149,90"' in html
    assert detail_of(demo_app, client_id).activity == []


def test_the_number_inputs_take_text_with_a_decimal_keyboard(signed_in, demo_app):
    html = signed_in.get(f"/clients/{new_client(demo_app)}").get_data(as_text=True)

    basket = re.search(r'<input[^>]*id="snapshot-avg_basket_value"[^>]*>', html)[0]  # type: ignore[index]
    assert 'type="text"' in basket and 'inputmode="decimal"' in basket
    assert 'type="number"' not in html


def test_an_unusual_basket_is_stored_only_once_confirmed(signed_in, demo_auth, demo_app):
    client_id = new_client(demo_app)
    demo_auth.post("/language/pl")
    unusual = {**SNAPSHOT, "snapshot-avg_basket_value": "149 900,00"}

    warned = demo_auth.post(f"/clients/{client_id}/activity", unusual)

    html = warned.get_data(as_text=True)
    assert warned.status_code == 422
    assert "„Średnia wartość koszyka” znacznie przekracza zwykłe wartości" in field_errors(
        html, "avg_basket_value"
    )
    assert 'id="unusual-values"' in html and 'name="snapshot-confirm_unusual"' in html
    assert detail_of(demo_app, client_id).activity == []

    confirmed = demo_auth.post(f"/clients/{client_id}/activity", {**unusual, "snapshot-confirm_unusual": "y"})

    assert confirmed.status_code == 302
    [snapshot] = detail_of(demo_app, client_id).activity
    assert snapshot.avg_basket_value == 149900.0


def test_a_usual_snapshot_asks_for_no_confirmation(signed_in, demo_auth, demo_app):
    html = signed_in.get(f"/clients/{new_client(demo_app)}").get_data(as_text=True)

    assert 'id="unusual-values"' not in html and "confirm_unusual" not in html


def test_the_threshold_is_shown_and_typed_with_a_decimal_comma_in_polish(demo_client, demo_auth, demo_admin):
    demo_auth.login(demo_admin.email)
    demo_auth.post("/language/pl")

    page = demo_client.get("/ml").get_data(as_text=True)
    saved = demo_auth.post("/ml/threshold", {"threshold-threshold": "0,65"})

    assert 'value="0,70"' in page and "0,70 oznacza 70%" in page
    assert saved.status_code == 302
    assert 'value="0,65"' in demo_client.get("/ml").get_data(as_text=True)


def test_unusual_sales_filled_in_later_are_stored_only_once_confirmed(signed_in, demo_auth, demo_app):
    client_id = first_client_id(demo_app)
    key = detail_of(demo_app, client_id).activity[0].observed_on.isoformat()
    unusual = {f"outcomes-{key}-sales_next_month": "9,000,000.00"}

    warned = demo_auth.post(f"/clients/{client_id}/activity/{key}/outcomes", unusual)

    html = warned.get_data(as_text=True)
    assert warned.status_code == 422
    assert "“Sales in the following month” is far beyond the usual" in html
    assert f'id="unusual-outcomes-{key}"' in html
    assert detail_of(demo_app, client_id).activity[0].sales_next_month is None

    confirm = {**unusual, f"outcomes-{key}-confirm_unusual": "y"}
    confirmed = demo_auth.post(f"/clients/{client_id}/activity/{key}/outcomes", confirm)

    assert confirmed.status_code == 302
    assert detail_of(demo_app, client_id).activity[0].sales_next_month == 9_000_000.0
