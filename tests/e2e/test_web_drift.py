"""The "consider retraining" notice on the dashboard and the ML page, and the ML page's drift tables."""

from __future__ import annotations

from flask import Flask

from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL, AuthActions, add_user
from e2e.drift_companies import (  # noqa: F401  (fixtures)
    drifting_app,
    drifting_template,
    plain_app,
    plain_template,
)


def signed_in(app: Flask, email: str, role: str) -> AuthActions:
    add_user(app, email, role)
    auth = AuthActions(app.test_client())
    auth.login(email)
    return auth


def notice_of(html: str, kind: str) -> str:
    start = html.index('class="alert alert-warning d-flex flex-column flex-md-row align-items-md-center')
    return html[start : html.index("</section>", html.index(f'data-model="{kind}"', start))]


def test_the_dashboard_tells_an_analyst_to_consider_retraining_and_why(drifting_app: Flask) -> None:  # noqa: F811
    auth = signed_in(drifting_app, ANALYST_EMAIL, "analyst")

    html = auth.client.get("/").get_data(as_text=True)

    notice = notice_of(html, "sales")
    assert "Consider retraining: Sales forecast, version 1" in notice
    assert "Average basket value has shifted: PSI" in notice and "on the hold-out month" in notice
    assert "below 0.1 stable, 0.1 to 0.2 a moderate shift, 0.2 or more a significant one" in notice
    assert "An administrator can retrain it in the ML panel." in notice
    assert "data-retrain" not in html


def test_an_admin_gets_the_button_that_retrains(drifting_app: Flask) -> None:  # noqa: F811
    auth = signed_in(drifting_app, ADMIN_EMAIL, "admin")

    html = auth.client.get("/").get_data(as_text=True)

    assert 'data-retrain="sales"' in html and 'action="/ml/train/sales"' in html
    assert "An administrator can retrain it" not in html


def test_the_ml_page_shows_the_notice_and_a_drift_table_per_model(drifting_app: Flask) -> None:  # noqa: F811
    auth = signed_in(drifting_app, ANALYST_EMAIL, "analyst")

    html = auth.client.get("/ml").get_data(as_text=True)

    assert 'class="alert alert-warning d-flex flex-column' in html and "Consider retraining" in html
    card = html[html.index('id="drift"') :]
    assert 'data-drift="sales"' in card and 'data-drift="purchase"' in card
    sales = card[card.index('data-drift="sales"') : card.index('data-drift="purchase"')]
    assert sales.count("<tr>") == 1 + 5  # the header and the five features of the basic sales model
    assert "Average basket value" in sales and "significant shift" in sales
    assert "Missing at training" in sales and "Outside the training range" in sales
    assert "Hold-out PSI" in sales
    assert "The hold-out PSI is how far the values had already moved" in card
    assert "PSI now is at least 0.2 above it and at least twice it" in card


def test_the_plain_company_is_not_told_to_consider_retraining(plain_app: Flask) -> None:  # noqa: F811
    auth = signed_in(plain_app, ADMIN_EMAIL, "admin")

    for page in ("/", "/ml"):
        html = auth.client.get(page).get_data(as_text=True)
        assert "retraining-notice" not in html and "has shifted" not in html, page
    assert 'data-drift="sales"' in html  # the drift tables are there all the same


def test_without_a_trained_model_there_is_no_notice_and_the_card_says_why(client, auth, admin) -> None:  # type: ignore[no-untyped-def]
    auth.login()

    assert "retraining-notice" not in client.get("/").get_data(as_text=True)
    html = client.get("/ml").get_data(as_text=True)
    assert "No model is active yet: drift is measured against what an active model learnt from." in html
