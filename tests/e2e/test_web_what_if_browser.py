"""The "What if…" card in Chromium: a changed value updates the predictions in place, storing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from domain.users import User
from e2e.browser import PHONE, ConsoleWatch, chromium, fits_the_screen, live_server, screenshot
from e2e.conftest import PASSWORD
from e2e.test_web_client_page import detail_of, first_client_id

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_a_changed_value_updates_the_predictions_without_a_page_load(
    browser: Any, demo_app: Flask, demo_analyst: User
) -> None:
    client_id = first_client_id(demo_app)
    before = detail_of(demo_app, client_id)
    with live_server(demo_app) as base_url:
        page = browser.new_page(viewport=PHONE)
        watch = ConsoleWatch(page)
        page.goto(base_url + "/login")
        page.fill("#email", demo_analyst.email)
        page.fill("#password", PASSWORD)
        page.click("form[novalidate] button[type=submit]")
        page.wait_for_url(base_url + "/")
        page.goto(f"{base_url}/clients/{client_id}")
        page.click("button[aria-controls=what-if-box]")
        page.evaluate("window.stillTheSamePage = true")

        page.fill("#whatif-purchases_30d", "12")
        page.wait_for_selector("#what-if-numbers:not([hidden])")
        first = page.inner_text("#what-if-forecast")
        page.fill("#whatif-avg_basket_value", "2500")
        expect(page.locator("#what-if-forecast")).not_to_have_text(first)

        assert page.evaluate("window.stillTheSamePage") is True
        assert page.inner_text("#what-if-chance").endswith("%")
        assert page.locator("#what-if-factors li").count() > 0
        assert fits_the_screen(page)
        screenshot(page, "client-what-if")
        page.fill("#whatif-site_visits_30d", "-1")
        page.wait_for_selector("#whatif-site_visits_30d.is-invalid")  # refused by the API
        page.fill("#whatif-site_visits_30d", "20")
        page.fill("#whatif-avg_basket_value", "149,90")  # a decimal comma, which English does not write
        page.wait_for_selector("#whatif-avg_basket_value.is-invalid")
        assert page.locator("#what-if-problem").is_visible()
        assert watch.errors == [] or all("422" in error for error in watch.errors)
        page.close()
    after = detail_of(demo_app, client_id)
    assert (after.activity, after.prediction_history) == (before.activity, before.prediction_history)
