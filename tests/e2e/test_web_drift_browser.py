"""The "consider retraining" notice and the drift tables in a real browser: shown, on a phone's screen too,
and free of accessibility violations."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from e2e.browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    assert_accessible,
    chromium,
    fits_the_screen,
    live_server,
    screenshot,
)
from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL, PASSWORD, add_user, app_on_instance
from e2e.drift_companies import drifting_template  # noqa: F401  (a fixture)
from entrypoints.container import container_of


@pytest.fixture(scope="module")
def base_url(drifting_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    instance = tmp_path_factory.mktemp("browser-drift") / "instance"
    shutil.copytree(drifting_template, instance)
    app: Flask = app_on_instance(instance)
    add_user(app, ADMIN_EMAIL, "admin")
    add_user(app, ANALYST_EMAIL, "analyst")
    with live_server(app) as url:
        yield url
    container_of(app).engine().dispose()


def signed_in_page(browser: Any, base_url: str, viewport: dict[str, int], email: str) -> Any:
    page = browser.new_context(viewport=viewport, locale="en-GB", base_url=base_url).new_page()
    page.set_default_timeout(30_000)
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_dashboard_shows_the_notice_to_an_admin_with_the_button(
    base_url: str, viewport: dict[str, int]
) -> None:
    with chromium() as browser:
        page = signed_in_page(browser, base_url, viewport, ADMIN_EMAIL)
        page.wait_for_load_state("networkidle")

        notice = page.locator('.retraining-notice[data-model="sales"]')
        assert notice.is_visible()
        assert "Consider retraining" in notice.inner_text() and "Average basket value" in notice.inner_text()
        assert notice.locator('button[data-retrain="sales"]').is_visible()
        assert fits_the_screen(page), f"the dashboard scrolls sideways at {viewport['width']} px"
        assert_accessible(page, "dashboard with the retraining notice")
        screenshot(page, "dashboard-retraining")


def test_an_analyst_reads_the_notice_and_the_drift_tables_without_a_button(base_url: str) -> None:
    with chromium() as browser:
        page = signed_in_page(browser, base_url, PHONE, ANALYST_EMAIL)
        assert page.locator(".retraining-notice").first.is_visible()
        assert page.locator("[data-retrain]").count() == 0

        page.goto("/ml#drift")
        page.wait_for_load_state("networkidle")

        assert page.locator("#drift table.drift-table").count() == 2
        assert fits_the_screen(page), "the ML page scrolls sideways on a phone"
        assert_accessible(page, "ML page with the drift tables")
        page.locator("#drift").screenshot(path=str(SCREENSHOTS / "drift-card-375.png"))
