"""`prognoza retrain`: with --if-needed, it retrains only a model whose drift advises it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import Result

from adapters.sqlalchemy import upgrade_database
from domain.predictions import ModelKind
from e2e.drift_companies import (  # noqa: F401  (fixtures)
    drifting_template,
    large_drifting_template,
    plain_template,
)
from integration.test_cli import environment, prognoza  # noqa: F401
from integration.test_cli_models import active_versions


def company(monkeypatch: pytest.MonkeyPatch, template: Path, tmp_path: Path) -> str:
    """A copy of a demo company's instance, the commands pointed at it; its database URL."""
    instance = tmp_path / template.parent.name
    shutil.copytree(template, instance)
    url = f"sqlite:///{instance}/prognoza.sqlite3"
    monkeypatch.setenv("PROGNOZA_DATABASE_URL", url)
    monkeypatch.setenv("PROGNOZA_INSTANCE_DIR", str(instance))
    return url


@pytest.fixture
def plain_company(monkeypatch: pytest.MonkeyPatch, plain_template: Path, tmp_path: Path) -> str:  # noqa: F811
    return company(monkeypatch, plain_template, tmp_path)


@pytest.fixture
def drifting_company(monkeypatch: pytest.MonkeyPatch, drifting_template: Path, tmp_path: Path) -> str:  # noqa: F811
    return company(monkeypatch, drifting_template, tmp_path)


@pytest.fixture
def large_drifting_company(
    monkeypatch: pytest.MonkeyPatch,
    large_drifting_template: Path,  # noqa: F811
    tmp_path: Path,
) -> str:
    return company(monkeypatch, large_drifting_template, tmp_path)


def succeeded(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_if_needed_leaves_the_plain_demo_company_alone(plain_company: str) -> None:
    result = succeeded(prognoza("retrain", "--if-needed"))

    # its features that grow with the calendar drift, but no further than the model was tested on
    assert "The sales model v1 needs no retraining (largest PSI" in result.output
    assert "on the hold-out): no feature's PSI is 0.2 above its hold-out PSI and 2 times it" in result.output
    assert "The purchase model v1 needs no retraining" in result.output
    assert "Comparing" not in result.output
    assert active_versions(plain_company) == {ModelKind.SALES: 1, ModelKind.PURCHASE: 1}


def test_if_needed_retrains_a_drifting_model_saying_why(large_drifting_company: str) -> None:
    result = succeeded(prognoza("retrain", "purchase", "--if-needed"))

    assert "Retraining the purchase model v1:" in result.output
    assert "visits_7d has shifted: PSI" in result.output and "on the hold-out month" in result.output
    assert "Comparing 4 candidates of the purchase model, versions 2-5..." in result.output
    assert active_versions(large_drifting_company)[ModelKind.PURCHASE] in range(2, 6)


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


def test_without_if_needed_it_retrains_whatever_the_drift(plain_company: str) -> None:
    result = prognoza("retrain", "purchase")

    assert "needs no retraining" not in result.output
    assert "Comparing" in result.output and "candidates of the purchase model, versions 2-" in result.output


def test_an_untrained_model_is_left_to_train(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade_database(url)
    monkeypatch.setenv("PROGNOZA_DATABASE_URL", url)

    result = succeeded(prognoza("retrain", "--if-needed"))

    assert "The sales model is not trained: nothing to retrain" in result.output
