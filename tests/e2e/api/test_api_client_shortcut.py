"""GET /api/v1/clients/{id} for a known caller, answered before the app's request handling
(`entrypoints.api.client_shortcut`): the app's own answer, to the byte; anything else left to the app."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask
from werkzeug.test import Client, TestResponse

from e2e.api.conftest import V1, issue_token
from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL, add_user
from entrypoints.app import create_app
from entrypoints.container import container_of
from entrypoints.headers import STRICT_TRANSPORT_SECURITY
from entrypoints.settings import MIN_SECRET_KEY_BYTES, Settings

DEMO_CLIENT_IDS = range(1, 301)


@dataclass
class CountedApp:
    """The app behind the shortcut, counting the requests that reach it."""

    inner: Any
    reached: list[str] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.reached.append(environ["PATH_INFO"])
        return self.inner(environ, start_response)  # type: ignore[no-any-return]


@dataclass
class Served:
    """The same app read through its shortcut and straight (its own request handling only)."""

    shortcut: Client
    app: Client
    counted: CountedApp

    def both(self, path: str, token: str | None, **headers: str) -> tuple[TestResponse, TestResponse]:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.shortcut.get(path, headers=headers), self.app.get(path, headers=headers)


def served_by(app: Flask) -> Served:
    shortcut = app.wsgi_app
    counted = CountedApp(shortcut.inner)  # type: ignore[attr-defined]
    shortcut.inner = counted  # type: ignore[attr-defined]
    return Served(Client(shortcut, use_cookies=False), Client(counted.inner, use_cookies=False), counted)


@pytest.fixture
def served(demo_app: Flask, tokens: dict[str, str]) -> Served:
    """Counting from after the tokens were issued."""
    return served_by(demo_app)


@pytest.fixture
def tokens(demo_app: Flask) -> dict[str, str]:
    add_user(demo_app, ADMIN_EMAIL, "admin")
    add_user(demo_app, ANALYST_EMAIL, "analyst")
    client = demo_app.test_client()
    return {
        role: issue_token(client, email)
        for role, email in (("admin", ADMIN_EMAIL), ("analyst", ANALYST_EMAIL))
    }


def assert_same(shortcut: TestResponse, app: TestResponse) -> None:
    assert (shortcut.status, shortcut.data) == (app.status, app.data)
    headers = {name: value for name, value in shortcut.headers.items() if name != "Date"}
    assert headers == {name: value for name, value in app.headers.items() if name != "Date"}


def test_a_known_callers_client_is_the_apps_answer_to_the_byte(
    served: Served, tokens: dict[str, str]
) -> None:
    for role, token in tokens.items():
        for client_id in DEMO_CLIENT_IDS:
            path = f"{V1}/clients/{client_id}"
            assert_same(*served.both(path, token, **{"X-Request-ID": f"{role}-{client_id}"}))

    # Only each token's first request reached the app, which remembered its owner.
    assert len(served.counted.reached) == len(tokens)


def test_the_settings_in_force_are_read_with_the_client(served: Served, tokens: dict[str, str]) -> None:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    read = (served.shortcut.get(f"{V1}/clients/{id_}", headers=admin).get_json() for id_ in DEMO_CLIENT_IDS)
    before = next(client for client in read if client["forecast"] and client["forecast"]["value"] > 2)
    path = before["url"]

    changes = {
        "/settings/threshold": {"threshold": 0.15},
        "/settings/segments": {"medium_from": 1, "high_from": 2},
    }
    for setting, change in changes.items():
        assert served.shortcut.put(f"{V1}{setting}", json=change, headers=admin).status_code == 200
    shortcut, app = served.both(path, tokens["admin"], **{"X-Request-ID": "after-the-change"})

    assert_same(shortcut, app)
    after = shortcut.get_json()
    assert after["out_of_date"] == ["threshold_changed"] != before["out_of_date"]
    assert after["segment"] != before["segment"]


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("HEAD", "/clients/1", {}),
        ("OPTIONS", "/clients/1", {}),
        ("GET", "/clients/1?lang=pl", {}),
        ("GET", "/clients/1/", {}),
        ("GET", "/clients/1", {"Cookie": "session=x"}),
        ("GET", "/clients/0", {}),
        ("GET", "/clients/-1", {}),
        ("GET", "/clients/99999999999", {}),
        ("GET", "/clients/424242", {}),
        ("GET", "/clients", {}),
        ("GET", "/clients/1/activity", {}),
        ("GET", "/clients/1", {"Authorization": "Basic YWRtaW46eA=="}),
        ("GET", "/clients/1", {"Authorization": "Bearer "}),
        ("GET", "/clients/1", {"Authorization": "Bearer pzk_unknown"}),
    ],
)
def test_other_requests_are_answered_by_the_app(
    served: Served, tokens: dict[str, str], method: str, path: str, headers: dict[str, str]
) -> None:
    known = {"Authorization": f"Bearer {tokens['analyst']}", "X-Request-ID": "same-id"}
    served.shortcut.get(f"{V1}/clients/2", headers=known)  # the analyst is known from now on
    reached = len(served.counted.reached)

    shortcut = served.shortcut.open(V1 + path, method=method, headers=known | headers)
    app = served.app.open(V1 + path, method=method, headers=known | headers)

    assert_same(shortcut, app)
    assert len(served.counted.reached) == reached + 1


def test_a_revoked_token_or_a_deactivated_owner_is_refused_at_once(
    demo_app: Flask, served: Served, tokens: dict[str, str]
) -> None:
    path = f"{V1}/clients/3"
    for token in tokens.values():
        assert served.shortcut.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    admin, analyst = ({"Authorization": f"Bearer {tokens[role]}"} for role in ("admin", "analyst"))
    analyst_id = next(
        user.id for user in container_of(demo_app).list_users()() if user.email == ANALYST_EMAIL
    )

    assert served.shortcut.post(f"{V1}/users/{analyst_id}/deactivation", headers=admin).status_code == 200
    assert served.shortcut.get(path, headers=analyst).status_code == 401
    assert served.shortcut.delete(f"{V1}/auth/tokens/current", headers=admin).status_code == 204
    assert served.shortcut.get(path, headers=admin).status_code == 401


def test_a_request_id_is_made_unless_the_caller_gives_one(served: Served, tokens: dict[str, str]) -> None:
    known = {"Authorization": f"Bearer {tokens['analyst']}"}
    served.shortcut.get(f"{V1}/clients/1", headers=known)

    made = [served.shortcut.get(f"{V1}/clients/1", headers=known).headers["X-Request-ID"] for _ in range(2)]
    given = served.shortcut.get(f"{V1}/clients/1", headers=known | {"X-Request-ID": "from-the-proxy-7"})
    refused = served.shortcut.get(f"{V1}/clients/1", headers=known | {"X-Request-ID": "not an id!"})

    assert made[0] != made[1] and all(len(made_id) == 32 and made_id.isalnum() for made_id in made)
    assert given.headers["X-Request-ID"] == "from-the-proxy-7"
    assert refused.headers["X-Request-ID"] != "not an id!"
    assert len(served.counted.reached) == 1


def test_a_failing_read_is_left_to_the_app(
    demo_app: Flask, served: Served, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    known = {"Authorization": f"Bearer {tokens['analyst']}"}
    served.shortcut.get(f"{V1}/clients/1", headers=known)

    def failing(client_id: int) -> None:
        raise ConnectionError(f"the database went away while reading client {client_id}")

    container_of(demo_app).client_reads.override(providers.Object(failing))
    with caplog.at_level(logging.WARNING, logger="entrypoints.api.client_shortcut"):
        answered = served.shortcut.get(f"{V1}/clients/1", headers=known)

    assert answered.status_code == 200 and answered.get_json()["id"] == 1
    assert len(served.counted.reached) == 2
    assert "the client shortcut failed" in caplog.text and "went away" in caplog.text


def test_in_production_the_shortcuts_answer_asks_for_https_only_as_the_apps_does(
    demo_template: Path, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    shutil.copytree(demo_template, instance)
    url = f"sqlite:///{instance}/prognoza.sqlite3"
    app = create_app(
        Settings(
            env="production", database_url=url, instance_dir=instance, secret_key="s" * MIN_SECRET_KEY_BYTES
        )
    )
    try:
        add_user(app, ANALYST_EMAIL, "analyst")
        token = issue_token(app.test_client(), ANALYST_EMAIL)
        served = served_by(app)
        served.shortcut.get(f"{V1}/clients/1", headers={"Authorization": f"Bearer {token}"})

        shortcut, answered = served.both(f"{V1}/clients/1", token, **{"X-Request-ID": "in-production"})

        assert_same(shortcut, answered)
        assert shortcut.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY
    finally:
        container_of(app).engine().dispose()
