"""Who may open which page, and the pages shown when something is refused or missing."""

from __future__ import annotations

import pytest

from domain.users import User
from entrypoints.container import container_of

ADMIN_PAGES = ["/users", "/ml/jobs/abc/status"]
ADMIN_ACTIONS = [
    "/ml/train/sales",
    "/ml/train/purchase",
    "/ml/models/sales/versions/1/activate",
    "/ml/threshold",
    "/ml/segments",
    "/ml/currency",
    "/ml/score",
    "/users",
    "/users/1/role",
    "/users/1/deactivate",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_analyst_gets_the_apps_403_page_on_admin_pages(client, auth, analyst: User, path: str):
    auth.login(analyst.email)

    response = client.get(path)

    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "have access to this page" in html
    assert analyst.email in html  # the layout, signed in, around the error


@pytest.mark.parametrize("path", ADMIN_ACTIONS)
def test_analyst_is_refused_every_admin_action(client, auth, analyst: User, path: str):
    auth.login(analyst.email)

    response = auth.post(path, {"threshold-threshold": "0.5", "user-1-role": "analyst"})

    assert response.status_code == 403
    assert "have access to this page" in response.get_data(as_text=True)


def test_job_status_refusal_is_json_for_a_script(client, auth, analyst: User):
    auth.login(analyst.email)

    response = client.get("/ml/jobs/abc/status", headers={"Accept": "application/json"})

    assert response.status_code == 403
    assert response.get_json()["status"] == 403


@pytest.mark.parametrize("path", ["/import", "/clients/new"])
def test_analyst_opens_the_pages_that_edit_clients(client, auth, analyst: User, path: str):
    auth.login(analyst.email)

    assert client.get(path).status_code == 200


def test_analyst_sees_the_ml_panel_but_no_users_link(client, auth, analyst: User):
    auth.login(analyst.email)

    html = client.get("/").get_data(as_text=True)

    assert 'href="/clients"' in html and 'href="/import"' in html and 'href="/ml"' in html
    assert 'href="/users"' not in html
    assert "Analyst" in html


def test_analyst_sees_no_admin_buttons_on_a_client_page(demo_client, demo_auth, demo_analyst: User):
    demo_auth.login(demo_analyst.email)

    html = demo_client.get("/clients/1").get_data(as_text=True)

    assert "/ml" not in html.split("</nav>", 1)[1]
    assert 'action="/ml' not in html


@pytest.mark.parametrize("path", ["/users", "/ml"])
def test_admin_opens_admin_pages(client, auth, admin: User, path: str):
    auth.login(admin.email)

    response = client.get(path)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/users"' in html and 'href="/ml"' in html


def test_users_page_lists_staff_with_their_roles(client, auth, admin: User, analyst: User):
    auth.login(admin.email)

    html = client.get("/users").get_data(as_text=True)

    assert admin.email in html and analyst.email in html
    assert "role-admin" in html and "role-analyst" in html


@pytest.mark.parametrize(
    "path", [*ADMIN_PAGES, "/", "/clients", "/clients/1", "/import", "/clients/export.csv"]
)
def test_anonymous_user_is_sent_to_login(client, path: str):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_unknown_page_shows_the_apps_404_page(client):
    response = client.get("/no-such-page")

    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in html
    assert "Prognoza" in html
    assert response.headers["X-Request-ID"] in html


def test_unknown_api_path_answers_problem_json(client):
    response = client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_clients_page_explains_a_malformed_page_number_and_shows_the_whole_list(client, auth, analyst: User):
    auth.login(analyst.email)

    response = client.get("/clients?page=0")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Some filters in the address were not understood" in html
    assert "<strong>Page</strong>: Enter 1 or more." in html


def test_clients_page_finds_clients_by_name(app, client, auth, analyst: User):
    from datetime import date

    from application.commands import NewClient

    for first, last in [("Anna", "Kowalska"), ("Piotr", "Nowak")]:
        command = NewClient.parse(
            {
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}@example.pl",
                "registered_on": date(2023, 1, 1),
            }
        )
        container_of(app).register_client()(command)
    auth.login(analyst.email)

    html = client.get("/clients?q=nowak").get_data(as_text=True)

    assert "Piotr Nowak" in html
    assert "Anna Kowalska" not in html
    assert "1 client found" in html


def test_unexpected_failure_shows_the_apps_500_page(app, client):
    def broken() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/broken", view_func=broken)

    response = client.get("/broken")

    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "boom" not in html
    assert response.headers["X-Request-ID"] in html


def test_error_pages_speak_the_chosen_language(client):
    html = client.get("/no-such-page", headers={"Accept-Language": "pl"}).get_data(as_text=True)

    assert "Nie znaleziono strony" in html
    assert "Identyfikator żądania" in html
