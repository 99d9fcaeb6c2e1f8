"""Abuse limits: sign-in attempts per account and per address, JSON bodies capped in size and depth."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from adapters.hashing import WerkzeugPasswordHasher
from adapters.sqlalchemy import upgrade_database
from e2e.conftest import ADMIN_EMAIL, PASSWORD, add_user, csrf_token_in
from entrypoints.app import create_app
from entrypoints.container import container_of
from entrypoints.settings import Settings

TOKENS = "/api/v1/auth/tokens"


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[object]:
    """An app with these sign-in limits, and an admin."""
    apps: list[Flask] = []

    def make(per_account: str = "10/minute", per_address: str = "30/minute", proxies: int = 0) -> Flask:
        url = f"sqlite:///{tmp_path}/limits{len(apps)}.db"
        upgrade_database(url)
        settings = Settings(
            env="testing",
            database_url=url,
            instance_dir=tmp_path,
            secret_key="test",
            sign_in_limit_per_account=per_account,
            sign_in_limit_per_address=per_address,
            trusted_proxies=proxies,
        )
        app = create_app(settings)
        container_of(app).password_hasher.override(
            providers.Singleton(WerkzeugPasswordHasher, method="pbkdf2:sha256:1000")
        )
        add_user(app, ADMIN_EMAIL, "admin")
        apps.append(app)
        return app

    yield make
    for app in apps:
        container_of(app).engine().dispose()


def sign_in(client: FlaskClient, email: str, password: str, **kwargs: object) -> TestResponse:
    token = csrf_token_in(client.get("/login"))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs)  # type: ignore[arg-type]


def test_twenty_wrong_passwords_are_refused_before_the_twentieth_and_so_is_the_right_one(make_app):
    client = make_app().test_client()

    statuses = [sign_in(client, ADMIN_EMAIL, f"guess {n}").status_code for n in range(20)]

    assert statuses[:10] == [200] * 10  # the login page again, saying the password is wrong
    assert 429 in statuses[:19]
    refused = sign_in(client, ADMIN_EMAIL, PASSWORD)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many sign-in attempts" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_the_right_password_works_again_once_the_window_has_passed(make_app):
    client = make_app(per_account="2 per 1 second").test_client()
    for n in range(3):
        sign_in(client, ADMIN_EMAIL, f"guess {n}")
    assert sign_in(client, ADMIN_EMAIL, PASSWORD).status_code == 429

    time.sleep(1.1)

    assert sign_in(client, ADMIN_EMAIL, PASSWORD).status_code == 302


def test_an_account_is_counted_by_its_email_whatever_its_case_and_spaces(make_app):
    client = make_app(per_account="2/minute").test_client()
    sign_in(client, ADMIN_EMAIL.upper(), "guess")
    sign_in(client, f"  {ADMIN_EMAIL} ", "guess")

    assert sign_in(client, ADMIN_EMAIL, PASSWORD).status_code == 429


def test_other_accounts_are_not_locked_out_by_one_accounts_attempts(make_app):
    app = make_app(per_account="2/minute")
    add_user(app, "ewa@prognoza.example", "analyst")
    client = app.test_client()
    for _ in range(3):
        sign_in(client, ADMIN_EMAIL, "guess")

    assert sign_in(client, "ewa@prognoza.example", PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_refused(make_app):
    client = make_app(per_address="3/minute").test_client()
    statuses = [sign_in(client, f"user{n}@example.com", "guess").status_code for n in range(4)]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("proxies, refused", [(1, [200, 200, 429, 200]), (0, [200, 200, 429, 429])])
def test_behind_a_trusted_proxy_each_client_address_is_counted_apart(make_app, proxies, refused):
    """Behind one trusted proxy, X-Forwarded-For names the client; without one, a client could forge it."""
    client = make_app(per_address="2/minute", proxies=proxies).test_client()
    addresses = ["203.0.113.5", "203.0.113.5", "203.0.113.5", "198.51.100.7"]
    statuses = [
        sign_in(client, f"user{n}@example.com", "guess", headers={"X-Forwarded-For": address}).status_code
        for n, address in enumerate(addresses)
    ]

    assert statuses == refused


def test_the_refusal_speaks_polish_to_a_polish_reader(make_app):
    client = make_app(per_account="1/minute").test_client()
    sign_in(client, ADMIN_EMAIL, "guess")

    refused = sign_in(client, ADMIN_EMAIL, "guess", headers={"Accept-Language": "pl"})

    assert refused.status_code == 429
    assert "Zbyt wiele prób logowania" in refused.get_data(as_text=True)


def test_the_api_refuses_too_many_token_requests_with_a_stable_code(make_app):
    client = make_app(per_account="3/minute").test_client()
    for _ in range(3):
        assert client.post(TOKENS, json={"email": ADMIN_EMAIL, "password": "guess"}).status_code == 401

    refused = client.post(TOKENS, json={"email": ADMIN_EMAIL, "password": PASSWORD})

    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["code"] == "too_many_attempts"
    assert int(refused.headers["Retry-After"]) >= 1


def test_the_panel_and_the_api_share_an_accounts_attempts(make_app):
    client = make_app(per_account="2/minute").test_client()
    sign_in(client, ADMIN_EMAIL, "guess")
    client.post(TOKENS, json={"email": ADMIN_EMAIL, "password": "guess"})

    assert client.post(TOKENS, json={"email": ADMIN_EMAIL, "password": PASSWORD}).status_code == 429


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("path", [TOKENS, "/api/v1/clients"])
def test_deeply_nested_json_is_a_bad_request_not_a_crash(make_app, path: str):
    client = make_app().test_client()

    for depth in (33, 100_000):
        response = client.post(path, data=nested(depth), content_type="application/json")
        assert response.status_code in (400, 401), response.get_data(as_text=True)[:200]
        if path == TOKENS:
            assert response.status_code == 400
            assert response.mimetype == "application/problem+json"


def test_json_nested_32_levels_deep_is_parsed_and_validated(make_app):
    client = make_app().test_client()
    body = {"email": ADMIN_EMAIL, "password": json.loads(nested(31))}

    response = client.post(TOKENS, json=body)

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "password"


def test_a_json_body_over_one_megabyte_is_too_large(make_app):
    client = make_app().test_client()
    body = json.dumps({"email": ADMIN_EMAIL, "password": "x" * (1024 * 1024)})

    response = client.post(TOKENS, data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
