"""The web panel through Flask's test client: a fresh app and database per test, CSRF protection on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from adapters.hashing import WerkzeugPasswordHasher
from adapters.sqlalchemy import upgrade_database
from application.commands import NewUser
from application.users import create_user, deactivate_user
from domain.users import User
from entrypoints.app import create_app
from entrypoints.settings import Settings

ADMIN_EMAIL = "admin@prognoza.example"
ANALYST_EMAIL = "analyst@prognoza.example"
PASSWORD = "correct horse battery"

_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path}/t.db"
    upgrade_database(url)
    app = create_app(Settings(env="testing", database_url=url, instance_dir=tmp_path, secret_key="test"))
    # Fast hashes keep the suite quick; the hashing adapter's own tests cover the production method.
    app.container.password_hasher.override(  # type: ignore[attr-defined]
        providers.Singleton(WerkzeugPasswordHasher, method="pbkdf2:sha256:1000")
    )
    yield app
    app.container.engine().dispose()  # type: ignore[attr-defined]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add_user(app: Flask, email: str, role: str, *, active: bool = True, password: str = PASSWORD) -> User:
    container = app.container  # type: ignore[attr-defined]
    command = NewUser.parse({"email": email, "password": password, "role": role})
    user = create_user(command, container.uow(), container.password_hasher())
    if not active:
        assert user.id is not None
        user = deactivate_user(user.id, container.uow())
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


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    """Create a user: `make_user(email, role, active=True)`."""

    def make(email: str, role: str, *, active: bool = True) -> User:
        return add_user(app, email, role, active=active)

    return make
