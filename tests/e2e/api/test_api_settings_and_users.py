"""Settings, the dashboard and staff accounts through the API."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from e2e.api.conftest import V1, Api, fields, issue_token, problem
from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL


def test_the_threshold_is_read_by_anyone_and_changed_by_an_admin(admin_api: Api, analyst_api: Api) -> None:
    assert analyst_api.get("/settings/threshold").get_json() == {"threshold": 0.7}

    changed = admin_api.put("/settings/threshold", json={"threshold": 0.55})

    assert changed.status_code == 200 and changed.get_json() == {"threshold": 0.55}
    assert analyst_api.get("/settings/threshold").get_json() == {"threshold": 0.55}
    assert analyst_api.get("/dashboard").get_json()["threshold"] == 0.55


def test_a_threshold_outside_zero_and_one_is_refused(admin_api: Api) -> None:
    for value in (0, 1, 1.5, -0.1, "high", None):
        assert fields(admin_api.put("/settings/threshold", json={"threshold": value})) == ["threshold"]
    assert admin_api.get("/settings/threshold").get_json() == {"threshold": 0.7}


def test_the_segment_bands_are_read_with_their_rule_and_changed_by_an_admin(
    admin_api: Api, analyst_api: Api
) -> None:
    default = analyst_api.get("/settings/segments").get_json()
    changed = admin_api.put("/settings/segments", json={"medium_from": 250, "high_from": 800})

    assert (default["medium_from"], default["high_from"]) == (300, 1000)
    assert (
        default["description"]
        == "high: forecast of 1000 PLN or more; medium: from 300 up to 1000 PLN; low: below 300 PLN"
    )
    assert changed.status_code == 200
    assert changed.get_json()["bands"] == [
        {"segment": "high", "from_amount": 800, "below_amount": None},
        {"segment": "medium", "from_amount": 250, "below_amount": 800},
        {"segment": "low", "from_amount": None, "below_amount": 250},
    ]
    assert analyst_api.get("/dashboard").get_json()["segment_rule"] == changed.get_json()


def test_bands_out_of_order_are_refused(admin_api: Api) -> None:
    body = problem(admin_api.put("/settings/segments", json={"medium_from": 900, "high_from": 800}), 422)

    assert "high_from must be greater than medium_from" in body["detail"]
    assert fields(admin_api.put("/settings/segments", json={"medium_from": 0})) == [
        "medium_from",
        "high_from",
    ]


def test_the_currency_is_pln_until_an_admin_sets_another_and_every_reader_sees_it(
    admin_api: Api, analyst_api: Api
) -> None:
    default = analyst_api.get("/settings/currency").get_json()
    refused = analyst_api.put("/settings/currency", json={"currency": "EUR"})
    changed = admin_api.put("/settings/currency", json={"currency": "EUR"})

    assert default == {"currency": "PLN"}
    assert refused.status_code == 403
    assert changed.status_code == 200 and changed.get_json() == {"currency": "EUR"}
    assert analyst_api.get("/settings/currency").get_json() == {"currency": "EUR"}
    board = analyst_api.get("/dashboard").get_json()
    assert board["currency"] == "EUR" and "1000 EUR or more" in board["segment_rule"]["description"]
    assert "EUR" in analyst_api.get("/clients/export.csv").headers["Content-Disposition"]


def test_a_currency_that_is_no_iso_4217_code_is_refused_naming_the_field(admin_api: Api) -> None:
    for code in ("eur", "EURO", "XYZ", "", 978):
        body = problem(admin_api.put("/settings/currency", json={"currency": code}), 422)
        assert body["errors"][0]["field"] == "currency"
    unknown = problem(admin_api.put("/settings/currency", json={"currency": "XYZ"}), 422)["errors"][0]

    assert unknown["code"] == "unknown_currency" and unknown["params"] == {"currency": "XYZ"}
    assert admin_api.get("/settings/currency").get_json() == {"currency": "PLN"}


def test_the_dashboard_of_an_empty_company(analyst_api: Api) -> None:
    board = analyst_api.get("/dashboard").get_json()

    assert board == board | {
        "client_count": 0,
        "clients_scored": 0,
        "average_forecast": None,
        "likely_buyer_share": None,
        "segment_counts": {"high": 0, "medium": 0, "low": 0},
        "trend": {"actual": [], "forecast": None},
        "models_trained": False,
    }


def test_an_admin_lists_creates_and_reads_users(admin_api: Api) -> None:
    created = admin_api.post(
        "/users", json={"email": "nowy@prognoza.example", "password": "long enough", "role": "analyst"}
    )

    assert created.status_code == 201
    user = created.get_json()
    assert created.headers["Location"] == user["url"] == f"{V1}/users/{user['id']}"
    assert (user["email"], user["role"], user["is_active"]) == ("nowy@prognoza.example", "analyst", True)
    assert "password" not in str(user) and "hash" not in str(user)
    assert admin_api.get(user["url"]).get_json() == user
    assert [u["email"] for u in admin_api.get("/users").get_json()["items"]] == [
        ADMIN_EMAIL,
        "nowy@prognoza.example",
    ]


def test_a_new_user_with_a_taken_email_or_bad_fields_is_refused(admin_api: Api) -> None:
    problem(
        admin_api.post(
            "/users", json={"email": ADMIN_EMAIL.upper(), "password": "long enough", "role": "admin"}
        ),
        409,
    )
    response = admin_api.post("/users", json={"email": "x", "password": "short", "role": "owner"})

    assert sorted(fields(response)) == ["email", "password", "role"]
    problem(admin_api.get("/users/424242"), 404)


def test_a_new_user_signs_in_for_a_token_of_their_own(admin_api: Api, client: FlaskClient) -> None:
    admin_api.post(
        "/users", json={"email": "nowy@prognoza.example", "password": "long enough", "role": "analyst"}
    )

    token = issue_token(client, "nowy@prognoza.example", "long enough")

    problem(Api(client, token).get("/users"), 403)


def test_an_admin_changes_a_role_and_the_new_role_applies_at_once(admin_api: Api, analyst_api: Api) -> None:
    analyst = next(u for u in admin_api.get("/users").get_json()["items"] if u["email"] == ANALYST_EMAIL)
    problem(analyst_api.get("/users"), 403)

    changed = admin_api.put(f"/users/{analyst['id']}/role", json={"role": "admin"})

    assert changed.status_code == 200 and changed.get_json()["role"] == "admin"
    assert analyst_api.get("/users").status_code == 200
    assert fields(admin_api.put(f"/users/{analyst['id']}/role", json={"role": "owner"})) == ["role"]
    problem(admin_api.put("/users/424242/role", json={"role": "admin"}), 404)


def test_an_admin_cannot_demote_or_deactivate_themselves(app: Flask, admin_api: Api) -> None:
    me = next(u for u in admin_api.get("/users").get_json()["items"] if u["email"] == ADMIN_EMAIL)

    demoted = problem(admin_api.put(f"/users/{me['id']}/role", json={"role": "analyst"}), 409)
    deactivated = problem(admin_api.post(f"/users/{me['id']}/deactivation"), 409)

    assert "your own account" in demoted["detail"] and "your own account" in deactivated["detail"]
    assert admin_api.get(f"/users/{me['id']}").get_json()["role"] == "admin"


def test_a_deactivated_user_is_listed_as_inactive(admin_api: Api, analyst_api: Api) -> None:
    analyst = next(u for u in admin_api.get("/users").get_json()["items"] if u["email"] == ANALYST_EMAIL)

    response = admin_api.post(f"/users/{analyst['id']}/deactivation")

    assert response.status_code == 200 and response.get_json()["is_active"] is False
    problem(admin_api.post("/users/424242/deactivation"), 404)


def user_named(api: Api, email: str) -> dict:  # type: ignore[type-arg]
    return next(u for u in api.get("/users").get_json()["items"] if u["email"] == email)


def test_an_admin_reactivates_a_user_whose_old_tokens_stay_revoked(
    admin_api: Api, analyst_api: Api, client: FlaskClient
) -> None:
    analyst = user_named(admin_api, ANALYST_EMAIL)
    admin_api.post(f"/users/{analyst['id']}/deactivation")

    response = admin_api.post(f"/users/{analyst['id']}/reactivation")

    assert response.status_code == 200 and response.get_json()["is_active"] is True
    problem(analyst_api.get("/clients"), 401)
    fresh = Api(client, issue_token(client, ANALYST_EMAIL))
    assert fresh.get("/clients").status_code == 200
    problem(admin_api.post("/users/424242/reactivation"), 404)


def test_an_admin_sets_another_users_password(admin_api: Api, analyst_api: Api, client: FlaskClient) -> None:
    analyst = user_named(admin_api, ANALYST_EMAIL)

    response = admin_api.put(f"/users/{analyst['id']}/password", json={"password": "set by the admin"})

    assert response.status_code == 200 and response.get_json()["email"] == ANALYST_EMAIL
    assert issue_token(client, ANALYST_EMAIL, password="set by the admin")
    problem(
        client.post(f"{V1}/auth/tokens", json={"email": ANALYST_EMAIL, "password": "correct horse battery"}),
        401,
    )
    assert fields(admin_api.put(f"/users/{analyst['id']}/password", json={"password": "short"})) == [
        "password"
    ]


def test_an_admin_cannot_reset_or_reactivate_their_own_account_through_the_api(admin_api: Api) -> None:
    me = user_named(admin_api, ADMIN_EMAIL)

    reset = problem(admin_api.put(f"/users/{me['id']}/password", json={"password": "set by myself"}), 409)
    reactivated = problem(admin_api.post(f"/users/{me['id']}/reactivation"), 409)

    assert "your own account" in reset["detail"] and "your own account" in reactivated["detail"]
