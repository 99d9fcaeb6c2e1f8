"""The whole panel in Chromium, on a desktop and on a phone: a day's work of an admin, screenshots included.

One trained and scored demo company, one live server and one browser serve the module; the journey at
each width signs in, reads the dashboard and its chart, filters and sorts the client list, opens a client,
trains a model from the ML panel, watches the new version appear and scores every client again, visits
users and import, signs out; an analyst reads the ML panel without its controls, in English and in
Polish. Every page the journeys settle on passes axe-core's WCAG 2 A/AA checks with no critical or
serious violation.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask

from adapters.jobs import ThreadJobRunner
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
from e2e.conftest import ADMIN_EMAIL, ANALYST_EMAIL, PASSWORD, add_user, app_on_instance
from entrypoints.container import container_of

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "pl": "pl-PL"}  # the browser's language, which the panel follows
FORBIDDEN = {"en": "You don't have access to this page", "pl": "Nie masz dostępu do tej strony"}


class GatedJobRunner:
    """The app's background runner, whose jobs wait for the test to open the gate.

    So the page is sure to show a run in progress, and the test sees it follow the run to its end.
    """

    shares_work = False

    def __init__(self, perform: Callable[[str], object]) -> None:
        self._perform = perform
        self._runner = ThreadJobRunner(self._when_let_through)
        self.gate = threading.Event()

    def _when_let_through(self, job_id: str) -> None:
        self.gate.wait(timeout=60)
        self._perform(job_id)

    def submit(self, job_id: str) -> None:
        self._runner.submit(job_id)

    def shutdown(self) -> None:
        self._runner.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def panel_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("browser-panel") / "instance"
    shutil.copytree(demo_template, instance)
    app = app_on_instance(instance)
    add_user(app, ADMIN_EMAIL, "admin")
    add_user(app, ANALYST_EMAIL, "analyst")
    runner = GatedJobRunner(container_of(app).job_performer())
    container_of(app).job_runner.override(providers.Object(runner))
    yield app
    runner.gate.set()  # a run a failed test left waiting may finish, so the worker thread can stop
    runner.shutdown()
    container_of(app).engine().dispose()


@pytest.fixture(scope="module")
def base_url(panel_app: Flask) -> Iterator[str]:
    with live_server(panel_app) as url:
        yield url


@pytest.fixture
def language() -> str:
    """English, unless a test is parametrized over the languages."""
    return "en"


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Any, base_url: str, language: str) -> Iterator[Any]:
    context = browser.new_context(viewport=request.param, locale=LOCALES[language], base_url=base_url)
    opened = context.new_page()
    opened.set_default_timeout(30_000)  # a busy CI machine runs other tests beside the browser
    opened.console_watch = ConsoleWatch(opened)
    yield opened
    outcome = getattr(request.node, "rep_call", None)
    if outcome is not None and outcome.failed:
        screenshot(opened, f"failed-{request.node.name}")  # what the page showed when the test gave up
    context.close()


def is_phone(page: Any) -> bool:
    return page.viewport_size["width"] < 576


def visit(page: Any, path: str, name: str) -> None:
    """Open a page, check it fits the screen, and keep its picture."""
    page.goto(path)
    settle(page, name)


def settle(page: Any, name: str) -> None:
    """Once the page is still: it fits the screen, keeps its picture and passes axe-core's WCAG checks."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(400)  # charts finish their short entrance animation
    assert fits_the_screen(page), f"{name} scrolls sideways at {page.viewport_size['width']} px"
    screenshot(page, name)
    assert_accessible(page, name)


def sign_in(page: Any, email: str) -> None:
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form[novalidate] button[type=submit]")


def open_menu_on_a_phone(page: Any) -> None:
    if is_phone(page) and not page.locator("#main-nav").is_visible():
        page.click(".navbar-toggler")
        page.locator("#main-nav.collapse.show").wait_for()  # opened, not still sliding open


def test_an_admins_day_in_the_panel(page: Any, base_url: str, panel_app: Flask):
    # Signing in, after asking for a page: the panel remembers where the admin was going.
    page.goto("/clients?sort=email")
    page.wait_for_url("**/login?next=*")
    settle(page, "login")
    sign_in(page, ADMIN_EMAIL)
    page.wait_for_url(f"{base_url}/clients?sort=email")

    # The dashboard: its cards, and the sales trend drawn by Chart.js.
    visit(page, "/", "dashboard")
    assert page.locator("#stat-clients .stat-value").inner_text() == "300"
    assert "≥ 70%" in page.locator("#stat-buyers").inner_text()
    chart = page.locator("#sales-trend-chart")
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 150
    drawn = "Chart.getChart(document.getElementById('sales-trend-chart')).data.datasets.length"
    assert page.evaluate(drawn) == 2

    # The client list: filter by segment, sort by forecast both ways.
    visit(page, "/clients", "clients")
    page.select_option("#filter-segment", "low")
    page.wait_for_url("**/clients?*segment=low*")
    if is_phone(page):
        page.select_option("#filter-sort", "-predicted_sales")
        page.wait_for_url("**sort=-predicted_sales*")
    else:
        page.click("#client-table th a[href*='sort=-predicted_sales']")
        page.wait_for_url("**sort=-predicted_sales*")
        page.click("#client-table th a[href*='sort=predicted_sales']")
        page.wait_for_url("**sort=predicted_sales*")
    badges = page.locator("#client-table .segment-badge:visible").all_inner_texts()
    assert badges and set(badges) == {"Low"}
    settle(page, "clients-filtered")

    # A client's page: the probability bar, coloured and as long as the probability.
    page.locator("#client-table a.client-link").first.click()
    page.wait_for_url("**/clients/*")
    settle(page, "client")
    bar = page.locator(".probability-track .progress-bar")
    assert bar.get_attribute("class") and "probability-" in (bar.get_attribute("class") or "")
    width = bar.bounding_box()
    assert width and width["width"] > 0
    assert page.locator(".threshold-mark").bounding_box()
    assert page.evaluate("Chart.getChart(document.getElementById('activity-chart')) !== undefined")

    # The ML panel: train the sales model and watch the new version arrive without reloading by hand.
    visit(page, "/ml", "ml")
    sales = page.locator("#model-sales")
    before = int(sales.locator("[data-active-version]").first.get_attribute("data-active-version") or 0)
    runner = container_of(panel_app).job_runner()
    runner.gate.clear()
    sales.locator("button[data-train=sales]").click()
    page.wait_for_url("**/ml#model-sales")
    page.locator("#model-sales [data-poll-url]").wait_for(state="visible")
    assert page.locator("#model-sales button[data-train=sales]").is_disabled()
    screenshot(page, "ml-training")
    runner.gate.set()
    page.locator(f'#model-sales [data-active-version="{before + 1}"]').wait_for(timeout=30_000)
    assert "is trained" in page.locator("#run-finished").inner_text()
    page.locator("#model-sales [data-poll-url]").wait_for(state="detached")
    assert page.locator('#model-sales [data-metric="r2"]').is_visible()
    assert page.locator(f'#model-sales [data-runs] [data-version="{before}"] [data-activate]').count() == 1
    assert page.evaluate("Chart.getChart(document.getElementById('coefficients-sales')) !== undefined")
    assert page.evaluate("Chart.getChart(document.getElementById('threshold-chart')) !== undefined")
    settle(page, "ml-trained")

    # The new version leaves every client's predictions out of date: the panel offers to score them all.
    page.locator("#rescore-offer").wait_for()
    page.click("#rescore-now")
    page.locator("#scoring .scoring-status").wait_for()
    page.locator("#scoring [data-poll-url]").wait_for(state="detached", timeout=30_000)
    assert "clients scored with sales" in page.locator("#scoring .scoring-status").inner_text()
    assert page.locator("#rescore-offer").count() == 0

    visit(page, "/users", "users")
    assert page.locator("#user-table .user-row").count() == 2
    visit(page, "/import", "import")

    # Signing out, through the (collapsed, on a phone) navigation bar.
    open_menu_on_a_phone(page)
    page.click(".user-menu .dropdown-toggle")
    page.locator(".user-menu .dropdown-menu.show").wait_for()
    page.click(".user-menu button[type=submit]")
    page.wait_for_url("**/login")
    assert "You have been signed out." in page.locator(".flashes").inner_text()

    assert page.console_watch.errors == []


@pytest.mark.parametrize("language", ["en", "pl"])
def test_an_analyst_reads_the_ml_panel_and_every_page_reads_well_in_each_language(
    page: Any, base_url: str, language: str
):
    visit(page, "/login", "analyst-login")
    sign_in(page, ANALYST_EMAIL)
    page.wait_for_url(f"{base_url}/")
    settle(page, "analyst-dashboard")

    open_menu_on_a_phone(page)
    links = page.locator(".navbar-nav .nav-link").evaluate_all("links => links.map(link => link.pathname)")
    assert links == ["/", "/clients", "/import", "/ml"]

    visit(page, "/ml", "ml-analyst")
    assert page.locator('#model-purchase [data-metric="f1"]').is_visible()
    assert page.locator("#model-sales [data-runs]").is_visible()
    assert page.locator("form[method=post][action^='/ml'], #score-all").count() == 0
    visit(page, "/account", "account")

    response = page.goto("/users")
    assert response is not None and response.status == 403
    settle(page, "forbidden")
    assert page.locator("h1").inner_text() == FORBIDDEN[language]

    if language != "en":  # the admin's day walks these pages in English
        page.context.clear_cookies()
        page.goto("/login")
        sign_in(page, ADMIN_EMAIL)
        page.wait_for_url(f"{base_url}/")
        for path, name in (("/", "dashboard"), ("/clients", "clients"), ("/ml", "ml"), ("/users", "users")):
            visit(page, path, name)
        page.goto("/clients")
        page.locator("#client-table a.client-link").first.click()
        page.wait_for_url("**/clients/*")
        settle(page, "client")
        visit(page, "/import", "import")
    assert [e for e in page.console_watch.errors if "403" not in e] == []
