"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from adapters.sqlalchemy.engine import set_reading_only
from entrypoints import api, web
from entrypoints.auth import init_auth
from entrypoints.container import init_container
from entrypoints.errors import init_error_handlers
from entrypoints.observability import configure_logging, init_request_ids
from entrypoints.settings import Settings

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
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        TESTING=settings.env == "testing",
    )
    app.config.from_mapping(test_config or {})

    init_container(app, settings)
    init_request_ids(app)  # first, so that even a request refused by the CSRF check has an id
    init_reading_requests(app)
    csrf.init_app(app)
    init_auth(app)
    init_error_handlers(app)
    web.init_app(app)
    api.init_app(app)
    return app


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_reading_requests(app: Flask) -> None:
    """Requests that only read (safe methods) never wait for SQLite's write lock; the others take it
    when their transaction begins, waiting for it up to the busy timeout."""

    @app.before_request
    def read_only_when_safe() -> None:
        set_reading_only(request.method in SAFE_METHODS)

    @app.teardown_request
    def writing_again(_error: BaseException | None) -> None:
        set_reading_only(False)
