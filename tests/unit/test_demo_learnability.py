"""The snapshots derived from the demo shop are learnable by the models Prognoza trains."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from adapters.clock import FixedClock
from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from adapters.sklearn_models import sales_pipeline
from application.demo import seed_demo_company
from domain.activity import ActivitySnapshot
from domain.features import EXTENDED_SALES_FEATURES, PURCHASE_FEATURES, SALES_FEATURES


@pytest.fixture(scope="module")
def labelled() -> list[tuple[ActivitySnapshot, date]]:
    store = InMemoryStore()
    clock = FixedClock(datetime(2025, 11, 26, tzinfo=UTC))
    seed_demo_company(InMemoryUnitOfWork(store), clock, clients=2000, months=6, seed=7)
    return [
        (s, store.clients[s.client_id].registered_on)
        for s in store.activity.values()
        if s.sales_next_month is not None and s.purchased_next_14d is not None
    ]


def test_a_linear_regression_explains_part_of_next_months_sales(
    labelled: list[tuple[ActivitySnapshot, date]],
) -> None:
    features = np.array([SALES_FEATURES.row(s, registered) for s, registered in labelled])
    sales = np.array([s.sales_next_month for s, _ in labelled])
    train_x, test_x, train_y, test_y = train_test_split(features, sales, test_size=0.2, random_state=42)

    model = make_pipeline(StandardScaler(), LinearRegression()).fit(train_x, train_y)

    assert 0.15 <= r2_score(test_y, model.predict(test_x)) <= 0.8


def test_a_logistic_regression_ranks_buyers_above_non_buyers(
    labelled: list[tuple[ActivitySnapshot, date]],
) -> None:
    features = np.array([PURCHASE_FEATURES.row(s, registered) for s, registered in labelled])
    bought = np.array([s.purchased_next_14d for s, _ in labelled], dtype=int)
    train_x, test_x, train_y, test_y = train_test_split(
        features, bought, test_size=0.2, random_state=42, stratify=bought
    )

    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(train_x, train_y)

    assert 0.15 <= bought.mean() <= 0.5
    assert 0.6 <= roc_auc_score(test_y, model.predict_proba(test_x)[:, 1]) <= 0.9


def test_clients_who_never_bought_are_forecast_about_what_such_clients_then_spend(
    labelled: list[tuple[ActivitySnapshot, date]],
) -> None:
    """Out of time: each of the three newest labelled months forecast by a model fitted on the months
    before it; what one month's first orders bring varies, so the months are pooled."""
    forecasts, spent = [], []
    for month in sorted({s.observed_on for s, _ in labelled})[-3:]:
        past = [pair for pair in labelled if pair[0].observed_on < month]
        never_bought = [
            pair for pair in labelled if pair[0].observed_on == month and not pair[0].has_purchase_history
        ]
        model = sales_pipeline().fit(
            EXTENDED_SALES_FEATURES.rows(past), [s.sales_next_month for s, _ in past]
        )
        forecasts.extend(model.predict(EXTENDED_SALES_FEATURES.rows(never_bought)))
        spent.extend(s.sales_next_month for s, _ in never_bought)

    assert len(spent) >= 500
    assert np.mean(spent) > 0  # first orders: such clients do buy
    assert min(forecasts) > 0
    assert np.mean(forecasts) == pytest.approx(np.mean(spent), rel=0.35)
