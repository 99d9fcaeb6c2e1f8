"""The ML panel's Calibration card: the active purchase model's reliability chart on its test month and
on realized outcomes, with the Brier scores, read-only for analysts as the rest of the panel."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.predictions import ModelKind
from domain.users import User
from e2e.conftest import AuthActions
from e2e.test_web_monitoring import in_language, score_labelled_snapshots
from entrypoints.container import container_of


def card_of(html: str) -> str:
    return html[html.index('id="calibration"') : html.index('id="threshold"')]


def chart_data(card: str) -> dict:
    found = re.search(r'<script type="application/json" id="calibration-data">(.*?)</script>', card, re.S)
    assert found, "the chart's data is on the page"
    return json.loads(found.group(1))


def test_an_analyst_sees_the_hold_out_curve_beside_the_diagonal_with_its_brier_score(
    demo_app: Flask, demo_client: FlaskClient, demo_auth: AuthActions, demo_analyst: User
) -> None:
    demo_auth.login(demo_analyst.email)

    card = card_of(demo_client.get("/ml").get_data(as_text=True))

    calibration = container_of(demo_app).purchase_calibration()()
    assert calibration.hold_out is not None and calibration.hold_out.brier is not None
    data = chart_data(card)
    assert len(data["holdOut"]) == sum(1 for b in calibration.hold_out.bins if b.clients)
    assert sum(point["clients"] for point in data["holdOut"]) == calibration.hold_out.clients
    assert data["realized"] == [] and data["labels"]["diagonal"] == "Perfectly calibrated"
    assert 'data-chart="reliability"' in card and "<script>" not in card
    assert f"{calibration.hold_out.brier:.3f}" in card
    assert "No prediction of this version has its outcome yet" in card
    assert "the share of them who really bought" in card
    assert "<form" not in card and "<button" not in card


def test_the_realized_curve_and_brier_score_appear_once_outcomes_are_known(
    demo_app: Flask, demo_client: FlaskClient, demo_auth: AuthActions, demo_admin: User
) -> None:
    score_labelled_snapshots(demo_app)
    with container_of(demo_app).uow() as uow:
        active = uow.model_runs.active(ModelKind.PURCHASE)
    assert active is not None and active.version == 1  # the predictions stored are version 1's
    demo_auth.login(demo_admin.email)

    card = card_of(demo_client.get("/ml").get_data(as_text=True))

    realized = container_of(demo_app).purchase_calibration()().realized_of_active
    assert realized is not None and realized.clients == 40
    assert sum(point["clients"] for point in chart_data(card)["realized"]) == 40
    assert f"{realized.brier:.3f}" in card
    assert "No prediction of this version has its outcome yet" not in card


def test_before_a_purchase_model_is_trained_the_card_says_so(
    client: FlaskClient, auth: AuthActions, admin: User
) -> None:
    auth.login(admin.email)

    card = card_of(client.get("/ml").get_data(as_text=True))

    assert "The purchase model is not trained yet" in card
    assert "<canvas" not in card


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            [
                "Calibration of the purchase model",
                "Perfectly calibrated",
                "Brier score, test month at training",
            ],
        ),
        (
            "pl",
            ["Kalibracja modelu zakupu", "Idealna kalibracja", "Wynik Briera, miesiąc testowy przy treningu"],
        ),
    ],
)
def test_the_card_speaks_the_readers_language(
    demo_client: FlaskClient, demo_auth: AuthActions, demo_analyst: User, language: str, words: list[str]
) -> None:
    demo_auth.login(demo_analyst.email)
    in_language(demo_client, demo_auth, language)

    card = card_of(demo_client.get("/ml").get_data(as_text=True))

    assert all(word in card for word in words)
