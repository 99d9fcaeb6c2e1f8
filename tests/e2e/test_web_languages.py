"""English by default, Polish on request: the switch in the navbar and the browser's preference."""

from __future__ import annotations

from domain.users import User


def test_english_is_the_default(client):
    html = client.get("/login").get_data(as_text=True)

    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_language_switch_to_polish_shows_polish_strings(client, auth):
    response = client.post("/language/pl", data={"csrf_token": auth.csrf_token(), "next": "/login"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="pl">' in html
    assert "Zaloguj się" in html
    assert "Hasło" in html


def test_polish_survives_signing_in_and_labels_the_panel(client, auth, admin: User):
    client.post("/language/pl", data={"csrf_token": auth.csrf_token(), "next": "/login"})
    auth.login(admin.email)

    html = client.get("/").get_data(as_text=True)

    assert "Pulpit" in html
    assert "Klienci" in html
    assert "Wyloguj się" in html


def test_polish_refusal_keeps_the_message_generic(client, auth, admin: User):
    client.post("/language/pl", data={"csrf_token": auth.csrf_token(), "next": "/login"})

    html = auth.login(admin.email, "not the password").get_data(as_text=True)

    assert "Nieprawidłowy e-mail lub hasło." in html


def test_browser_preference_picks_polish(client):
    html = client.get("/login", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}).get_data(as_text=True)

    assert '<html lang="pl">' in html


def test_chosen_language_wins_over_the_browser(client, auth):
    client.post("/language/en", data={"csrf_token": auth.csrf_token(), "next": "/login"})

    html = client.get("/login", headers={"Accept-Language": "pl"}).get_data(as_text=True)

    assert '<html lang="en">' in html


def test_unknown_language_is_not_found(client, auth):
    response = client.post("/language/xx", data={"csrf_token": auth.csrf_token()})

    assert response.status_code == 404


def test_language_switch_ignores_an_unsafe_next(client, auth):
    response = client.post("/language/pl", data={"csrf_token": auth.csrf_token(), "next": "//evil.example"})

    assert response.headers["Location"] == "/"


def test_language_switch_needs_the_csrf_token(client):
    response = client.post("/language/pl", data={"next": "/login"})

    assert response.status_code == 400


def test_switching_language_on_a_refused_form_returns_to_the_page_of_the_form(client, auth, admin: User):
    auth.login(admin.email)

    refused = client.post(
        "/users",
        data={"csrf_token": auth.csrf_token("/users"), "new-email": "x@"},
        headers={"Referer": "http://localhost/users"},
    )

    assert refused.status_code == 422
    assert 'name="next" value="/users"' in refused.get_data(as_text=True)


def test_a_refused_form_from_another_site_switches_language_back_to_the_dashboard(client, auth, admin: User):
    auth.login(admin.email)

    refused = client.post(
        "/users",
        data={"csrf_token": auth.csrf_token("/users"), "new-email": "x@"},
        headers={"Referer": "https://evil.example/users"},
    )

    assert 'name="next" value="/"' in refused.get_data(as_text=True)
