"""`prognoza retrain`: with --if-needed, it retrains only a model whose drift advises it."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory, upgrade_database
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.predictions import ModelKind
from e2e.drift_companies import drifting_template  # noqa: F401  (a fixture)
from integration.test_cli import environment, prognoza  # noqa: F401
from integration.test_cli_models import active_versions

MONTH_ENDS = [date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31),
              date(2026, 11, 30)]  # fmt: skip


def a_month_like_any_other(
    rng: random.Random, client_id: int, observed_on: date, labelled: bool
) -> ActivitySnapshot:
    """Every month drawn from the same distributions: nothing drifts but the clients' tenure."""
    visits = rng.randint(0, 12)
    recent = rng.randint(0, min(visits, 4))
    purchases = rng.choice((0, 0, 0, 1, 1, 2, 3))
    basket = round(rng.lognormvariate(5, 0.4), 2) if purchases else 0.0
    return ActivitySnapshot(
        client_id=client_id,
        observed_on=observed_on,
        purchases_30d=purchases,
        avg_basket_value=basket,
        site_visits_30d=visits,
        days_since_last_purchase=rng.randint(1, 29)
        if purchases
        else rng.choice((None, rng.randint(30, 300))),
        visits_7d=recent,
        newsletter_opened=rng.random() < 0.3,
        ad_clicks_7d=rng.randint(0, recent),
        time_on_site_7d=round(rng.uniform(0, 6) * recent, 1),
        sales_next_month=round(max(0.0, purchases * basket * 0.8 + rng.gauss(0, 40)), 2)
        if labelled
        else None,
        purchased_next_14d=rng.random() < 0.15 + 0.15 * recent if labelled else None,
    )


@pytest.fixture
def steady_company(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """300 clients of many years' standing, six month ends of activity drawn alike, both models trained."""
    url = f"sqlite:///{tmp_path / 'steady.sqlite3'}"
    upgrade_database(url)
    rng = random.Random(11)
    engine = make_engine(url)
    with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
        clients = uow.clients.add_many(
            [
                Client(
                    f"Client{n}",
                    "Steady",
                    f"client{n}@example.com",
                    date(2026, 5, 1) - timedelta(days=rng.randint(0, 20 * 365)),
                )
                for n in range(300)
            ]
        )
        uow.activity.add_many(
            a_month_like_any_other(rng, client.id or 0, day, labelled=day != MONTH_ENDS[-1])
            for client in clients
            for day in MONTH_ENDS
        )
        uow.commit()
    engine.dispose()
    monkeypatch.setenv("PROGNOZA_DATABASE_URL", url)
    for kind in ModelKind:
        succeeded(prognoza("train", kind.value, "--activate-anyway"))
    return url


@pytest.fixture
def drifting_company(monkeypatch: pytest.MonkeyPatch, drifting_template: Path, tmp_path: Path) -> str:  # noqa: F811
    instance = tmp_path / "drifting"
    shutil.copytree(drifting_template, instance)
    url = f"sqlite:///{instance}/prognoza.sqlite3"
    monkeypatch.setenv("PROGNOZA_DATABASE_URL", url)
    monkeypatch.setenv("PROGNOZA_INSTANCE_DIR", str(instance))
    return url


def succeeded(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_if_needed_leaves_models_alone_when_nothing_drifted(steady_company: str) -> None:
    result = succeeded(prognoza("retrain", "--if-needed"))

    assert "The sales model v1 needs no retraining (largest PSI" in result.output
    assert "The purchase model v1 needs no retraining" in result.output
    assert "Comparing" not in result.output
    assert active_versions(steady_company) == {ModelKind.SALES: 1, ModelKind.PURCHASE: 1}


def test_if_needed_retrains_a_drifting_model_saying_why(drifting_company: str) -> None:
    result = succeeded(prognoza("retrain", "purchase", "--if-needed"))

    assert "Retraining the purchase model v1:" in result.output
    assert "has shifted: PSI" in result.output
    assert "Comparing 4 candidates of the purchase model, versions 2-5..." in result.output
    assert active_versions(drifting_company)[ModelKind.PURCHASE] in range(2, 6)


def test_a_retraining_that_beats_no_baseline_keeps_the_active_version_and_fails(
    drifting_company: str,
) -> None:
    result = prognoza("retrain", "sales", "--if-needed")

    assert "Retraining the sales model v1:" in result.output
    assert (
        "avg_basket_value has shifted: PSI" in result.output
        and "site_visits_30d has shifted" in result.output
    )
    assert "Comparing 5 candidates of the sales model, versions 2-6..." in result.output
    assert result.exit_code == 1
    assert "retraining did not give an active model better than its baselines: sales." in result.output
    assert active_versions(drifting_company)[ModelKind.SALES] == 1


def test_without_if_needed_it_retrains_whatever_the_drift(steady_company: str) -> None:
    result = prognoza("retrain", "purchase")

    assert "needs no retraining" not in result.output
    assert "Comparing" in result.output and "candidates of the purchase model, versions 2-" in result.output


def test_an_untrained_model_is_left_to_train(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade_database(url)
    monkeypatch.setenv("PROGNOZA_DATABASE_URL", url)

    result = succeeded(prognoza("retrain", "--if-needed"))

    assert "The sales model is not trained: nothing to retrain" in result.output
