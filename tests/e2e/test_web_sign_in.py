"""Signing in and out of the web panel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dependency_injector import providers
from flask import Response
from flask.testing import FlaskClient

from adapters.clock import FixedClock
from domain.sessions import RememberToken
from domain.users import User
from e2e.conftest import PASSWORD, AuthActions
from entrypoints.app import create_app
from entrypoints.auth import REMEMBER_COOKIE, remember_browser
from entrypoints.container import container_of
from entrypoints.settings import Settings

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
    remember(client, auth, admin)

    _close_the_browser(client)

    assert client.get("/").status_code == 200
    assert is_signed_in(client)


def test_remember_me_cookie_is_new_at_every_sign_in_and_stored_only_as_a_hash(app, client, auth, admin):
    first = remember(client, auth, admin)
    auth.logout()
    second = remember(client, auth, admin)

    assert first != second
    token_id, _, secret = second.partition(".")
    stored = _stored_token(app, int(token_id))
    assert stored.user_id == admin.id and secret not in stored.token_hash
    assert stored.expires_at - stored.created_at == timedelta(days=14)


def test_remember_me_cookie_stops_working_after_sign_out(client, auth, admin: User):
    cookie = remember(client, auth, admin)
    auth.logout()

    assert client.get_cookie(REMEMBER_COOKIE) is None
    _close_the_browser(client)
    client.set_cookie(REMEMBER_COOKIE, cookie)
    assert client.get("/").status_code == 302
    assert client.get_cookie(REMEMBER_COOKIE) is None  # a refused cookie is dropped


def test_remember_me_cookie_expires_after_14_days(app, client, auth, admin: User):
    remember(client, auth, admin)
    _close_the_browser(client)
    later = datetime.now(UTC) + timedelta(days=14, minutes=1)
    container_of(app).clock.override(providers.Object(FixedClock(later)))

    assert client.get("/").status_code == 302


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, client, auth, admin: User):
    auth.login(admin.email)
    copied = client.get_cookie("session")
    assert copied is not None
    auth.logout()

    thief = app.test_client()
    thief.set_cookie("session", copied.value)

    assert thief.get("/").status_code == 302


def test_signing_out_everywhere_ends_other_sessions_and_remembered_browsers(app, client, auth, admin: User):
    laptop = app.test_client()
    laptop_cookie = remember(laptop, AuthActions(laptop), admin)
    auth.login(admin.email)

    response = auth.post("/logout/everywhere")

    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert laptop.get("/").status_code == 302
    _close_the_browser(laptop)
    laptop.set_cookie(REMEMBER_COOKIE, laptop_cookie)
    assert laptop.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_signing_out_everywhere_needs_the_csrf_token(client, auth, admin: User):
    auth.login(admin.email)

    assert client.post("/logout/everywhere").status_code == 400
    assert client.get("/").status_code == 200


def test_the_user_menu_offers_to_sign_out_everywhere(client, auth, admin: User):
    auth.login(admin.email)

    html = client.get("/").get_data(as_text=True)

    assert 'action="/logout/everywhere"' in html
    assert "Sign out everywhere" in html


def test_a_deactivated_users_remembered_browser_is_refused(app, client, auth, admin: User, make_user):
    analyst = make_user("anna@prognoza.example", "analyst")
    remember(client, AuthActions(client), analyst)
    assert analyst.id is not None
    container_of(app).deactivate_user()(analyst.id)

    assert client.get("/").status_code == 302
    _close_the_browser(client)
    assert client.get("/").status_code == 302


def test_cookies_are_secure_in_production(tmp_path):
    url = f"sqlite:///{tmp_path}/p.db"
    app = create_app(Settings(env="production", database_url=url, instance_dir=tmp_path, secret_key="s" * 32))
    with app.test_request_context():
        response = Response()
        remember_browser(response, "1.secret")
        cookie = response.headers["Set-Cookie"]

    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    container_of(app).engine().dispose()


def remember(client: FlaskClient, auth: AuthActions, user: User) -> str:
    """Sign in with "Keep me signed in"; the remember-me cookie's value."""
    token = auth.csrf_token()
    form = {"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token}
    client.post("/login", data=form)
    cookie = client.get_cookie(REMEMBER_COOKIE)
    assert cookie is not None
    return cookie.value


def _close_the_browser(client: FlaskClient) -> None:
    """What closing the browser forgets: the session cookie (the remember-me cookie stays)."""
    client.delete_cookie("session")


def _stored_token(app, token_id: int) -> RememberToken:
    with container_of(app).uow() as uow:
        token = uow.remember_tokens.get(token_id)
    assert token is not None
    return token


def test_anonymous_visitor_is_asked_to_sign_in(client):
    html = client.get("/clients", follow_redirects=True).get_data(as_text=True)

    assert "Please sign in to open that page." in html
