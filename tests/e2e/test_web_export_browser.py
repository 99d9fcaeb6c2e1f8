"""Exporting the list on screen in Chromium, in Polish: the top 50 for Excel of the list sorted by the
chance of buying, the ticked rows only, and the dashboard's one-click export of the top 50."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from e2e.browser import DESKTOP, PHONE, ConsoleWatch, chromium, fits_the_screen, live_server, screenshot
from e2e.conftest import ADMIN_EMAIL, PASSWORD, add_user, app_on_instance
from entrypoints.container import container_of

pytestmark = pytest.mark.browser

POLISH_HEADERS = [
    "ID klienta",
    "Imię",
    "Nazwisko",
    "E-mail",
    "Data rejestracji",
    "Prognoza na przyszły miesiąc (PLN)",
    "Szansa zakupu w ciągu 14 dni",
    "Prawdopodobny zakup",
    "Segment",
    "Priorytet kontaktu",
]
ON_SCREEN = "#client-table .client-link"


@pytest.fixture(scope="module")
def base_url(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = tmp_path_factory.mktemp("browser-export") / "instance"
    shutil.copytree(demo_template, instance)
    app: Flask = app_on_instance(instance)
    add_user(app, ADMIN_EMAIL, "admin")
    with live_server(app) as url:
        yield url
    container_of(app).engine().dispose()


@pytest.fixture
def page(request: pytest.FixtureRequest, base_url: str) -> Iterator[Any]:
    """A Polish browser (so a Polish panel), signed in as an admin; a phone's for a test named so."""
    viewport = PHONE if request.node.name.endswith("phone") else DESKTOP
    with chromium() as browser:
        context = browser.new_context(
            viewport=viewport, locale="pl-PL", base_url=base_url, accept_downloads=True
        )
        opened = context.new_page()
        opened.set_default_timeout(30_000)
        opened.console_watch = ConsoleWatch(opened)
        opened.goto("/login")
        opened.fill("#email", ADMIN_EMAIL)
        opened.fill("#password", PASSWORD)
        opened.click("form[novalidate] button[type=submit]")
        opened.wait_for_url(f"{base_url}/")
        yield opened
        outcome = getattr(request.node, "rep_call", None)
        if outcome is not None and outcome.failed:
            screenshot(opened, f"failed-{request.node.name}")
        context.close()


def downloaded(page: Any, click: str) -> tuple[str, bytes]:
    with page.expect_download() as download:
        page.click(click)
    path = download.value.path()
    return download.value.suggested_filename, Path(path).read_bytes()


def polish_sheet(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def client_ids(page: Any) -> list[str]:
    return [
        href.rsplit("/", 1)[1]
        for href in page.eval_on_selector_all(ON_SCREEN, "links => links.map(a => a.href)")
    ]


def test_the_top_50_by_chance_of_buying_export_for_polish_excel(page: Any) -> None:
    page.goto("/clients?sort=-purchase_probability&per_page=50")
    assert page.locator("html").get_attribute("lang") == "pl"
    on_screen = client_ids(page)
    assert len(on_screen) == 50

    page.click("#export-toggle")
    assert page.locator("#export-form").is_visible()
    assert fits_the_screen(page)
    assert page.input_value("#export-limit") == "50"  # the page size on screen
    assert page.locator("#export-dialect option:checked").inner_text() == "Excel (Polski)"
    page.check("#export-scope-top")
    screenshot(page, "clients-export")
    name, data = downloaded(page, "#export-submit")

    assert re.fullmatch(r"prognoza-clients-\d{4}-\d\d-\d\d-PLN-excel-pl\.csv", name)
    rows = polish_sheet(data)
    assert rows[0] == POLISH_HEADERS
    assert len(rows) == 51
    assert [row[0] for row in rows[1:]] == on_screen  # the list on screen, in its order
    chances = [float(row[6].rstrip("%").replace(",", ".")) for row in rows[1:]]
    assert all(re.fullmatch(r"\d{1,3},\d\d%", row[6]) for row in rows[1:])
    assert chances == sorted(chances, reverse=True)
    assert all(re.fullmatch(r"-?\d+,\d\d", row[5]) for row in rows[1:])
    assert {row[7] for row in rows[1:]} <= {"Tak", "Nie"}
    assert {row[8] for row in rows[1:]} <= {"Wysoki", "Średni", "Niski"}
    assert not page.console_watch.errors


def test_the_ticked_rows_export_just_those(page: Any) -> None:
    page.goto("/clients?sort=-purchase_probability&per_page=25")
    on_screen = client_ids(page)
    boxes = page.locator("#client-table .row-choice")
    for index in (9, 2, 5):
        boxes.nth(index).check()
    assert page.is_checked("#export-scope-selected")  # ticking a row chooses "the ticked rows"
    assert page.locator("#export-chosen-count").text_content() == "(3)"
    page.click("#export-toggle")
    name, data = downloaded(page, "#export-submit")

    rows = polish_sheet(data)
    assert [row[0] for row in rows[1:]] == [on_screen[2], on_screen[5], on_screen[9]]

    page.goto("/clients?sort=-purchase_probability&per_page=25")
    page.check("#choose-all")  # every row of the page
    assert page.locator("#client-table .row-choice:checked").count() == 25
    page.click("#export-toggle")
    page.select_option("#export-dialect", "plain")
    name, data = downloaded(page, "#export-submit")

    assert name.endswith("-PLN.csv") and not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [row["id"] for row in rows] == client_ids(page)
    assert not page.console_watch.errors


def test_the_dashboard_exports_the_top_50_for_excel_in_one_click(page: Any) -> None:
    page.goto("/")
    name, data = downloaded(page, "#export-top-excel")

    rows = polish_sheet(data)
    assert name.endswith("-PLN-excel-pl.csv")
    assert rows[0] == POLISH_HEADERS and len(rows) == 51
    page.goto("/clients?sort=-expected_value&per_page=50")
    assert [row[0] for row in rows[1:]] == client_ids(page)


def test_the_export_form_fits_a_phone(page: Any) -> None:
    page.goto("/clients?sort=-purchase_probability")
    page.click("#export-toggle")

    box = page.locator("#export-form").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert fits_the_screen(page)
    assert not page.locator("#client-table .row-choice").first.is_visible()  # no room for ticks on a phone
    assert not page.locator("#export-scope-selected").is_visible()
    screenshot(page, "clients-export")
