"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from entrypoints import api, web
from entrypoints.auth import init_auth
from entrypoints.container import init_container
from entrypoints.errors import init_error_handlers
from entrypoints.limits import init_limits
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
        # The panel's remember-me cookie is its own (entrypoints.auth), with these same flags.
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.env == "production",
        TESTING=settings.env == "testing",
    )
    app.config.from_mapping(test_config or {})

    init_container(app, settings)
    init_request_ids(app)  # first, so that even a request refused by the CSRF check has an id
    csrf.init_app(app)
    init_auth(app)
    init_error_handlers(app)
    web.init_app(app)
    api.init_app(app)
    init_limits(app, settings)
    return app
