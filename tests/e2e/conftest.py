"""The web panel through Flask's test client: a fresh app and database per test, CSRF protection on."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from adapters.hashing import WerkzeugPasswordHasher
from adapters.sqlalchemy import upgrade_database
from application.commands import NewUser, SegmentBands
from domain.candidates import clv
from domain.predictions import ModelKind
from domain.users import User
from entrypoints.app import create_app
from entrypoints.container import container_of
from entrypoints.settings import Settings

ADMIN_EMAIL = "admin@prognoza.example"
ANALYST_EMAIL = "analyst@prognoza.example"
PASSWORD = "correct horse battery"

_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep each phase's report on the test, so a fixture can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path}/t.db"
    upgrade_database(url)
    app = create_app(Settings(env="testing", database_url=url, instance_dir=tmp_path, secret_key="test"))
    # Fast hashes keep the suite quick; the hashing adapter's own tests cover the production method.
    container_of(app).password_hasher.override(
        providers.Singleton(WerkzeugPasswordHasher, method="pbkdf2:sha256:1000")
    )
    yield app
    container_of(app).engine().dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add_user(app: Flask, email: str, role: str, *, active: bool = True, password: str = PASSWORD) -> User:
    container = container_of(app)
    command = NewUser.parse({"email": email, "password": password, "role": role})
    user = container.create_user()(command)
    if not active:
        assert user.id is not None
        user = container.deactivate_user()(user.id)
    return user


@pytest.fixture
def admin(app: Flask) -> User:
    return add_user(app, ADMIN_EMAIL, "admin")


@pytest.fixture
def analyst(app: Flask) -> User:
    return add_user(app, ANALYST_EMAIL, "analyst")


def csrf_token_in(page: TestResponse) -> str:
    found = _CSRF_FIELD.search(page.get_data(as_text=True))
    assert found, "the page carries no CSRF token"
    return found.group(1)


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self, page: str = "/login") -> str:
        return csrf_token_in(self.client.get(page))

    def login(
        self, email: str = ADMIN_EMAIL, password: str = PASSWORD, *, next: str | None = None
    ) -> TestResponse:
        query = {} if next is None else {"next": next}
        token = csrf_token_in(self.client.get("/login", query_string=query))
        form = {"email": email, "password": password, "csrf_token": token}
        return self.client.post("/login", query_string=query, data=form)

    def logout(self) -> TestResponse:
        token = self.csrf_token("/")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict[str, object] | None = None, **kwargs: object) -> TestResponse:
        """POST a form of the signed-in panel, with the session's CSRF token."""
        form = {"csrf_token": self.csrf_token("/"), **(data or {})}
        return self.client.post(path, data=form, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    """Create a user: `make_user(email, role, active=True)`."""

    def make(email: str, role: str, *, active: bool = True) -> User:
        return add_user(app, email, role, active=active)

    return make


# --- A demo company, trained and scored, for the pages that show models and predictions -------------

DEMO_CLIENTS = 300
DEMO_MONTHS = 4


def app_on_instance(instance: Path, **settings: Any) -> Flask:
    """An app on the database and model files under `instance`, with fast password hashes; `settings`
    changes others (e.g. a sign-in limit for a module that signs in many times)."""
    url = f"sqlite:///{instance}/prognoza.sqlite3"
    app = create_app(
        Settings(env="testing", database_url=url, instance_dir=instance, secret_key="test", **settings)
    )
    container_of(app).password_hasher.override(
        providers.Singleton(WerkzeugPasswordHasher, method="pbkdf2:sha256:1000")
    )
    return app


def train_and_activate(container: Any, kind: ModelKind, by: str) -> None:
    """Train a model and make it active even when it is not better than its baselines, as the demo does."""
    run = container.start_training()(kind, by)
    finished = container.get_run()(run.id)
    if finished.can_be_activated and not finished.is_active:
        container.activate_version()(kind, finished.version, by)


def train_lifetime_model(app: Flask) -> int:
    """Train the customer-lifetime candidate of the sales model (active when it beats its baselines);
    returns its version."""
    container = container_of(app)
    run = container.queue_training()(ModelKind.SALES, "admin@example.com", candidate=clv())
    trained = container.run_training()(run.id)
    assert trained.error is None, trained.error
    return int(trained.version)


def build_demo_instance(instance: Path) -> None:
    """Seed the demo company into `instance`, train both models there and score every client."""
    instance.mkdir(parents=True, exist_ok=True)
    upgrade_database(f"sqlite:///{instance}/prognoza.sqlite3")
    app = app_on_instance(instance)
    container = container_of(app)
    container.job_runner.override(container.inline_job_runner)
    try:
        container.seed_demo_company()(clients=DEMO_CLIENTS, months=DEMO_MONTHS, seed=7)
        for kind in ModelKind:
            train_and_activate(container, kind, "seed@prognoza.example")
        container.predict_all()()
    finally:
        container.engine().dispose()


def clients_with_snapshots(app: Flask) -> int:
    """How many clients of the demo shop have snapshots, hence predictions: those who visited or bought."""
    with container_of(app).uow() as uow:
        return len(uow.activity.newest_rows(after_client_id=0, limit=DEMO_CLIENTS))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained and scored demo company per test session (and xdist worker), copied by each test."""
    instance = tmp_path_factory.mktemp("demo-template") / "instance"
    build_demo_instance(instance)
    return instance


@pytest.fixture
def demo_app(demo_template: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh copy of the demo company: 300 clients, 4 months, both models trained, all scored."""
    instance = tmp_path / "instance"
    shutil.copytree(demo_template, instance)
    app = app_on_instance(instance)
    yield app
    container_of(app).engine().dispose()


@pytest.fixture
def demo_client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


@pytest.fixture
def demo_auth(demo_client: FlaskClient) -> AuthActions:
    return AuthActions(demo_client)


@pytest.fixture
def demo_admin(demo_app: Flask) -> User:
    return add_user(demo_app, ADMIN_EMAIL, "admin")


@pytest.fixture
def demo_analyst(demo_app: Flask) -> User:
    return add_user(demo_app, ANALYST_EMAIL, "analyst")


def with_bands(app: Flask, medium_from: float = 300, high_from: float = 1000) -> None:
    """Segment bands an admin set (the demo company's first scoring fitted its own to its forecasts)."""
    bands = SegmentBands.parse({"medium_from": medium_from, "high_from": high_from})
    container_of(app).change_segment_rule()(bands, ADMIN_EMAIL)
