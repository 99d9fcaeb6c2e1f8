"""Staff accounts: creating them, changing roles, deactivating, and never locking yourself out."""

from __future__ import annotations

from flask import Flask

from domain.users import Role, User
from entrypoints.container import container_of


def staff(app: Flask) -> dict[str, User]:
    return {user.email: user for user in container_of(app).list_users()()}


def test_admin_creates_an_account_that_can_sign_in(app, client, auth, admin: User):
    auth.login(admin.email)

    response = auth.post(
        "/users",
        {"new-email": "nowa@prognoza.example", "new-password": "dobre haslo 123", "new-role": "analyst"},
    )

    assert response.status_code == 302
    assert "nowa@prognoza.example can now sign in, with the role: Analyst." in client.get("/users").get_data(
        as_text=True
    )
    assert staff(app)["nowa@prognoza.example"].role is Role.ANALYST
    auth.logout()
    assert auth.login("nowa@prognoza.example", "dobre haslo 123").headers["Location"] == "/"


def test_bad_account_shows_field_errors_keeps_the_email_and_creates_nothing(app, client, auth, admin: User):
    auth.login(admin.email)

    response = auth.post("/users", {"new-email": "nowa@", "new-password": "short", "new-role": "boss"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="new-email-errors"' in html and "Enter a valid email address." in html
    assert 'id="new-password-errors"' in html and "Use at least 8 characters." in html
    assert 'id="new-role-errors"' in html and "Choose a role." in html
    assert 'value="nowa@"' in html
    assert 'value="short"' not in html
    assert set(staff(app)) == {admin.email}


def test_the_password_is_never_sent_back(client, auth, admin: User):
    auth.login(admin.email)

    html = auth.post(
        "/users", {"new-email": "x@", "new-password": "s3cret-typed", "new-role": "analyst"}
    ).get_data(as_text=True)

    assert "s3cret-typed" not in html


def test_an_email_already_in_use_is_refused(client, auth, admin: User, analyst: User):
    auth.login(admin.email)

    response = auth.post(
        "/users", {"new-email": analyst.email.upper(), "new-password": "long enough", "new-role": "admin"}
    )

    assert response.status_code == 422
    assert "This email is already taken." in response.get_data(as_text=True)


def test_admin_changes_the_role_of_another_user(app, client, auth, admin: User, analyst: User):
    auth.login(admin.email)

    response = auth.post(
        f"/users/{analyst.id}/role", {f"user-{analyst.id}-role": "admin"}, follow_redirects=True
    )

    assert f"{analyst.email} now has the role: Administrator." in response.get_data(as_text=True)
    assert staff(app)[analyst.email].role is Role.ADMIN


def test_admin_deactivates_another_user_who_then_cannot_sign_in(
    app, client, auth, admin: User, analyst: User
):
    auth.login(admin.email)
    html = client.get("/users").get_data(as_text=True)
    assert f'action="/users/{analyst.id}/deactivate"' in html and "data-confirm=" in html

    response = auth.post(f"/users/{analyst.id}/deactivate", follow_redirects=True)

    assert f"{analyst.email} can no longer sign in." in response.get_data(as_text=True)
    assert staff(app)[analyst.email].is_active is False
    auth.logout()
    assert "Invalid email or password." in auth.login(analyst.email).get_data(as_text=True)


def test_admin_cannot_deactivate_or_demote_themselves(app, client, auth, admin: User):
    auth.login(admin.email)
    html = client.get("/users").get_data(as_text=True)
    assert f'action="/users/{admin.id}/deactivate"' not in html and "Your own account" in html

    deactivated = auth.post(f"/users/{admin.id}/deactivate", follow_redirects=True).get_data(as_text=True)
    demoted = auth.post(
        f"/users/{admin.id}/role", {f"user-{admin.id}-role": "analyst"}, follow_redirects=True
    ).get_data(as_text=True)

    assert "You cannot deactivate your own account" in deactivated
    assert "You cannot change your own role" in demoted
    me = staff(app)[admin.email]
    assert me.is_active and me.role is Role.ADMIN


def test_actions_on_an_unknown_user_are_not_found(client, auth, admin: User):
    auth.login(admin.email)

    assert auth.post("/users/999/deactivate").status_code == 404
    assert auth.post("/users/999/role", {"user-999-role": "admin"}).status_code == 404
