"""The REST API through Flask's test client: tokens come from the API itself, jobs run inline."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL, PASSWORD, add_user
from entrypoints.container import container_of

V1 = "/api/v1"
TODAY = date.today()
REGISTERED = "2023-01-15"


@pytest.fixture
def app(app: Flask) -> Flask:
    """The e2e app, with background jobs run at once so that a test can read their outcome."""
    container_of(app).job_runner.override(container_of(app).inline_job_runner)
    return app


class Api:
    """Calls /api/v1 with a bearer token (or none); paths are relative to /api/v1."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {} if self.token is None else {"Authorization": f"Bearer {self.token}"}
        return headers | dict(extra or {})

    def request(
        self, method: str, path: str, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> TestResponse:
        url = path if path.startswith("/api/") else V1 + path
        return self.client.open(url, method=method, headers=self.headers(headers), **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)

    def upload(self, path: str, text: str, filename: str = "data.csv") -> TestResponse:
        data = {"file": (io.BytesIO(text.encode()), filename, "text/csv")}
        return self.post(path, data=data, content_type="multipart/form-data")


def issue_token(client: FlaskClient, email: str, password: str = PASSWORD, **extra: Any) -> str:
    response = client.post(f"{V1}/auth/tokens", json={"email": email, "password": password, **extra})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["token"])


@pytest.fixture
def admin_api(app: Flask, client: FlaskClient) -> Api:
    add_user(app, ADMIN_EMAIL, "admin")
    return Api(client, issue_token(client, ADMIN_EMAIL))


@pytest.fixture
def analyst_api(app: Flask, client: FlaskClient) -> Api:
    add_user(app, ANALYST_EMAIL, "analyst")
    return Api(app.test_client(), issue_token(client, ANALYST_EMAIL))


@pytest.fixture
def anonymous_api(client: FlaskClient) -> Api:
    return Api(client)


def a_client(name: str = "Anna", **changes: Any) -> dict[str, Any]:
    return {
        "first_name": name,
        "last_name": "Nowak",
        "email": f"{name.lower()}@example.pl",
        "registered_on": REGISTERED,
    } | changes


def a_snapshot(observed_on: date | str = TODAY - timedelta(days=40), **changes: Any) -> dict[str, Any]:
    return {
        "observed_on": str(observed_on),
        "purchases_30d": 2,
        "avg_basket_value": 150.0,
        "site_visits_30d": 12,
        "days_since_last_purchase": 5,
        "visits_7d": 4,
        "newsletter_opened": True,
        "ad_clicks_7d": 1,
        "time_on_site_7d": 25.5,
    } | changes


def create_client(api: Api, name: str = "Anna", **changes: Any) -> dict[str, Any]:
    response = api.post("/clients", json=a_client(name, **changes))
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def months_before(day: date, months: int) -> date:
    """The first day of the month `months` before the month of `day`: a month of its own whatever the day."""
    month = day.year * 12 + day.month - 1 - months
    return date(month // 12, month % 12 + 1, 1)


def company_csvs(clients: int = 80, seed: int = 7) -> tuple[str, str]:
    """Clients, and two labelled monthly snapshots each whose outcomes follow their activity: enough to
    train both models (buyers and non-buyers, sales that grow with purchases and baskets, in a way a
    linear model learns better than last month's spend predicts it)."""
    rng = random.Random(seed)
    people = [a_client(f"Client{n:03d}") for n in range(clients)]
    snapshots = []
    for person in people:
        for months_ago in (2, 1):
            purchases = rng.randint(0, 6)
            basket = round(rng.uniform(20, 400), 2)
            visits_30d = rng.randint(0, 40)
            visits_7d = rng.randint(0, min(visits_30d, 12))
            snapshots.append(
                {
                    "client_email": person["email"],
                    "observed_on": str(months_before(TODAY, months_ago)),
                    "purchases_30d": purchases,
                    "avg_basket_value": basket,
                    "site_visits_30d": visits_30d,
                    "days_since_last_purchase": rng.randint(0, 60) if purchases else "",
                    "visits_7d": visits_7d,
                    "newsletter_opened": rng.random() < 0.5,
                    "ad_clicks_7d": rng.randint(0, 5),
                    "time_on_site_7d": round(rng.uniform(0, 90), 1),
                    "sales_next_month": round(max(0.0, 60 * purchases + basket + rng.gauss(0, 40)), 2),
                    "purchased_next_14d": visits_7d + rng.randint(-2, 2) >= 5,
                }
            )
    clients_csv = csv_text(people, ["first_name", "last_name", "email", "registered_on"])
    activity_csv = csv_text(snapshots, list(snapshots[0]))
    return clients_csv, activity_csv


def problem(response: TestResponse, status: int) -> dict[str, Any]:
    """The problem+json body of a refusal, after checking its status and media type."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json", response.mimetype
    body = dict(response.get_json())
    assert body["status"] == status
    return body


def fields(response: TestResponse, status: int = 422) -> list[str]:
    return [error["field"] for error in problem(response, status).get("errors", [])]
