"""Tokens, sessions and roles: who may call what, and the answers of those who may not."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from adapters.clock import FixedClock
from e2e.api.conftest import V1, Api, a_client, create_client, issue_token, problem
from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL, AuthActions, add_user
from entrypoints.container import container_of

SAMPLE_PATH_VALUES = {
    "{client_id}": "1",
    "{user_id}": "1",
    "{token_id}": "1",
    "{run_id}": "1",
    "{job_id}": "0f0f",
    "{kind}": "sales",
    "{observed_on}": "2024-01-01",
}
ADMIN_OPERATIONS = [
    ("POST", "/models/sales/training"),
    ("POST", "/models/purchase/training"),
    ("GET", "/models/sales/runs"),
    ("GET", "/models/purchase/runs/1"),
    ("POST", "/models/sales/active"),
    ("PUT", "/settings/threshold"),
    ("PUT", "/settings/segments"),
    ("GET", "/users"),
    ("POST", "/users"),
    ("GET", "/users/1"),
    ("PUT", "/users/1/role"),
    ("POST", "/users/1/deactivation"),
    ("POST", "/users/1/reactivation"),
    ("PUT", "/users/1/password"),
]


def test_a_token_is_issued_for_an_email_and_password_and_shown_once(app: Flask, client: FlaskClient) -> None:
    add_user(app, ANALYST_EMAIL, "analyst")

    response = client.post(
        f"{V1}/auth/tokens", json={"email": ANALYST_EMAIL.upper(), "password": "correct horse battery"}
    )

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["token"].startswith("pzk_") and body["token_type"] == "Bearer"
    lifetime = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["created_at"])
    assert lifetime == timedelta(days=30)
    assert Api(client, body["token"]).get("/clients").status_code == 200


def test_a_token_may_be_asked_for_a_shorter_life(app: Flask, client: FlaskClient) -> None:
    add_user(app, ANALYST_EMAIL, "analyst")

    body = client.post(
        f"{V1}/auth/tokens",
        json={"email": ANALYST_EMAIL, "password": "correct horse battery", "expires_in_days": 1},
    ).get_json()

    assert datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(
        body["created_at"]
    ) == timedelta(days=1)


@pytest.mark.parametrize("password", ["not the password", "CORRECT HORSE BATTERY"])
def test_a_wrong_password_gets_a_401_problem_and_no_token(
    app: Flask, client: FlaskClient, password: str
) -> None:
    add_user(app, ANALYST_EMAIL, "analyst")

    body = problem(client.post(f"{V1}/auth/tokens", json={"email": ANALYST_EMAIL, "password": password}), 401)

    assert body["detail"] == "Invalid email or password."
    assert "token" not in body


def test_a_deactivated_user_gets_no_token(app: Flask, client: FlaskClient) -> None:
    add_user(app, ANALYST_EMAIL, "analyst", active=False)

    problem(
        client.post(f"{V1}/auth/tokens", json={"email": ANALYST_EMAIL, "password": "correct horse battery"}),
        401,
    )


def test_a_token_request_with_bad_fields_names_each_of_them(client: FlaskClient) -> None:
    response = client.post(f"{V1}/auth/tokens", json={"email": "", "expires_in_days": 0, "scope": "all"})

    errors = problem(response, 422)["errors"]
    assert sorted(e["field"] for e in errors) == ["email", "expires_in_days", "password", "scope"]


def test_every_operation_but_issuing_a_token_refuses_an_anonymous_caller(anonymous_api: Api) -> None:
    document = anonymous_api.get("/openapi.json").get_json()
    refused = []
    for template, operations in document["paths"].items():
        path = template
        for name, value in SAMPLE_PATH_VALUES.items():
            path = path.replace(name, value)
        for method, operation in operations.items():
            response = anonymous_api.request(method.upper(), path)
            if operation.get("security") == []:
                continue
            assert response.headers.get("WWW-Authenticate") == 'Bearer realm="Prognoza API"', path
            refused.append((method, problem(response, 401)["status"]))
    assert len(refused) == sum(len(ops) for ops in document["paths"].values()) - 1


@pytest.mark.parametrize(
    "header", ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer pzk_made-up", "pzk_no-scheme"]
)
def test_a_malformed_or_unknown_token_is_refused(client: FlaskClient, header: str) -> None:
    body = problem(client.get(f"{V1}/clients", headers={"Authorization": header}), 401)

    assert "token" in body["detail"]


def test_a_revoked_token_stops_working_at_once(admin_api: Api) -> None:
    assert admin_api.delete("/auth/tokens/current").status_code == 204

    problem(admin_api.get("/clients"), 401)
    problem(admin_api.delete("/auth/tokens/current"), 401)


def test_revoking_one_token_leaves_the_users_other_tokens_working(
    admin_api: Api, client: FlaskClient
) -> None:
    other = Api(client, issue_token(client, ADMIN_EMAIL))

    admin_api.delete("/auth/tokens/current")

    assert other.get("/clients").status_code == 200


def test_revoking_the_current_token_needs_a_token(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    add_user(app, ADMIN_EMAIL, "admin")
    auth.login()

    problem(client.delete(f"{V1}/auth/tokens/current", headers={"X-CSRFToken": auth.csrf_token("/")}), 401)


def test_a_read_signed_with_a_token_checks_it_in_the_transaction_that_reads(
    app: Flask, analyst_api: Api, admin_api: Api
) -> None:
    client_id = create_client(admin_api)["id"]
    engine = container_of(app).engine()
    begun: list[object] = []

    def record(connection: object) -> None:
        begun.append(connection)

    event.listen(engine, "begin", record)
    try:
        assert analyst_api.get(f"/clients/{client_id}").status_code == 200
        assert len(begun) == 1
        assert admin_api.delete("/auth/tokens/current").status_code == 204
        problem(admin_api.get(f"/clients/{client_id}"), 401)
    finally:
        event.remove(engine, "begin", record)


def test_a_deactivated_users_token_is_refused_at_once(admin_api: Api, analyst_api: Api) -> None:
    assert analyst_api.get("/clients").status_code == 200
    analyst_id = next(
        u["id"] for u in admin_api.get("/users").get_json()["items"] if u["email"] == ANALYST_EMAIL
    )

    assert admin_api.post(f"/users/{analyst_id}/deactivation").status_code == 200

    problem(analyst_api.get("/clients"), 401)


def test_an_expired_token_is_refused(app: Flask, analyst_api: Api) -> None:
    later = FixedClock(datetime.now().astimezone() + timedelta(days=30, minutes=1))
    container_of(app).clock.override(providers.Object(later))

    problem(analyst_api.get("/clients"), 401)


@pytest.mark.parametrize(("method", "path"), ADMIN_OPERATIONS)
def test_an_analyst_is_refused_the_admin_operations(analyst_api: Api, method: str, path: str) -> None:
    body = problem(analyst_api.request(method, path, json={}), 403)

    assert body["detail"].startswith("Your role does not allow you to")


def test_an_analyst_reads_edits_clients_and_runs_predictions(analyst_api: Api) -> None:
    client = create_client(analyst_api)

    assert analyst_api.get("/clients").status_code == 200
    assert analyst_api.patch(f"/clients/{client['id']}", json={"last_name": "Kowalska"}).status_code == 200
    assert analyst_api.get("/settings/threshold").get_json() == {"threshold": 0.7}
    assert analyst_api.get("/dashboard").status_code == 200
    problem(
        analyst_api.post(f"/clients/{client['id']}/predictions"), 409
    )  # allowed, but nothing to predict from


def test_a_signed_in_browser_reads_with_its_session(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    add_user(app, ANALYST_EMAIL, "analyst")
    auth.login(ANALYST_EMAIL)

    assert client.get(f"{V1}/clients").status_code == 200
    problem(client.get(f"{V1}/users"), 403)


def test_a_signed_in_browsers_unsafe_request_needs_the_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    add_user(app, ANALYST_EMAIL, "analyst")
    auth.login(ANALYST_EMAIL)

    refused = problem(client.post(f"{V1}/clients", json=a_client()), 400)
    forged = problem(client.post(f"{V1}/clients", json=a_client(), headers={"X-CSRFToken": "forged"}), 400)
    accepted = client.post(f"{V1}/clients", json=a_client(), headers={"X-CSRFToken": auth.csrf_token("/")})

    assert "CSRF" in refused["detail"] and "CSRF" in forged["detail"]
    assert accepted.status_code == 201
    assert [c["email"] for c in client.get(f"{V1}/clients").get_json()["items"]] == ["anna@example.pl"]


def test_a_bearer_request_needs_no_csrf_token_even_beside_a_session(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    add_user(app, ANALYST_EMAIL, "analyst")
    token = issue_token(client, ANALYST_EMAIL)
    auth.login(ANALYST_EMAIL)

    response = Api(client, token).post("/clients", json=a_client())

    assert response.status_code == 201


def test_a_user_lists_their_own_tokens_without_their_secrets(app: Flask, client: FlaskClient) -> None:
    add_user(app, ANALYST_EMAIL, "analyst")
    first = issue_token(client, ANALYST_EMAIL)
    issue_token(client, ANALYST_EMAIL, expires_in_days=7)
    add_user(app, ADMIN_EMAIL, "admin")
    issue_token(client, ADMIN_EMAIL)

    response = Api(client, first).get("/auth/tokens")

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 2 and first not in response.get_data(as_text=True)
    assert set(items[0]) == {"id", "created_at", "expires_at", "revoked_at"}
    assert all(item["revoked_at"] is None for item in items)


def test_a_user_revokes_one_of_their_tokens_by_its_id_but_not_someone_elses(
    app: Flask, client: FlaskClient, admin_api: Api
) -> None:
    add_user(app, ANALYST_EMAIL, "analyst")
    analyst_api = Api(app.test_client(), issue_token(client, ANALYST_EMAIL))
    spare = Api(app.test_client(), issue_token(client, ANALYST_EMAIL))
    admins = admin_api.get("/auth/tokens").get_json()["items"]
    spares = spare.get("/auth/tokens").get_json()["items"]

    problem(analyst_api.delete(f"/auth/tokens/{admins[0]['id']}"), 404)
    problem(admin_api.delete(f"/auth/tokens/{spares[0]['id']}"), 404)
    assert admin_api.get("/auth/tokens").status_code == 200

    assert analyst_api.delete(f"/auth/tokens/{spares[0]['id']}").status_code == 204
    problem(spare.get("/clients"), 401)
    assert analyst_api.get("/clients").status_code == 200
    assert analyst_api.delete(f"/auth/tokens/{spares[0]['id']}").status_code == 204
