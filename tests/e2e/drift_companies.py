"""Demo companies for the drift tests, each seeded on a fixed day and both models trained on it: the plain
one, and one whose newest month drifts (`demo seed --drift`), small where the drift shows at any size."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dependency_injector import providers
from flask import Flask

from adapters.clock import FixedClock
from adapters.sqlalchemy import upgrade_database
from domain.predictions import ModelKind
from e2e.conftest import app_on_instance, train_and_activate
from entrypoints.container import container_of

CLIENTS = 300
LARGE_CLIENTS = 2_000
"""The plain company is this large: with a few hundred clients, the youngest tenth of the training tenures
can all age out of its bin by the newest month (the demo registers nobody after its logs start), and that
emptied bin alone takes tenure_months past the retraining rule. The drift in visits, too, reaches the
purchase model's rule only in a drifting company this large."""
MONTHS = 6
SEEDED_ON = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
"""A fixed day: the demo's calendar (its fortnightly newsletter) is the same on every run of the tests."""
SHIFTED_BEHAVIOUR = {"avg_basket_value", "site_visits_30d", "spend_30d"}
"""Sales features the drifting company's newest month moves (more visits, larger baskets)."""


def build_company(instance: Path, *, drift: bool, clients: int = CLIENTS) -> None:
    """Seed the company into `instance` and train both models there (the default candidate, made active
    as the demo does), as `demo ready` would on the day `SEEDED_ON`."""
    instance.mkdir(parents=True, exist_ok=True)
    upgrade_database(f"sqlite:///{instance}/prognoza.sqlite3")
    app = app_on_instance(instance)
    container = container_of(app)
    container.job_runner.override(container.inline_job_runner)
    container.clock.override(providers.Object(FixedClock(SEEDED_ON)))
    try:
        container.seed_demo_company()(clients=clients, months=MONTHS, seed=7, drift=drift)
        for kind in ModelKind:
            train_and_activate(container, kind, "seed@prognoza.example")
    finally:
        container.engine().dispose()


@pytest.fixture(scope="session")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    instance = tmp_path_factory.mktemp("plain-company") / "instance"
    build_company(instance, drift=False, clients=LARGE_CLIENTS)
    return instance


@pytest.fixture(scope="session")
def drifting_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    instance = tmp_path_factory.mktemp("drifting-company") / "instance"
    build_company(instance, drift=True)
    return instance


@pytest.fixture(scope="session")
def large_drifting_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    instance = tmp_path_factory.mktemp("large-drifting-company") / "instance"
    build_company(instance, drift=True, clients=LARGE_CLIENTS)
    return instance


def copy_of(template: Path, tmp_path: Path) -> Iterator[Flask]:
    instance = tmp_path / template.parent.name
    shutil.copytree(template, instance)
    app = app_on_instance(instance)
    yield app
    container_of(app).engine().dispose()


@pytest.fixture
def plain_app(plain_template: Path, tmp_path: Path) -> Iterator[Flask]:
    yield from copy_of(plain_template, tmp_path)


@pytest.fixture
def drifting_app(drifting_template: Path, tmp_path: Path) -> Iterator[Flask]:
    yield from copy_of(drifting_template, tmp_path)
