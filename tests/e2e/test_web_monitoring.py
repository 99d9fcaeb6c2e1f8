"""The ML panel's Monitoring card: realized performance by version and month, in English and Polish."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.performance import month_of
from domain.predictions import ModelKind, PurchasePrediction, SalesForecast
from domain.users import User
from e2e.conftest import AuthActions
from entrypoints.container import container_of

MADE_AT = datetime(2026, 1, 1, tzinfo=UTC)


def monitoring(html: str) -> str:
    return html[html.index('id="monitoring"') : html.index('id="threshold"')]


def in_language(client: FlaskClient, auth: AuthActions, language: str) -> None:
    if language == "pl":
        client.post("/language/pl", data={"csrf_token": auth.csrf_token("/"), "next": "/"})


@pytest.mark.parametrize(
    ("language", "empty"),
    [
        ("en", "No prediction has its outcome yet: outcomes arrive a month after the snapshot."),
        (
            "pl",
            "Żadna prognoza nie ma jeszcze znanego wyniku: wyniki przychodzą miesiąc po dacie stanu "
            "aktywności.",
        ),
    ],
)
def test_before_any_outcome_each_model_says_why_it_has_nothing_to_show(
    client: FlaskClient, auth: AuthActions, admin: User, language: str, empty: str
) -> None:
    auth.login(admin.email)
    in_language(client, auth, language)

    card = monitoring(client.get("/ml").get_data(as_text=True))

    assert card.count(empty) == 2
    assert "<table" not in card


def score_labelled_snapshots(app: Flask, count: int = 40) -> None:
    """Store version 1's predictions for `count` labelled snapshots of the newest labelled month."""
    with container_of(app).uow() as uow:
        rows = [row.snapshot for row in uow.activity.training_rows()]
        month = max(month_of(snapshot.observed_on) for snapshot in rows)
        snapshots = [s for s in rows if month_of(s.observed_on) == month][:count]
        uow.predictions.add_many(
            [
                SalesForecast(s.client_id, 100.0 + i, 1, MADE_AT, observed_on=s.observed_on)
                for i, s in enumerate(snapshots)
            ],
            [
                PurchasePrediction(
                    s.client_id, i / count, i / count >= 0.7, 0.7, 1, MADE_AT, observed_on=s.observed_on
                )
                for i, s in enumerate(snapshots)
            ],
        )
        uow.commit()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            [
                "Monitoring",
                "R² realized",
                "R² claimed",
                "ROC AUC realized",
                "Lift, top tenth",
                "Snapshot month",
            ],
        ),
        (
            "pl",
            ["Monitorowanie", "R² rzeczywiste", "R² deklarowane", "ROC AUC rzeczywiste", "Lift, górny decyl"],
        ),
    ],
)
def test_each_model_shows_its_versions_month_by_month_beside_the_claimed_metric(
    demo_app: Flask,
    demo_client: FlaskClient,
    demo_auth: AuthActions,
    demo_admin: User,
    language: str,
    words: list[str],
) -> None:
    score_labelled_snapshots(demo_app)
    demo_auth.login(demo_admin.email)
    in_language(demo_client, demo_auth, language)

    card = monitoring(demo_client.get("/ml").get_data(as_text=True))

    sales = card[card.index('data-model="sales"') : card.index('data-model="purchase"')]
    purchase = card[card.index('data-model="purchase"') :]
    for table in (sales, purchase):
        assert table.count('<th scope="row">v1</th>') == 1
        assert '<td class="text-end">40</td>' in table
    assert all(word in card for word in words)
    assert "No prediction has its outcome yet" not in card


def chart_data(card: str, source: str) -> dict:  # type: ignore[type-arg]
    start = card.index(f'id="{source}">') + len(f'id="{source}">')
    return json.loads(card[start : card.index("</script>", start)])


def test_the_charts_draw_each_versions_realized_metric_beside_its_claim_and_the_lift_of_each_tenth(
    demo_app: Flask, demo_client: FlaskClient, demo_auth: AuthActions, demo_admin: User
) -> None:
    score_labelled_snapshots(demo_app)
    performance = container_of(demo_app).model_performance()(ModelKind.PURCHASE)
    demo_auth.login(demo_admin.email)

    card = monitoring(demo_client.get("/ml").get_data(as_text=True))

    assert 'data-chart="realized-trend" data-source="trend-data-sales"' in card
    trend = chart_data(card, "trend-data-purchase")
    newest = performance.months[-1]
    assert trend["versions"][0]["label"] == "v1"
    assert trend["versions"][0]["realized"][-1] == pytest.approx(newest.realized.key_metric)
    assert trend["versions"][0]["claimed"] == pytest.approx(newest.claimed_key_metric)
    lift = chart_data(card, "lift-data")
    assert lift["shares"] == [decile.buyer_share for decile in newest.realized.deciles]
    assert lift["baseRate"] == pytest.approx(newest.realized.base_rate) and len(lift["tenths"]) == 10
