"""The Calibration card in a real browser: the reliability chart is drawn with its diagonal, the test
month's and the realized series, it fits a phone's screen, and passes axe-core in each language."""

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
    ConsoleWatch,
    assert_accessible,
    chromium,
    fits_the_screen,
    live_server,
    screenshot,
)
from e2e.conftest import ANALYST_EMAIL, PASSWORD, add_user, app_on_instance
from e2e.test_web_monitoring import score_labelled_snapshots
from entrypoints.container import container_of

LOCALES = {"en": "en-GB", "pl": "pl-PL"}


@pytest.fixture(scope="module")
def base_url(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = tmp_path_factory.mktemp("browser-calibration") / "instance"
    shutil.copytree(demo_template, instance)
    app: Flask = app_on_instance(instance)
    add_user(app, ANALYST_EMAIL, "analyst")
    score_labelled_snapshots(app)
    with live_server(app) as url:
        yield url
    container_of(app).engine().dispose()


@pytest.mark.parametrize(
    ("language", "viewport"),
    [("en", DESKTOP), ("en", PHONE), ("pl", DESKTOP)],
    ids=["en-desktop", "en-phone", "pl-desktop"],
)
def test_an_analyst_reads_the_reliability_chart(
    base_url: str, language: str, viewport: dict[str, int]
) -> None:
    with chromium() as browser:
        context = browser.new_context(viewport=viewport, locale=LOCALES[language], base_url=base_url)
        page: Any = context.new_page()
        page.set_default_timeout(30_000)
        errors = ConsoleWatch(page)
        page.goto("/login")
        page.fill("#email", ANALYST_EMAIL)
        page.fill("#password", PASSWORD)
        page.click("form[novalidate] button[type=submit]")
        page.wait_for_url(f"{base_url}/")

        page.goto("/ml#calibration")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(400)  # the chart's short entrance animation

        series = page.evaluate(
            "() => Chart.getChart(document.getElementById('calibration-chart')).data.datasets"
            ".map(d => ({points: d.data.length, first: d.data[0]}))"
        )
        assert len(series) == 3 and series[0]["points"] == 2  # diagonal, test month, realized
        assert series[0]["first"] == {"x": 0, "y": 0}
        assert all(0 <= s["first"]["x"] <= 1 and 0 <= s["first"]["y"] <= 1 for s in series[1:])
        card = page.locator("#calibration")
        assert card.locator("#calibration-hold-out-brier").inner_text() != "—"
        assert card.locator("#calibration-realized-brier").inner_text() != "—"
        assert card.locator("form, button").count() == 0
        assert fits_the_screen(page), f"the ML page scrolls sideways at {viewport['width']} px"
        assert_accessible(page, "ml-calibration")
        screenshot(page, "ml-calibration")
        suffix = "" if language == "en" else f"-{language}"
        card.screenshot(path=str(SCREENSHOTS / f"calibration-card{suffix}-{viewport['width']}.png"))
        assert errors.errors == []
        context.close()
