"""The account page in a real Chromium: a token seen once and revoked, then a new password to sign in with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from domain.users import User
from e2e.browser import DESKTOP, PHONE, ConsoleWatch, chromium, fits_the_screen, live_server, screenshot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new secret"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    with live_server(app) as url:
        yield url


def sign_in(page: Any, email: str, password: str) -> None:
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form[novalidate] button[type=submit]")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_token_is_seen_once_and_revoked_then_a_new_password_signs_in(
    browser: Any, base_url: str, analyst: User, viewport: dict[str, int]
) -> None:
    page = browser.new_page(viewport=viewport)
    console = ConsoleWatch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base_url + "/login")
    sign_in(page, analyst.email, "correct horse battery")
    page.wait_for_url(base_url + "/")

    if viewport is PHONE:
        page.click(".navbar-toggler")
    page.click(".user-menu .dropdown-toggle")
    page.click(".user-menu a[href='/account']")
    page.wait_for_url(base_url + "/account")
    assert page.locator("h1").inner_text().strip() == "Your account"
    assert page.locator("#api-docs-link").get_attribute("href") == "/api/docs"

    page.select_option("#token-expires_in_days", "7")
    page.click("#new-token-form button[type=submit]")
    secret = page.input_value("#new-token-secret")
    assert secret.startswith("pzk_")
    page.click("button[data-copy='new-token-secret']")
    page.locator("#new-token-copied").filter(has_text="Copied").wait_for()
    assert fits_the_screen(page)
    screenshot(page, "account-new-token")

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
    page.click(".user-menu .dropdown-toggle")
    page.click(".user-menu form[action='/logout'] button")
    page.wait_for_url(base_url + "/login")
    sign_in(page, analyst.email, NEW_PASSWORD)
    page.wait_for_url(base_url + "/")
    assert console.errors == []
    page.close()


def test_an_admin_sets_a_password_and_reactivates_a_user_on_a_phone(
    browser: Any, base_url: str, admin: User, make_user: Any
) -> None:
    former = make_user("byla@prognoza.example", "analyst", active=False)
    page = browser.new_page(viewport=PHONE)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base_url + "/login")
    sign_in(page, admin.email, "correct horse battery")
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
    page.close()
