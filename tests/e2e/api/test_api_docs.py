"""The OpenAPI document and the interactive docs page, which must work without network access."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from werkzeug.serving import make_server

from e2e.api.conftest import Api, a_client
from e2e.conftest import ADMIN_EMAIL, AuthActions, add_user

VENDOR = Path(__file__).resolve().parents[3] / "src" / "entrypoints" / "static" / "vendor"
ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture
def document(anonymous_api: Api) -> dict[str, Any]:
    response = anonymous_api.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return dict(response.get_json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_the_document_is_valid_openapi_3(document: dict[str, Any]) -> None:
    validate(document)

    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Prognoza API"
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "pzk_...",
    }


def test_every_operation_is_named_summarised_and_tagged_once(document: dict[str, Any]) -> None:
    described = operations(document)
    ids = [op["operationId"] for _, _, op in described]

    assert len(described) == 49 and len(set(ids)) == len(ids)
    assert all(op["summary"] and op["tags"] for _, _, op in described)
    assert all(path.startswith("/api/v1/") for _, path, _ in described)


def test_every_refusal_is_documented_as_problem_json(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        refusals = {status: response for status, response in op["responses"].items() if int(status) >= 400}
        if op.get("security") != []:
            assert {"401", "403"} <= set(refusals), (method, path)
        for response in refusals.values():
            assert list(response["content"]) == ["application/problem+json"], (method, path)


def test_the_inputs_are_the_applications_commands(document: dict[str, Any]) -> None:
    bodies = {
        op["operationId"]: next(iter(op["requestBody"]["content"].values()))["schema"]["$ref"].rsplit("/", 1)[
            -1
        ]
        for _, _, op in operations(document)
        if "requestBody" in op
    }

    assert bodies == {
        "issueToken": "TokenRequest",
        "createClient": "NewClient",
        "updateClient": "ClientChanges",
        "addSnapshot": "SnapshotEntry",
        "recordOutcomes": "Outcomes",
        "whatIf": "SnapshotChanges",
        "trainModel": "TrainingRequest",
        "adviseThreshold": "ThresholdAdviceRequest",
        "activateVersion": "VersionChoice",
        "setThreshold": "ThresholdChange",
        "setSegmentRule": "SegmentBands",
        "setCurrency": "CurrencyChange",
        "createUser": "NewUser",
        "changeRole": "RoleChange",
        "resetPassword": "PasswordChange",
        "importClients": "UpsertUpload",
        "importActivity": "UpsertUpload",
        "importOrders": "OrdersUpload",
        "importEvents": "CsvUpload",
        "buildSnapshots": "SnapshotBuild",
    }
    listing = next(op for _, _, op in operations(document) if op["operationId"] == "listClients")
    assert [p["name"] for p in listing["parameters"]] == [
        "q",
        "sort",
        "segment",
        "will_buy",
        "tier",
        "page",
        "per_page",
        "after",
        "before",
    ]


def test_the_export_is_documented_as_csv(document: dict[str, Any]) -> None:
    export = document["paths"]["/api/v1/clients/export.csv"]["get"]

    assert list(export["responses"]["200"]["content"]) == ["text/csv"]
    parameters = {p["name"]: p for p in export["parameters"]}
    assert list(parameters) == [
        "q",
        "sort",
        "segment",
        "will_buy",
        "tier",
        "limit",
        "ids",
        "dialect",
        "lang",
    ]
    limit = parameters["limit"]["schema"]["anyOf"][0]
    assert (limit["type"], limit["minimum"], limit["maximum"]) == ("integer", 1, 1_000_000)
    ids = parameters["ids"]["schema"]["anyOf"][0]
    assert (ids["type"], ids["minItems"], ids["maxItems"], ids["items"]["type"]) == (
        "array",
        1,
        100,
        "integer",
    )
    schemas = document["components"]["schemas"]
    assert schemas["ExportDialect"]["enum"] == ["plain", "excel"]
    assert schemas["ExportLanguage"]["enum"] == ["en", "pl"]
    assert "dialect=excel" in export["description"] and "422" in export["responses"]


def test_the_docs_page_uses_only_the_apps_own_files(client: FlaskClient) -> None:
    if not (VENDOR / "swagger-ui" / "swagger-ui-bundle.js").is_file():
        pytest.fail("front-end assets are missing: run `npm ci && npm run vendor`")

    page = client.get("/api/docs")

    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assets = ASSET.findall(page.get_data(as_text=True))
    assert len(assets) == 4 and all(url.startswith("/") and not url.startswith("//") for url in assets)
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        asset.close()
    script = client.get("/api/static/docs.js").get_data(as_text=True)
    assert "validatorUrl: null" in script and "http" not in script


def test_the_docs_page_carries_a_csrf_token_only_for_a_signed_in_browser(
    app: Flask, client: FlaskClient
) -> None:
    assert 'data-csrf-token=""' in client.get("/api/docs").get_data(as_text=True)
    add_user(app, ADMIN_EMAIL, "admin")
    AuthActions(client).login()

    assert 'data-csrf-token=""' not in client.get("/api/docs").get_data(as_text=True)


# --- In a real browser, with every request off the site refused -----------------------------------------


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def offline(base_url: str) -> Iterator[SimpleNamespace]:
    """A Chromium page that can reach this app only (anything else is aborted, as without network),
    with the URLs it tried off the site and the script errors it met."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        seen = SimpleNamespace(page=browser.new_page(), off_site=[], errors=[])

        def only_this_site(route: Any) -> None:
            if route.request.url.startswith(base_url):
                route.continue_()
            else:
                seen.off_site.append(route.request.url)
                route.abort()

        seen.page.route("**/*", only_this_site)
        seen.page.on("pageerror", lambda error: seen.errors.append(str(error)))
        yield seen
        browser.close()


@pytest.mark.browser
def test_the_docs_page_renders_every_operation_offline(
    offline: SimpleNamespace, base_url: str, document: dict[str, Any]
) -> None:
    page = offline.page
    page.goto(base_url + "/api/docs")
    page.wait_for_selector(".opblock")
    page.wait_for_load_state("networkidle")

    assert page.locator(".opblock").count() == len(operations(document))
    assert page.locator(".info .title").inner_text().startswith("Prognoza API")
    assert offline.off_site == [] and offline.errors == []


@pytest.mark.browser
def test_a_signed_in_browser_calls_the_api_from_the_docs_page_with_its_csrf_token(
    app: Flask, offline: SimpleNamespace, base_url: str
) -> None:
    add_user(app, ADMIN_EMAIL, "admin")
    page = offline.page
    page.goto(base_url + "/login")
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", "correct horse battery")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(base_url + "/")
    page.goto(base_url + "/api/docs")
    page.wait_for_selector(".opblock")

    statuses = page.evaluate(
        """async (client) => {
            const token = document.getElementById("swagger-ui").dataset.csrfToken;
            const post = (headers) => fetch("/api/v1/clients", {method: "POST", body: JSON.stringify(client),
                headers: {"Content-Type": "application/json", ...headers}});
            return [(await post({})).status, (await post({"X-CSRFToken": token})).status];
        }""",
        a_client(),
    )

    assert statuses == [400, 201]
