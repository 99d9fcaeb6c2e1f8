"""The panel in a real Chromium: signing in, the language switch, a phone-sized screen, and no CDN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from domain.users import User
from e2e.browser import DESKTOP, PHONE, chromium, fits_the_screen, live_server

pytestmark = pytest.mark.browser


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
    page.wait_for_function("document.activeElement && document.activeElement.id === 'password'")


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
