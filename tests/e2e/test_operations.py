"""What whoever runs the service relies on: the probes, the security headers of every response, the
checks production makes at start, and inputs too large to be echoed back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from dependency_injector import providers
from flask import Flask
from pydantic import ValidationError

from adapters.sqlalchemy import head_revision
from entrypoints.app import create_app
from entrypoints.cli import cli
from entrypoints.container import container_of
from entrypoints.headers import CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY
from entrypoints.settings import MIN_SECRET_KEY_BYTES, Settings, UnsafeProduction
from entrypoints.web.forms import MAX_FIELD_CHARS

LONG_SECRET = "s" * MIN_SECRET_KEY_BYTES
HUGE = "Ż" * 1_000_000
TOO_LONG = re.compile(rf"Use at most {MAX_FIELD_CHARS // 1000}\S?{MAX_FIELD_CHARS % 1000:03d} characters\.")


def app_on(tmp_path: Path, url: str, **settings: object) -> Flask:
    values: dict[str, object] = {"env": "testing", "secret_key": "test"} | settings
    return create_app(Settings(database_url=url, instance_dir=tmp_path, **values))  # type: ignore[arg-type]


# --- /healthz and /readyz --------------------------------------------------------------------------


def test_healthz_answers_without_a_session_and_without_the_database(app: Flask, client) -> None:
    with container_of(app).engine.override(providers.Object(None)):  # any use of the database fails
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database_before_any_model_is_trained(client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "models": {"sales": "not trained", "purchase": "not trained"},
        },
    }


def test_readyz_loads_the_active_models_and_refuses_a_tampered_file(demo_app: Flask, demo_client) -> None:
    assert demo_client.get("/readyz").get_json()["checks"]["models"] == {"sales": "ok", "purchase": "ok"}
    artifact = Path(demo_app.instance_path) / "models" / "sales" / "v0001.joblib"
    artifact.write_bytes(artifact.read_bytes() + b"\0")

    response = demo_client.get("/readyz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert "does not match its recorded SHA-256" in body["checks"]["models"]["sales"]
    assert body["checks"]["models"]["purchase"] == "ok"


def test_readyz_is_unavailable_on_a_database_not_migrated(tmp_path: Path) -> None:
    app = app_on(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "ok",
        "migrations": f"at no revision, the code needs {head_revision()}",
        "models": "not checked: schema not ready",
    }
    container_of(app).engine().dispose()


def test_readyz_is_unavailable_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    app = app_on(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=2")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"].startswith("unreachable (")
    assert checks["migrations"] == "not checked: no database"


# --- security headers ------------------------------------------------------------------------------

EVERY_KIND_OF_RESPONSE = [
    "/login",  # a page
    "/no-such-page",  # the app's 404 page
    "/static/css/app.css",  # a static file
    "/api/v1/clients",  # an API error (401)
    "/api/v1/no-such-thing",  # an API 404
    "/healthz",
]


@pytest.mark.parametrize("path", EVERY_KIND_OF_RESPONSE)
def test_every_response_carries_the_security_headers(client, path: str) -> None:
    response = client.get(path)

    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # development runs on plain HTTP


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/static/css/app.css", "/api/v1/clients"])
def test_production_answers_ask_browsers_for_https_only(tmp_path: Path, path: str) -> None:
    app = app_on(tmp_path, f"sqlite:///{tmp_path / 't.db'}", env="production", secret_key=LONG_SECRET)

    response = app.test_client().get(path)

    assert response.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY
    container_of(app).engine().dispose()


def test_the_api_docs_keep_their_own_policy(client) -> None:
    response = client.get("/api/v1/docs")

    if response.status_code == 200:
        assert response.headers["Content-Security-Policy"] != CONTENT_SECURITY_POLICY


# --- production refuses to start unsafely -----------------------------------------------------------


def test_production_refuses_a_secret_key_shorter_than_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"PROGNOZA_SECRET_KEY is 31 bytes long: production needs"):
        Settings(env="production", secret_key="s" * 31, instance_dir=tmp_path)

    assert Settings(env="production", secret_key=LONG_SECRET, instance_dir=tmp_path).is_production
    assert Settings(env="development", secret_key="short", instance_dir=tmp_path)


def test_production_refuses_debug_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")

    with pytest.raises(UnsafeProduction, match="Refusing to start in debug mode in production"):
        app_on(tmp_path, f"sqlite:///{tmp_path / 't.db'}", env="production", secret_key=LONG_SECRET)


def test_prognoza_debug_run_refuses_to_start_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "0")  # `--debug` sets it for the process; monkeypatch restores it
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")
    monkeypatch.setenv("PROGNOZA_ENV", "production")
    monkeypatch.setenv("PROGNOZA_SECRET_KEY", LONG_SECRET)
    monkeypatch.setenv("PROGNOZA_INSTANCE_DIR", str(tmp_path))

    result = CliRunner().invoke(cli, ["--debug", "run"], prog_name="prognoza")

    assert result.exit_code == 1
    assert "Refusing to start in debug mode in production" in result.output


def test_prognoza_refuses_a_short_secret_key_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROGNOZA_ENV", "production")
    monkeypatch.setenv("PROGNOZA_SECRET_KEY", "too-short")
    monkeypatch.setenv("PROGNOZA_INSTANCE_DIR", str(tmp_path))

    result = CliRunner().invoke(cli, ["db", "upgrade"], prog_name="prognoza")

    assert result.exit_code == 1
    assert "PROGNOZA_SECRET_KEY is 9 bytes long: production needs at least 32" in result.output


# --- input too large to echo -----------------------------------------------------------------------


def test_a_huge_form_field_is_refused_and_never_rendered_back(client, auth, admin) -> None:
    auth.login()

    response = auth.post(
        "/clients/new",
        {
            "client-first_name": HUGE,
            "client-last_name": "Nowak",
            "client-email": "anna@example.pl",
            "client-registered_on": "2026-01-05",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert TOO_LONG.search(html)
    assert "ŻŻŻŻ" not in html and len(html) < 100_000
    assert 'value="Nowak"' in html  # the other fields are kept as typed


def test_a_huge_sign_in_field_is_refused_and_never_rendered_back(client, auth, admin) -> None:
    response = auth.login(email=HUGE)

    html = response.get_data(as_text=True)
    assert TOO_LONG.search(html)
    assert "ŻŻŻŻ" not in html and len(html) < 100_000
