"""The panel in a real Chromium: signing in, the language switch, a phone-sized screen, no CDN, and the
account page: a token seen once and revoked, a new password to sign in with."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import expect

from domain.users import User
from e2e.browser import (
    DESKTOP,
    PHONE,
    ConsoleWatch,
    assert_accessible,
    chromium,
    fits_the_screen,
    live_server,
    screenshot,
)

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new secret"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    with live_server(app) as url:
        yield url


@pytest.fixture
def open_page(browser, base_url: str):  # type: ignore[no-untyped-def]
    pages = []

    def open_(path: str, viewport: dict[str, int] = DESKTOP):  # type: ignore[no-untyped-def]
        page = browser.new_page(viewport=viewport)  # type: ignore[attr-defined]
        pages.append(page)
        page.goto(base_url + path)
        return page

    yield open_
    for page in pages:
        page.close()


def sign_in(page, email: str, password: str = "correct horse battery") -> None:  # type: ignore[no-untyped-def]
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form[novalidate] button[type=submit]")


def test_signing_in_reaches_the_dashboard(open_page, admin: User, base_url: str):
    page = open_page("/login")

    sign_in(page, admin.email)

    page.wait_for_url(base_url + "/")
    assert page.locator("h1").inner_text().strip() == "Dashboard"


def test_wrong_password_keeps_the_email_and_focuses_the_password(open_page, admin: User):
    page = open_page("/login")

    sign_in(page, admin.email, "not the password")

    assert page.locator(".alert-danger").inner_text().strip() == "Invalid email or password."
    assert page.input_value("#email") == admin.email
    assert page.input_value("#password") == ""
    # Asked through Playwright's own script: a function evaluated in the page is refused by its CSP.
    expect(page.locator("#password")).to_be_focused()
    assert_accessible(page, "login-refused")


def test_language_switch_turns_the_page_polish(open_page):
    page = open_page("/login")

    page.click("button[formaction='/language/pl']")

    assert page.locator("h1").inner_text().strip() == "Zaloguj się"
    assert page.get_attribute("html", "lang") == "pl"


def test_panel_fits_a_phone_screen_with_a_collapsed_navbar(open_page, analyst: User, base_url: str):
    page = open_page("/login", PHONE)
    assert fits_the_screen(page)
    sign_in(page, analyst.email)
    page.wait_for_url(base_url + "/")

    assert fits_the_screen(page)
    clients_link = page.locator(".navbar-nav a[href='/clients']")
    assert not clients_link.is_visible()
    page.click(".navbar-toggler")
    clients_link.wait_for(state="visible")
    clients_link.click()
    page.wait_for_url(base_url + "/clients")
    assert fits_the_screen(page)


def test_every_request_stays_on_the_site(browser, base_url: str, admin: User):
    page = browser.new_page(viewport=DESKTOP)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    def note_refusal(response) -> None:  # type: ignore[no-untyped-def]
        if response.status >= 400:
            failed.append(response.url)

    page.on("response", note_refusal)
    try:
        page.goto(base_url + "/login")
        sign_in(page, admin.email)
        page.wait_for_url(base_url + "/")
        page.wait_for_load_state("networkidle")
    finally:
        page.close()

    assert requested
    assert [url for url in requested if not url.startswith(base_url)] == []
    assert failed == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_token_is_seen_once_and_revoked_then_a_new_password_signs_in(
    open_page, base_url: str, analyst: User, viewport: dict[str, int]
):
    page = open_page("/login", viewport)
    console = ConsoleWatch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, analyst.email)
    page.wait_for_url(base_url + "/")

    if viewport is PHONE:
        page.click(".navbar-toggler")
        page.locator("#main-nav.collapse.show").wait_for()  # opened, not still sliding open
    page.click(".user-menu .dropdown-toggle")
    page.click(".user-menu a[href='/account']")
    page.wait_for_url(base_url + "/account")
    assert page.locator("h1").inner_text().strip() == "Your account"
    assert page.locator("#api-docs-link").get_attribute("href") == "/api/docs"

    page.select_option("#token-expires_in_days", "7")
    page.click("#new-token-form button[type=submit]")
    secret = page.input_value("#new-token-secret")
    assert secret.startswith("pzk_")
    page.wait_for_load_state("load")  # the copy button's script has run (slow on a busy machine)
    page.click("button[data-copy='new-token-secret']")
    page.locator("#new-token-copied").filter(has_text="Copied").wait_for()
    assert fits_the_screen(page)
    screenshot(page, "account-new-token")
    assert_accessible(page, "account-new-token")

    page.goto(base_url + "/account")
    assert page.locator("#new-token-secret").count() == 0 and secret not in page.content()
    row = page.locator("#token-table tbody tr").first
    assert "Active" in row.inner_text()
    row.locator("button[type=submit]").click()
    page.wait_for_url(base_url + "/account")
    assert "is revoked" in page.locator(".alert-success").inner_text()
    assert "Revoked" in page.locator("#token-table tbody tr").first.inner_text()

    page.fill("#password-current_password", "correct horse battery")
    page.fill("#password-password", NEW_PASSWORD)
    page.fill("#password-password_confirmation", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    page.wait_for_url(base_url + "/account")
    assert "Your password is changed." in page.locator(".alert-success").inner_text()

    if viewport is PHONE:
        page.click(".navbar-toggler")
        page.locator("#main-nav.collapse.show").wait_for()  # opened, not still sliding open
    page.click(".user-menu .dropdown-toggle")
    page.click(".user-menu form[action='/logout'] button")
    page.wait_for_url(base_url + "/login")
    sign_in(page, analyst.email, NEW_PASSWORD)
    page.wait_for_url(base_url + "/")
    assert console.errors == []


def test_an_admin_sets_a_password_and_reactivates_a_user_on_a_phone(
    open_page, base_url: str, admin: User, make_user
):
    former = make_user("byla@prognoza.example", "analyst", active=False)
    page = open_page("/login", PHONE)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, admin.email)
    page.wait_for_url(base_url + "/")
    page.goto(base_url + "/users")

    row = page.locator(f"[data-user='{former.email}']")
    row.locator("summary").click()
    assert fits_the_screen(page)
    screenshot(page, "users-set-a-password")
    row.locator("input[type=password]").fill("set by the admin")
    row.locator("form[action$='/password'] button[type=submit]").click()
    page.wait_for_url(base_url + "/users")
    assert "has a new password" in page.locator(".alert-success").inner_text()
    page.locator(f"[data-user='{former.email}'] form[action$='/reactivate'] button").click()
    page.wait_for_url(base_url + "/users")
    assert "can sign in again" in page.locator(".alert-success").inner_text()
    assert fits_the_screen(page)
