"""A database that is busy past the busy timeout, or out of reach, is a 503 to try again: never a 500."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from adapters.sqlalchemy import engine as sqlite_engine
from e2e.api.conftest import Api, a_client
from e2e.conftest import AuthActions, add_user
from entrypoints.app import create_app
from entrypoints.container import container_of
from entrypoints.settings import Settings

UNREACHABLE_POSTGRESQL = "postgresql+psycopg://prognoza@127.0.0.1:1/prognoza"


@pytest.fixture
def short_busy_timeout(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_engine, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.2)
    container_of(app).engine().dispose()  # connections opened from now on wait 0.2 s for a lock


@contextmanager
def write_lock_held(app: Flask) -> Iterator[None]:
    """Another process's writer, holding SQLite's write lock (it never commits)."""
    holder = sqlite3.connect(Path(app.instance_path) / "t.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.usefixtures("short_busy_timeout")
def test_a_write_lock_held_past_the_busy_timeout_is_a_503_to_retry(app: Flask, admin_api: Api) -> None:
    with write_lock_held(app):
        response = admin_api.post("/clients", json=a_client())

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "database_busy"
    assert int(response.headers["Retry-After"]) > 0
    assert admin_api.post("/clients", json=a_client()).status_code == 201


@pytest.mark.usefixtures("short_busy_timeout")
def test_the_panel_says_the_database_is_busy_with_the_same_status(app: Flask, auth: AuthActions) -> None:
    add_user(app, "admin@prognoza.example", "admin")
    auth.login()
    form = {
        "first_name": "Anna",
        "last_name": "Nowak",
        "email": "anna@example.pl",
        "registered_on": "2023-01-15",
    }
    token = auth.csrf_token("/clients/new")
    with write_lock_held(app):
        page = auth.client.post("/clients/new", data=form | {"csrf_token": token})

    assert page.status_code == 503
    assert "Retry-After" in page.headers
    assert "The database is busy" in page.get_data(as_text=True)


def test_a_postgresql_server_out_of_reach_is_a_503_to_retry(tmp_path: Path) -> None:
    app = create_app(
        Settings(
            env="testing", database_url=UNREACHABLE_POSTGRESQL, instance_dir=tmp_path, secret_key="test"
        ),
        test_config={"WTF_CSRF_ENABLED": False},
    )
    client: FlaskClient = app.test_client()

    api = client.get("/api/v1/clients", headers={"Authorization": "Bearer not-checked-yet"})
    page = client.post("/login", data={"email": "anna@example.pl", "password": "secret"})

    assert api.status_code == 503
    assert api.get_json()["code"] == "database_unavailable"
    assert int(api.headers["Retry-After"]) > 0
    assert page.status_code == 503
    assert "The database is unavailable" in page.get_data(as_text=True)
