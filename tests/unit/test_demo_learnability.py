"""The demo company is learnable by the models Prognoza trains, but not suspiciously so."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from application.demo import generate_company, observation_dates
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.features import PURCHASE_FEATURES, SALES_FEATURES


@pytest.fixture(scope="module")
def labelled() -> list[tuple[Client, ActivitySnapshot]]:
    dates = observation_dates(date(2025, 11, 26), 6)
    return [
        (synthetic.client, snapshot)
        for number, synthetic in enumerate(generate_company(5000, dates, seed=7), 1)
        for snapshot in synthetic.activity_of(number)
        if snapshot.sales_next_month is not None
    ]


def test_a_linear_regression_explains_most_of_next_months_sales(
    labelled: list[tuple[Client, ActivitySnapshot]],
) -> None:
    features = np.array([SALES_FEATURES.row(s, c.registered_on) for c, s in labelled])
    sales = np.array([s.sales_next_month for _, s in labelled])
    train_x, test_x, train_y, test_y = train_test_split(features, sales, test_size=0.2, random_state=42)

    model = make_pipeline(StandardScaler(), LinearRegression()).fit(train_x, train_y)

    assert 0.65 <= r2_score(test_y, model.predict(test_x)) <= 0.9


def test_a_logistic_regression_ranks_buyers_above_non_buyers(
    labelled: list[tuple[Client, ActivitySnapshot]],
) -> None:
    features = np.array([PURCHASE_FEATURES.row(s, c.registered_on) for c, s in labelled])
    bought = np.array([s.purchased_next_14d for _, s in labelled], dtype=int)
    train_x, test_x, train_y, test_y = train_test_split(
        features, bought, test_size=0.2, random_state=42, stratify=bought
    )

    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(train_x, train_y)

    assert 0.25 <= bought.mean() <= 0.45
    assert 0.78 <= roc_auc_score(test_y, model.predict_proba(test_x)[:, 1]) <= 0.92
