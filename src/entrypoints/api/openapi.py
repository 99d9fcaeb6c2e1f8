"""The OpenAPI document at /api/v1/openapi.json, and the interactive docs page at /api/docs.

spectree generates the document from the operations' models; a few finishing touches add what it
does not describe: errors are `application/problem+json`, dates in paths have their format, and the
operations' extras (the CSV export's media type, for one). The docs page is Swagger UI, served from
the app's own static files (copied from npm), so it works without network access.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from entrypoints.api.blueprint import EXTRAS, bp, spec

PROBLEM_MEDIA_TYPE = "application/problem+json"
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "observed_on": {
        "schema": {"type": "string", "format": "date"},
        "description": "The snapshot's observation date, YYYY-MM-DD.",
    },
    "client_id": {"description": "The client's id."},
    "user_id": {"description": "The user's id."},
    "run_id": {"description": "The training run's id."},
    "job_id": {"description": "The job's id, from the answer that started it."},
    "kind": {"description": "`sales` (linear regression) or `purchase` (logistic regression)."},
}
CREATED_HEADERS = {"Location": {"description": "The URL of what was created.", "schema": {"type": "string"}}}

docs = Blueprint("api_docs", __name__, url_prefix="/api", template_folder="templates", static_folder="static")

# Swagger UI draws with inline styles; everything else comes from this app, and only from it.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


@bp.get("/openapi.json", endpoint="openapi_document")
def openapi_json() -> Response:
    """The OpenAPI 3.1 description of this API (public)."""
    return jsonify(openapi_document())


@docs.get("/docs")
def docs_page() -> Response:
    """Swagger UI: try the API with a token, or with the panel's session (which needs the CSRF token)."""
    csrf_token = generate_csrf() if current_user.is_authenticated else ""
    page = render_template("api/docs.html", csrf_token=csrf_token)
    response = current_app.response_class(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
    return response


@cache
def _finished_document() -> dict[str, Any]:
    document = copy.deepcopy(spec.spec)
    for operation in _operations(document):
        _problems_as_problem_json(operation)
        _describe_path_parameters(operation)
        _document_created_location(operation)
        _merge(operation, EXTRAS.get(operation.get("operationId", ""), {}))
    return document


def openapi_document() -> dict[str, Any]:
    """The document, generated once per process (the operations do not change while it runs)."""
    return _finished_document()


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for path in document["paths"].values() for operation in path.values()]


def _problems_as_problem_json(operation: dict[str, Any]) -> None:
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {})
        if int(status) >= 400 and "application/json" in content:
            content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")


def _describe_path_parameters(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter["name"] in PATH_PARAMETERS:
            parameter.update(copy.deepcopy(PATH_PARAMETERS[parameter["name"]]))


def _document_created_location(operation: dict[str, Any]) -> None:
    for status in ("201", "202"):
        if status in operation.get("responses", {}):
            operation["responses"][status]["headers"] = copy.deepcopy(CREATED_HEADERS)


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
