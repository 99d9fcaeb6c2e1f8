"""The client page's "What if…" card without JavaScript: the values tried, posted, and what they give."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from domain.users import User
from e2e.test_web_client_page import detail_of, first_client_id


@pytest.fixture
def client_id(demo_app: Flask) -> int:
    return first_client_id(demo_app)


@pytest.fixture
def signed_in(demo_client, demo_auth, demo_analyst: User):  # type: ignore[no-untyped-def]
    demo_auth.login(demo_analyst.email)
    return demo_client


def tried(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="what-if-(forecast|chance)">([^<]+)<', html))


def test_the_card_is_collapsed_and_prefilled_with_the_newest_snapshot(signed_in, demo_app, client_id: int):
    newest = detail_of(demo_app, client_id).activity[0]

    html = signed_in.get(f"/clients/{client_id}").get_data(as_text=True)

    assert 'class="collapse" id="what-if-box"' in html
    assert f'name="whatif-purchases_30d" type="text" value="{newest.purchases_30d}"' in html
    assert ' hidden id="what-if-numbers"' in html  # nothing tried yet


def test_trying_values_shows_the_predictions_they_give_and_stores_nothing(
    signed_in, demo_auth, demo_app, client_id: int
):
    before = detail_of(demo_app, client_id)
    demo_auth.post("/language/pl")
    values = {"whatif-purchases_30d": "9", "whatif-avg_basket_value": "1 250,5", "whatif-visits_7d": ""}

    response = demo_auth.post(f"/clients/{client_id}/what-if", values)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="collapse show" id="what-if-box"' in html and ' hidden id="what-if-numbers"' not in html
    assert set(tried(html)) == {"forecast", "chance"} and "zł" in tried(html)["forecast"]
    assert 'value="1 250,5"' in html  # the values tried stay in the form
    factors = html[html.index('id="what-if-factors"') :]
    assert "Średnia wartość koszyka" in factors and "Prognoza sprzedaży" in factors
    after = detail_of(demo_app, client_id)
    assert (after.activity, after.prediction_history) == (before.activity, before.prediction_history)


def test_a_refused_value_is_shown_next_to_its_field(signed_in, demo_auth, demo_app, client_id: int):
    response = demo_auth.post(f"/clients/{client_id}/what-if", {"whatif-site_visits_30d": "-3"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="whatif-site_visits_30d-errors"' in html and ' hidden id="what-if-numbers"' in html
