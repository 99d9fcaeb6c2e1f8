"""The client list's priorities and the client page's lifetime card in Chromium, on a phone and a desktop,
in English and Polish: they fit the screen and read well to assistive technology."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

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
from e2e.conftest import PASSWORD, train_lifetime_model
from e2e.test_web_lifetime import clients_by_lifetime

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_priorities_and_the_lifetime_card_fit_the_screen_and_read_well(
    browser: Any, demo_app: Flask, demo_analyst: User, viewport: dict[str, int]
) -> None:
    train_lifetime_model(demo_app)
    client_id = clients_by_lifetime(demo_app)[None]
    width = viewport["width"]
    with live_server(demo_app) as base_url:
        for language, locale in (("en", "en-GB"), ("pl", "pl-PL")):
            context = browser.new_context(viewport=viewport, locale=locale, base_url=base_url)
            page = context.new_page()
            watch = ConsoleWatch(page)
            page.goto("/login")
            page.fill("#email", demo_analyst.email)
            page.fill("#password", PASSWORD)
            page.click("form[novalidate] button[type=submit]")
            page.wait_for_url(base_url + "/")
            page.goto("/clients?tier=1")
            assert page.locator("#client-table .tier-badge").count() > 0
            assert fits_the_screen(page)
            assert_accessible(page, f"clients-top-tier-{language}-{width}")
            page.goto(f"/clients/{client_id}")
            assert page.locator("#lifetime-alive").is_visible()
            assert page.locator("#contact-tier .tier-badge").is_visible()
            assert fits_the_screen(page)
            assert_accessible(page, f"client-lifetime-{language}-{width}")
            screenshot(page, "client-lifetime")
            assert watch.errors == []
            context.close()
