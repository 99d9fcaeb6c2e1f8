"""The account page: one's own password, one's own API tokens, signing out everywhere, the API docs."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask

from application.commands import OwnTokenRequest
from domain.users import User
from e2e.conftest import PASSWORD, AuthActions
from entrypoints.auth import REMEMBER_COOKIE
from entrypoints.container import container_of

NEW_PASSWORD = "a brand new secret"
SECRET = re.compile(r'id="new-token-secret" value="(pzk_[^"]+)"')


def change(auth: AuthActions, current: str = PASSWORD, new: str = NEW_PASSWORD, again: str | None = None):  # type: ignore[no-untyped-def]
    form = {
        "password-current_password": current,
        "password-password": new,
        "password-password_confirmation": new if again is None else again,
    }
    return auth.post("/account/password", form)


def create_token(auth: AuthActions, days: str = "30") -> str:
    response = auth.post("/account/tokens", {"token-expires_in_days": days})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    found = SECRET.search(response.get_data(as_text=True))
    assert found, "the new token's secret is not on the page"
    return found.group(1)


def test_every_signed_in_user_reaches_their_account_page_from_the_user_menu(client, auth, analyst: User):
    auth.login(analyst.email)

    menu = client.get("/").get_data(as_text=True)
    page = client.get("/account")

    assert 'href="/account"' in menu and 'href="/api/docs"' in menu
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Change your password" in html and "API tokens" in html
    assert 'action="/logout/everywhere"' in html and 'href="/api/docs"' in html


def test_the_account_page_needs_a_signed_in_user(client):
    response = client.get("/account")

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_new_password_keeps_this_session_and_ends_the_others(app: Flask, client, auth, analyst: User):
    laptop = app.test_client()
    AuthActions(laptop).login(analyst.email)
    auth.login(analyst.email)

    response = change(auth)

    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = client.get("/account")
    assert page.status_code == 200 and "Your password is changed." in page.get_data(as_text=True)
    assert laptop.get("/").status_code == 302
    auth.logout()
    assert "Invalid email or password." in auth.login(analyst.email, PASSWORD).get_data(as_text=True)
    assert auth.login(analyst.email, NEW_PASSWORD).headers["Location"] == "/"


def test_a_remembered_browser_stays_remembered_after_its_own_password_change(
    app: Flask, client, auth, analyst
):
    token = auth.csrf_token()
    client.post(
        "/login", data={"email": analyst.email, "password": PASSWORD, "remember": "y", "csrf_token": token}
    )
    old_cookie = client.get_cookie(REMEMBER_COOKIE)
    assert old_cookie is not None

    change(auth)

    new_cookie = client.get_cookie(REMEMBER_COOKIE)
    assert new_cookie is not None and new_cookie.value != old_cookie.value
    stranger = app.test_client()
    stranger.set_cookie(REMEMBER_COOKIE, old_cookie.value)
    assert stranger.get("/").status_code == 302
    client.delete_cookie("session")
    assert client.get("/account").status_code == 200


def test_a_wrong_current_password_or_a_mistyped_new_one_changes_nothing(client, auth, analyst: User):
    auth.login(analyst.email)

    wrong = change(auth, current="not my password")
    mistyped = change(auth, again="a brand new secreT")
    short = change(auth, new="short")

    assert wrong.status_code == mistyped.status_code == short.status_code == 422
    assert "This is not your current password." in wrong.get_data(as_text=True)
    assert "Type the same new password twice." in mistyped.get_data(as_text=True)
    assert "Use at least 8 characters." in short.get_data(as_text=True)
    for response in (wrong, mistyped, short):
        assert NEW_PASSWORD not in response.get_data(as_text=True)
    assert client.get("/account").status_code == 200
    auth.logout()
    assert auth.login(analyst.email, PASSWORD).headers["Location"] == "/"


def test_a_new_token_is_shown_once_and_works_until_it_is_revoked(app: Flask, client, auth, analyst: User):
    auth.login(analyst.email)

    secret = create_token(auth, days="7")

    api = app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/clients", headers=bearer).status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert secret not in page
    (token,) = container_of(app).list_tokens()(analyst.id)
    assert f'data-token="{token.id}"' in page and "Active" in page
    assert token.expires_at - token.created_at == timedelta(days=7)

    revoked = auth.post(f"/account/tokens/{token.id}/revoke", follow_redirects=True)

    assert f"The API token #{token.id} is revoked" in revoked.get_data(as_text=True)
    assert "Revoked" in revoked.get_data(as_text=True)
    assert api.get("/api/v1/clients", headers=bearer).status_code == 401


def test_an_analyst_cannot_revoke_someone_elses_token(app: Flask, client, auth, admin: User, analyst: User):
    assert admin.id is not None
    admins = container_of(app).issue_own_token()(admin.id, OwnTokenRequest())
    auth.login(analyst.email)

    response = auth.post(f"/account/tokens/{admins.token.id}/revoke")

    assert response.status_code == 404
    assert container_of(app).list_tokens()(admin.id)[0].revoked_at is None
    assert f'data-token="{admins.token.id}"' not in client.get("/account").get_data(as_text=True)


def test_a_token_lifetime_out_of_range_is_refused(client, auth, analyst: User):
    auth.login(analyst.email)

    response = auth.post("/account/tokens", {"token-expires_in_days": "1000"})

    assert response.status_code == 422
    assert "Enter 365 or less." in response.get_data(as_text=True)


def test_the_account_forms_need_the_csrf_token(client, auth, analyst: User):
    auth.login(analyst.email)

    assert client.post("/account/tokens", data={"token-expires_in_days": "30"}).status_code == 400
    assert client.post("/account/password", data={}).status_code == 400


def test_the_account_page_is_in_polish_too(client, auth, analyst: User):
    auth.login(analyst.email)
    client.post("/language/pl", data={"csrf_token": auth.csrf_token("/"), "next": "/account"})

    html = client.get("/account").get_data(as_text=True)

    assert "Twoje konto" in html and "Zmień hasło" in html and "Tokeny API" in html
