"""schemathesis against the generated OpenAPI document: every operation, as an admin with a real
token, on a small trained and scored company. No answer may be a server error; every status, media
type and body must be the document's; a request that fits the schema is accepted and one that does
not is refused (except for the data-dependent rules that schemathesis.toml lists).

Each operation is a test of its own (they spread over xdist workers), on a fresh copy of the company.
Generated ids are mostly steered to objects that exist (one in five is left as generated, to reach
the 404s), and every case gets a fresh token, since one operation revokes the token it is called
with. The number of cases run is printed at the end of the test session (see tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from dependency_injector import providers
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from adapters.hashing import WerkzeugPasswordHasher
from adapters.sqlalchemy import upgrade_database
from application.commands import ClientListQuery
from domain.predictions import ModelKind
from e2e.api.conftest import V1, issue_token
from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL, add_user, train_and_activate
from entrypoints.app import create_app
from entrypoints.container import container_of
from entrypoints.settings import Settings

# Bounded, and the same cases on every run so that a failure in CI can be replayed; a longer hunt:
#   PROGNOZA_SCHEMATHESIS_EXAMPLES=200 PROGNOZA_SCHEMATHESIS_SEED=7 \
#   .venv/bin/pytest -n 2 tests/e2e/api/test_api_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("PROGNOZA_SCHEMATHESIS_EXAMPLES", "25"))
SEED = int(os.environ.get("PROGNOZA_SCHEMATHESIS_SEED", "4"))
# The rules JSON Schema cannot state (data-dependent ones) are listed in the file, per operation.
CONFIG = schemathesis.Config.from_path(Path(__file__).parents[3] / "schemathesis.toml")
CONFIG.update(seed=SEED, max_failures=None)
CONFIG.projects.default.generation.update(max_examples=MAX_EXAMPLES)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
]
"""Refusing what breaks the schema (`negative_data_rejection`) is checked by the run against a live
server (README, "Testing"): here every case's Authorization header is replaced by a fresh token, which
turns schemathesis' deliberately broken headers into valid ones."""


def app_on(instance: Path) -> Flask:
    url = f"sqlite:///{instance}/prognoza.sqlite3"
    # Every case signs in for a fresh token: far more often than the sign-in limits let one account.
    settings = Settings(
        env="testing",
        database_url=url,
        instance_dir=instance,
        secret_key="test",
        sign_in_limit_per_account="100000/minute",
        sign_in_limit_per_address="100000/minute",
    )
    app = create_app(settings)
    container = container_of(app)
    container.password_hasher.override(
        providers.Singleton(WerkzeugPasswordHasher, method="pbkdf2:sha256:1000")
    )
    container.job_runner.override(container.inline_job_runner)
    return app


def document_app() -> Flask:
    """An app that only serves the document, to collect the operations: it never opens its database."""
    return app_on(Path(tempfile.gettempdir()) / "prognoza-openapi-document")


schema = schemathesis.openapi.from_wsgi(f"{V1}/openapi.json", document_app(), config=CONFIG)


@pytest.fixture(scope="session")
def company_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Once per worker: two users and 60 clients with three months of activity, both models trained,
    everyone scored."""
    instance = tmp_path_factory.mktemp("schemathesis") / "instance"
    instance.mkdir()
    upgrade_database(f"sqlite:///{instance}/prognoza.sqlite3")
    app = app_on(instance)
    container = container_of(app)
    add_user(app, ADMIN_EMAIL, "admin")
    add_user(app, ANALYST_EMAIL, "analyst")
    container.seed_demo_company()(clients=60, months=3, seed=7)
    for kind in ModelKind:
        train_and_activate(container, kind, ADMIN_EMAIL)
    container.predict_all()()
    container.engine().dispose()
    return instance


@dataclass
class Target:
    """The seeded objects that generated ids are steered to, and what the cases met."""

    app: Flask
    client_ids: list[int]
    user_ids: list[int]
    run_ids: list[int]
    job_ids: list[str]
    observed_on: str
    statuses: dict[int, int] = field(default_factory=dict)

    def steer(self, case: Any) -> None:
        parameters = case.path_parameters or {}
        pools: dict[str, list[Any]] = {
            "client_id": self.client_ids,
            "user_id": self.user_ids,
            "run_id": self.run_ids,
            "job_id": self.job_ids,
        }
        for name, pool in pools.items():
            value = parameters.get(name)
            if value is not None and pool and _steered(value):
                parameters[name] = pool[_index(value) % len(pool)]
        if "observed_on" in parameters and _steered(parameters["observed_on"]):
            parameters["observed_on"] = self.observed_on

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.app.test_client(), ADMIN_EMAIL)}"}

    def record(self, case: Any, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        client_id = (case.path_parameters or {}).get("client_id")
        if case.method.upper() == "DELETE" and status == 204 and client_id in self.client_ids:
            self.client_ids.remove(client_id)

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())


def _index(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else len(str(value))


def _steered(value: Any) -> bool:
    return _index(value) % 5 != 0


@pytest.fixture
def target(company_template: Path, tmp_path: Path, record_property: Any) -> Iterator[Target]:
    instance = tmp_path / "instance"
    shutil.copytree(company_template, instance)
    app = app_on(instance)
    container = container_of(app)
    job = container.start_batch_prediction()()
    uow = container.uow()
    with uow:
        clients = uow.clients.list(
            ClientListQuery.parse({"per_page": 100}), uow.settings.segment_rule()
        ).items
        users = uow.users.list()
        runs = uow.model_runs.list()
        newest = uow.activity.newest_row(clients[0].client.id or 0)
    assert newest is not None
    seeded = Target(
        app=app,
        client_ids=[item.client.id for item in clients if item.client.id is not None],
        user_ids=sorted((user.id or 0 for user in users), key=lambda user_id: user_id == 1),
        run_ids=[run.id or 0 for run in runs],
        job_ids=[job.id],
        observed_on=newest.snapshot.observed_on.isoformat(),
    )
    yield seeded
    record_property("schemathesis_cases", seeded.cases)
    record_property("schemathesis_statuses", dict(sorted(seeded.statuses.items())))
    container.engine().dispose()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error_or_off_its_schema(case: Any, target: Target) -> None:
    target.steer(case)
    response = case.call_and_validate(app=target.app, headers=target.headers(), checks=CHECKS)
    target.record(case, response.status_code)
