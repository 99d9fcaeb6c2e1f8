"""The REST API, version 1, under /api/v1: everything the panel can do, as JSON.

Routes register on the blueprint when their modules are imported below; `init_app` puts the API
and its docs page on the app.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from entrypoints.api import (  # noqa: F401  (routes register on bp)
    activity,
    clients,
    dashboard,
    lifetime,
    models,
    openapi,
    predictions,
    settings,
    snapshots,
    tokens,
    transfers,
    users,
)
from entrypoints.api.blueprint import bp
from entrypoints.api.openapi import docs

API_PREFIX = "/api/"


def init_app(app: Flask) -> None:
    # Bearer requests carry no cookie to forge; session requests are checked in `security.caller`.
    app.extensions["csrf"].exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(docs)
    app.after_request(_explain_refusals)


def _explain_refusals(response: Response) -> Response:
    """What RFC 9110 asks of a 401 and a 405, for the API's answers (the handlers build their own)."""
    if not request.path.startswith(API_PREFIX):
        return response
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="Prognoza API"')
    elif response.status_code == 405:
        methods = current_app.url_map.bind_to_environ(request.environ).allowed_methods()
        response.headers.setdefault("Allow", ", ".join(sorted(methods)))
    return response
