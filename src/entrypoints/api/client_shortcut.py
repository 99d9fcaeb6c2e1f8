"""GET /api/v1/clients/{id} for a caller already known, answered before the app's own request handling:
the request other systems make most often, at a fraction of its cost.

A request is answered here only as the app would answer it, with the client: a GET of that route, with
no query and no cookie, signed with a token whose owner the app remembers (`TokenCache`) and may read
clients, for a client on record. Its answer is the app's, to the byte, with the headers the app's hooks
give every response. Anything else goes on to the app, which answers it, a refusal or an error included,
and remembers the owner of a valid token for the next request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from application.tokens import InvalidToken
from entrypoints.api import schemas
from entrypoints.api.security import secret_of
from entrypoints.headers import security_headers
from entrypoints.observability import REQUEST_ID_HEADER, request_id

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

    from entrypoints.container import Container

log = logging.getLogger(__name__)

ENDPOINT = "api.get_client"
_REQUEST_ID_KEY = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
"""Where WSGI puts the caller's request id header."""


class ClientShortcut:
    """WSGI middleware in front of `app`'s own WSGI application."""

    def __init__(self, app: Flask, container: Container, *, production: bool) -> None:
        self.url_map = app.url_map
        self.inner: WSGIApplication = app.wsgi_app
        self.container = container
        # As the app's hooks give them: Flask-Login reads the session of every response, hence Vary.
        self.headers = [("Content-Type", "application/json"), ("Vary", "Cookie")]
        self.headers += security_headers(production=production).items()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self._answer(environ)
        except Exception:  # the app answers, as it answers any error: its handlers, its logs
            log.warning("the client shortcut failed; the app answers", exc_info=True)
            body = None
        if body is None:
            return self.inner(environ, start_response)
        incoming = environ.get(_REQUEST_ID_KEY, "")
        start_response(
            "200 OK",
            [
                *self.headers,
                ("Content-Length", str(len(body))),
                (REQUEST_ID_HEADER, request_id(incoming)),
            ],
        )
        return [body]

    def _answer(self, environ: WSGIEnvironment) -> bytes | None:
        """The client as JSON, or None when the app answers."""
        if environ["REQUEST_METHOD"] != "GET" or environ.get("QUERY_STRING") or "HTTP_COOKIE" in environ:
            return None
        router = self.url_map.bind_to_environ(environ)
        client_id = _client_id(router)
        secret = _secret(environ)
        if client_id is None or secret is None:
            return None
        overview = self.container.remembered_callers_overview()(secret, client_id)
        if overview is None:
            return None
        answer = schemas.ClientDetailOut.of_overview(
            overview, lambda endpoint, **values: router.build(endpoint, values)
        )
        return answer.model_dump_json().encode()


def _client_id(router: MapAdapter) -> int | None:
    try:
        endpoint, values = router.match(method="GET")
    except HTTPException:  # no route, another method, a redirect (to the path with a slash)
        return None
    return values["client_id"] if endpoint == ENDPOINT else None


def _secret(environ: dict[str, Any]) -> str | None:
    try:
        return secret_of(environ.get("HTTP_AUTHORIZATION"))
    except InvalidToken:
        return None
