"""After a month has passed for the demo company, in Chromium, in English and in Polish, on a desktop and
on a phone: the Monitoring card scores the predictions made before, the threshold advice draws the
expected and the realized profit, and What if… answers on the client page. Each page fits the screen,
passes axe-core's WCAG 2 A/AA checks and keeps its picture."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

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
from e2e.conftest import ADMIN_EMAIL, PASSWORD, add_user, app_on_instance
from e2e.test_demo_advance import advance
from e2e.test_web_client_page import first_client_id
from entrypoints.container import container_of

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "pl": "pl-PL"}


@pytest.fixture(scope="module")
def advanced_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("browser-advance") / "instance"
    shutil.copytree(demo_template, instance)
    app = app_on_instance(instance, sign_in_limit_per_account="100/minute")  # a sign-in per test
    add_user(app, ADMIN_EMAIL, "admin")
    moved = advance(app)
    assert moved.exit_code == 0, moved.output
    yield app
    container_of(app).engine().dispose()


@pytest.fixture(scope="module")
def base_url(advanced_app: Flask) -> Iterator[str]:
    with live_server(advanced_app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=["en", "pl"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Any, base_url: str, language: str) -> Iterator[Any]:
    context = browser.new_context(viewport=request.param, locale=LOCALES[language], base_url=base_url)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    opened.console_watch = ConsoleWatch(opened)
    opened.goto("/login")
    opened.fill("#email", ADMIN_EMAIL)
    opened.fill("#password", PASSWORD)
    opened.click("form[novalidate] button[type=submit]")
    opened.wait_for_url(f"{base_url}/")
    yield opened
    context.close()


def settle(page: Any, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(400)  # charts finish their short entrance animation
    assert fits_the_screen(page), f"{name} scrolls sideways at {page.viewport_size['width']} px"
    screenshot(page, name)
    assert_accessible(page, name)
    assert page.console_watch.errors == []


def test_the_monitoring_card_scores_the_month_that_passed(page: Any, language: str) -> None:
    page.goto("/ml#monitoring")

    card = page.locator("#monitoring")
    for model in ("sales", "purchase"):
        expect(card.locator(f'[data-model="{model}"] tbody tr')).to_have_count(1)
    charts = ["trend-chart-sales", "trend-chart-purchase", "lift-chart"]
    drawn = page.evaluate(f"{charts}.map(id => Chart.getChart(document.getElementById(id)) !== undefined)")
    assert drawn == [True, True, True]
    settle(page, "ml-monitoring-advanced")
    suffix = "" if language == "en" else f"-{language}"
    card.screenshot(
        path=str(SCREENSHOTS / f"monitoring-card-advanced{suffix}-{page.viewport_size['width']}.png")
    )


def test_the_profit_chart_draws_the_expected_and_the_realized_profit(page: Any, language: str) -> None:
    page.goto("/ml/threshold-advice?advice-cost_per_contact=5&advice-value_per_conversion=120#threshold")

    chart = page.locator("#profit-chart")
    expect(chart).to_be_visible()
    expect(page.locator("#advice-realized-best")).to_be_visible()
    drawn = page.evaluate("Chart.getChart(document.getElementById('profit-chart')).data.datasets.length")
    assert drawn == 4  # each curve and its best threshold
    settle(page, "ml-profit-chart")
    suffix = "" if language == "en" else f"-{language}"
    page.locator("#threshold").screenshot(
        path=str(SCREENSHOTS / f"threshold-card-advanced{suffix}-{page.viewport_size['width']}.png")
    )


def test_what_if_answers_on_the_client_page(page: Any, advanced_app: Flask, language: str) -> None:
    page.goto(f"/clients/{first_client_id(advanced_app)}")
    page.click("button[aria-controls=what-if-box]")

    page.fill("#whatif-purchases_30d", "12")

    page.wait_for_selector("#what-if-numbers:not([hidden])")
    assert page.inner_text("#what-if-chance").endswith("%")
    settle(page, "client-what-if")
