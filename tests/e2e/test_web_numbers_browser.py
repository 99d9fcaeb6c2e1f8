"""Polish in a real Chromium: a basket typed with a decimal comma, and filter menus shown whole."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from e2e.browser import DESKTOP, PHONE, chromium, live_server, screenshot
from e2e.conftest import PASSWORD, add_user, app_on_instance
from entrypoints.container import container_of

pytestmark = pytest.mark.browser

ANALYST_EMAIL = "liczby@example.com"
CLIPPED_SELECTS = """() => [...document.querySelectorAll("#client-filters select")].filter(select => {
    const style = getComputedStyle(select);
    const pen = document.createElement("canvas").getContext("2d");
    pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const longest = Math.max(...[...select.options].map(option => pen.measureText(option.text).width));
    return select.offsetParent !== null && longest > room;
}).map(select => select.id)"""
"""The visible filter menus too narrow for their longest choice: those a reader would see cut short."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def polish_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("browser-numbers") / "instance"
    shutil.copytree(demo_template, instance)
    app = app_on_instance(instance)
    add_user(app, ANALYST_EMAIL, "analyst")
    yield app
    container_of(app).engine().dispose()


@pytest.fixture(scope="module")
def base_url(polish_app: Flask) -> Iterator[str]:
    with live_server(polish_app) as url:
        yield url


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport=request.param, locale="pl-PL", base_url=base_url)
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    opened.goto("/login")
    opened.fill("#email", ANALYST_EMAIL)
    opened.fill("#password", PASSWORD)
    opened.click("form[novalidate] button[type=submit]")
    opened.wait_for_url(f"{base_url}/")
    yield opened
    context.close()


def test_the_client_list_filters_show_their_whole_choices_in_polish(page: Any):
    page.goto("/clients")

    assert page.locator("#filter-segment option").first.inner_text() == "Wszystkie segmenty"
    assert page.evaluate(CLIPPED_SELECTS) == []
    screenshot(page, "numbers-client-filters-pl")


def test_a_basket_typed_with_a_decimal_comma_is_stored_as_polish_means_it(page: Any, polish_app: Flask):
    width = page.viewport_size["width"]
    client = container_of(polish_app).register_client()(
        {
            "first_name": "Ola",
            "last_name": "Liczna",
            "email": f"ola{width}@example.com",
            "registered_on": "2024-01-01",
        }
    )
    page.goto(f"/clients/{client.id}")
    page.click("button[data-bs-target='#snapshot-form-box']")
    page.locator("#snapshot-form-box.show").wait_for()

    page.fill("#snapshot-purchases_30d", "2")
    page.fill("#snapshot-avg_basket_value", "149,90")
    page.fill("#snapshot-time_on_site_7d", "12,5")
    page.click("#snapshot-form button[type=submit]")
    page.wait_for_url(f"**/clients/{client.id}#activity")

    added, refreshed = page.locator(".alert-success").all_inner_texts()
    assert "Dodano stan aktywności z dnia" in added
    assert "Nowa prognoza:" in refreshed  # the new snapshot scored the client at once
    assert page.locator("#out-of-date").count() == 0
    [snapshot] = container_of(polish_app).client_activity()(client.id)
    assert snapshot.avg_basket_value == 149.90 and snapshot.time_on_site_7d == 12.5
    screenshot(page, "numbers-snapshot-added-pl")
