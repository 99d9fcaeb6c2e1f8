"""The Monitoring card in a real browser: it fits a phone's screen, its wide tables scrolling inside."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from e2e.browser import DESKTOP, PHONE, SCREENSHOTS, chromium, fits_the_screen, live_server, screenshot
from e2e.conftest import ADMIN_EMAIL, PASSWORD, add_user, app_on_instance
from e2e.test_web_monitoring import score_labelled_snapshots
from entrypoints.container import container_of


@pytest.fixture(scope="module")
def base_url(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = tmp_path_factory.mktemp("browser-monitoring") / "instance"
    shutil.copytree(demo_template, instance)
    app: Flask = app_on_instance(instance)
    add_user(app, ADMIN_EMAIL, "admin")
    score_labelled_snapshots(app)
    with live_server(app) as url:
        yield url
    container_of(app).engine().dispose()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_monitoring_card_fits_the_screen(base_url: str, viewport: dict[str, int]) -> None:
    with chromium() as browser:
        page: Any = browser.new_context(viewport=viewport, locale="en-GB", base_url=base_url).new_page()
        page.set_default_timeout(30_000)
        page.goto("/login")
        page.fill("#email", ADMIN_EMAIL)
        page.fill("#password", PASSWORD)
        page.click("form[novalidate] button[type=submit]")
        page.wait_for_url(f"{base_url}/")

        page.goto("/ml#monitoring")
        page.wait_for_load_state("networkidle")

        card = page.locator("#monitoring")
        assert card.locator("table").count() == 2
        assert card.locator("tbody tr").count() == 2
        page.locator(
            "#monitoring .table-responsive"
        ).first.focus()  # a table wider than a phone scrolls by keys
        page.keyboard.press("ArrowRight")
        assert fits_the_screen(page), f"the ML page scrolls sideways at {viewport['width']} px"
        screenshot(page, "ml-monitoring")
        card.screenshot(path=str(SCREENSHOTS / f"monitoring-card-{viewport['width']}.png"))
