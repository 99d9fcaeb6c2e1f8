"""Signing in and out of the web panel."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from domain.users import User
from entrypoints.container import container_of

GENERIC_REFUSAL = "Invalid email or password."


def is_signed_in(client: FlaskClient) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def test_login_page_renders_with_a_csrf_field(client):
    page = client.get("/login")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="csrf_token"' in html
    assert 'name="email"' in html and 'name="password"' in html and 'name="remember"' in html


def test_admin_signs_in_and_sees_the_dashboard(client, auth, admin: User):
    response = auth.login(admin.email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    dashboard = client.get("/").get_data(as_text=True)
    assert "Dashboard" in dashboard
    assert admin.email in dashboard
    assert "Administrator" in dashboard


def test_dashboard_counts_the_clients_on_record(app, client, auth, admin: User):
    from datetime import date

    from application.commands import NewClient

    container = container_of(app)
    for number in range(3):
        command = NewClient.parse(
            {
                "first_name": "Anna",
                "last_name": f"Nowak{number}",
                "email": f"anna{number}@example.pl",
                "registered_on": date(2023, 1, 1),
            }
        )
        container.register_client()(command)
    auth.login(admin.email)

    html = client.get("/").get_data(as_text=True)

    assert 'id="stat-clients"' in html
    stat = html[html.index('id="stat-clients"') :]
    assert '<p class="stat-value mb-0">3</p>' in stat


def test_wrong_password_shows_the_generic_error_and_starts_no_session(client, auth, admin: User):
    response = auth.login(admin.email, "not the password")

    assert response.status_code == 200
    assert GENERIC_REFUSAL in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_unknown_email_shows_the_same_message(client, auth, admin: User):
    wrong_password = auth.login(admin.email, "not the password").get_data(as_text=True)
    unknown_email = auth.login("nobody@prognoza.example", "not the password").get_data(as_text=True)

    assert GENERIC_REFUSAL in unknown_email
    assert _alert_of(unknown_email) == _alert_of(wrong_password)
    assert not is_signed_in(client)


def _alert_of(html: str) -> str:
    start = html.index('class="alert alert-danger')
    return html[start : html.index("</div>\n    </div>", start)]


def test_inactive_user_cannot_sign_in(client, auth, make_user):
    former = make_user("former@prognoza.example", "analyst", active=False)

    response = auth.login(former.email)

    assert response.status_code == 200
    assert GENERIC_REFUSAL in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_login_without_csrf_token_is_refused_with_the_app_error_page(client, admin: User):
    response = client.post("/login", data={"email": admin.email, "password": "correct horse battery"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The request could not be processed" in html
    assert 'class="request-id' in html
    assert not is_signed_in(client)


def test_wrong_password_never_echoes_the_password(auth, admin: User):
    html = auth.login(admin.email, "s3cret-typed-by-mistake").get_data(as_text=True)

    assert "s3cret-typed-by-mistake" not in html
    assert f'value="{admin.email}"' in html


def test_invalid_form_input_shows_field_errors_and_keeps_the_typed_email(client, auth):
    token = auth.csrf_token()
    too_long = "x" * 250 + "@example.pl"

    response = client.post("/login", data={"email": too_long, "password": "", "csrf_token": token})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use at most 254 characters." in html
    assert "Enter your password." in html
    assert html.count("is-invalid") >= 2
    assert 'class="invalid-feedback"' in html
    assert f'value="{too_long}"' in html


def test_empty_form_asks_for_both_fields(client, auth):
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": auth.csrf_token()})

    html = response.get_data(as_text=True)
    assert "Enter your email address." in html
    assert "Enter your password." in html
    assert GENERIC_REFUSAL not in html


def test_signed_in_user_visiting_login_goes_to_the_dashboard(client, auth, admin: User):
    auth.login(admin.email)

    response = client.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_requires_post(client, auth, admin: User):
    auth.login(admin.email)

    response = client.get("/logout")

    assert response.status_code == 405
    assert is_signed_in(client)


def test_logout_without_csrf_token_is_refused(client, auth, admin: User):
    auth.login(admin.email)

    response = client.post("/logout")

    assert response.status_code == 400
    assert is_signed_in(client)


def test_logout_ends_the_session(client, auth, admin: User):
    auth.login(admin.email)

    response = auth.logout()

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not is_signed_in(client)
    assert "You have been signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_anonymous_user_is_redirected_to_login_with_next(client):
    response = client.get("/clients?q=nowak")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fclients%3Fq%3Dnowak"


def test_sign_in_returns_to_the_page_asked_for(auth, admin: User):
    response = auth.login(admin.email, next="/clients?q=nowak")

    assert response.headers["Location"] == "/clients?q=nowak"


@pytest.mark.parametrize(
    "unsafe_next",
    ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "evil.example/x"],
)
def test_unsafe_next_is_ignored(auth, admin: User, unsafe_next: str):
    response = auth.login(admin.email, next=unsafe_next)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_remember_me_keeps_the_user_signed_in_across_browser_sessions(client, auth, admin: User):
    token = auth.csrf_token()
    form = {"email": admin.email, "password": "correct horse battery", "remember": "y", "csrf_token": token}

    client.post("/login", data=form)

    assert client.get_cookie("remember_token") is not None


def test_anonymous_visitor_is_asked_to_sign_in(client):
    html = client.get("/clients", follow_redirects=True).get_data(as_text=True)

    assert "Please sign in to open that page." in html
