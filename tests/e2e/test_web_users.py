"""Staff accounts: creating them, changing roles, deactivating, and never locking yourself out."""

from __future__ import annotations

from flask import Flask

from domain.users import Role, User
from e2e.conftest import PASSWORD, AuthActions
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


def test_admin_reactivates_a_deactivated_user_who_signs_in_again(app, client, auth, admin: User, make_user):
    former = make_user("byla@prognoza.example", "analyst", active=False)
    auth.login(admin.email)
    html = client.get("/users").get_data(as_text=True)
    assert f'action="/users/{former.id}/reactivate"' in html

    response = auth.post(f"/users/{former.id}/reactivate", follow_redirects=True)

    assert f"{former.email} can sign in again." in response.get_data(as_text=True)
    assert staff(app)[former.email].is_active
    auth.logout()
    assert auth.login(former.email).headers["Location"] == "/"


def test_admin_cannot_reactivate_themselves(app, client, auth, admin: User):
    auth.login(admin.email)

    response = auth.post(f"/users/{admin.id}/reactivate", follow_redirects=True)

    assert "You cannot reactivate your own account" in response.get_data(as_text=True)


def test_admin_sets_another_users_password_and_their_sessions_end(app, client, auth, admin: User, analyst):
    elsewhere = app.test_client()
    AuthActions(elsewhere).login(analyst.email)
    auth.login(admin.email)

    response = auth.post(
        f"/users/{analyst.id}/password",
        {f"reset-{analyst.id}-password": "set by the admin"},
        follow_redirects=True,
    )

    html = response.get_data(as_text=True)
    assert f"{analyst.email} has a new password" in html and "set by the admin" not in html
    assert elsewhere.get("/").status_code == 302
    auth.logout()
    assert "Invalid email or password." in auth.login(analyst.email, PASSWORD).get_data(as_text=True)
    assert auth.login(analyst.email, "set by the admin").headers["Location"] == "/"


def test_a_password_set_by_an_admin_follows_the_password_rules(app, client, auth, admin: User, analyst):
    auth.login(admin.email)

    response = auth.post(
        f"/users/{analyst.id}/password", {f"reset-{analyst.id}-password": "short"}, follow_redirects=True
    )

    assert "is unchanged: Use at least 8 characters." in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(analyst.email, PASSWORD).headers["Location"] == "/"


def test_an_admin_changes_their_own_password_on_their_account_page_only(app, client, auth, admin: User):
    auth.login(admin.email)
    assert f'action="/users/{admin.id}/password"' not in client.get("/users").get_data(as_text=True)

    response = auth.post(
        f"/users/{admin.id}/password", {f"reset-{admin.id}-password": "set by myself"}, follow_redirects=True
    )

    assert "Change your own password on your account page." in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(admin.email, PASSWORD).headers["Location"] == "/"


def test_an_analyst_can_neither_reactivate_nor_set_passwords(app, client, auth, analyst: User, make_user):
    other = make_user("inna@prognoza.example", "analyst", active=False)
    auth.login(analyst.email)

    assert auth.post(f"/users/{other.id}/reactivate").status_code == 403
    assert (
        auth.post(f"/users/{other.id}/password", {f"reset-{other.id}-password": "whatever 123"}).status_code
        == 403
    )
    assert not staff(app)[other.email].is_active
