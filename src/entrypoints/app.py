"""The Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from adapters.sqlalchemy.engine import set_reading_only
from adapters.sqlalchemy.unit_of_work import end_shared_session, share_one_session
from entrypoints import api, health, web
from entrypoints.api.client_shortcut import ClientShortcut
from entrypoints.auth import init_auth
from entrypoints.container import Container, init_container
from entrypoints.errors import init_error_handlers
from entrypoints.headers import init_security_headers
from entrypoints.limits import init_limits
from entrypoints.observability import configure_logging, init_request_ids
from entrypoints.routing import init_routing
from entrypoints.settings import Settings, UnsafeProduction

log = logging.getLogger(__name__)

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, test_config: Mapping[str, Any] | None = None) -> Flask:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.env == "production",
        # The panel's remember-me cookie is its own (entrypoints.auth), with these same flags.
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.env == "production",
        TESTING=settings.env == "testing",
    )
    app.config.from_mapping(test_config or {})
    if settings.is_production and app.debug:
        raise UnsafeProduction(
            "Refusing to start in debug mode in production (PROGNOZA_ENV=production): the debugger runs "
            "any code a visitor sends. Drop --debug and FLASK_DEBUG."
        )

    init_routing(app)
    container = init_container(app, settings)
    init_request_ids(app)  # first, so that even a request refused by the CSRF check has an id
    init_security_headers(app, production=settings.is_production)
    init_reading_requests(app, container)
    csrf.init_app(app)
    init_auth(app)
    init_error_handlers(app)
    health.init_app(app)
    web.init_app(app)
    api.init_app(app)
    init_limits(app, settings)
    app.wsgi_app = ClientShortcut(app, container, production=settings.is_production)  # type: ignore[method-assign]
    if settings.trusted_proxies:
        # The client's address (sign-in limits, logs) and scheme as the proxies saw them, not the proxy's.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if settings.env != "testing":
        _fail_abandoned_runs(container)
    return app


def _fail_abandoned_runs(container: Container) -> None:
    """A start after a crash: the runs the dead process held are failed now, not at the next look.
    A database not created or migrated yet is left to `prognoza db upgrade`."""
    try:
        container.fail_abandoned_runs()()
    except Exception as error:  # starting must not depend on it: the next request that looks retries
        log.debug("abandoned runs not checked at start: %s", type(error).__name__)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_reading_requests(app: Flask, container: Container) -> None:
    """Requests that only read (safe methods) never wait for SQLite's write lock, and read in one
    transaction: the caller's credentials and what the request shows are of one moment, and the request
    begins one transaction, not one per use case. The others take the write lock when each of their
    transactions begins, waiting for it up to the busy timeout."""

    @app.before_request
    def read_only_when_safe() -> None:
        reading = request.method in SAFE_METHODS
        set_reading_only(reading)
        if reading:
            share_one_session(container.session_factory())

    @app.teardown_request
    def writing_again(_error: BaseException | None) -> None:
        end_shared_session()
        set_reading_only(False)
