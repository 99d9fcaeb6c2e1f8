"""Abuse limits: sign-in attempts (the panel's login form and `POST /api/v1/auth/tokens`) counted per
account and per client address with Flask-Limiter, in memory or in Redis (`PROGNOZA_REDIS_URL`).

Every attempt counts, successful or not: a guessed password is refused like a wrong one until the window
passes, so the limit says nothing about which guess was right."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from domain.clients import email_key
from entrypoints.api.io import json_body
from entrypoints.errors import Problem, render_problem
from entrypoints.settings import Settings
from entrypoints.web.forms import LoginForm

SIGN_IN_ENDPOINTS = ("web.login", "api.issue_token")
TOO_MANY_ATTEMPTS = "too_many_attempts"
EXTENSION = "sign_in_limiter"


def init_limits(app: Flask, settings: Settings) -> Limiter:
    """Count sign-in attempts of `app`'s sign-in endpoints (each app counts in its own storage)."""
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=settings.redis_url or "memory://",
        strategy="fixed-window",
    )
    limiter.init_app(app)
    limiter.request_filter(_not_signing_in)
    per_account = limiter.shared_limit(
        settings.sign_in_limit_per_account,
        scope="sign-in-account",
        key_func=_submitted_account,
        methods=["POST"],
    )
    per_address = limiter.shared_limit(
        settings.sign_in_limit_per_address, scope="sign-in-address", methods=["POST"]
    )
    for endpoint in SIGN_IN_ENDPOINTS:
        view: Any = app.view_functions[endpoint]
        app.view_functions[endpoint] = per_account(per_address(view))
    app.extensions[EXTENSION] = limiter
    app.register_error_handler(RateLimitExceeded, _refuse_attempt)
    return limiter


def _not_signing_in() -> bool:
    """Every request but a sign-in attempt skips the limiter: none has a limit."""
    return request.endpoint not in SIGN_IN_ENDPOINTS


def _submitted_account() -> str:
    """The account an attempt is for: the submitted email as emails compare (never empty, as the
    limiter skips an empty key)."""
    return "account:" + email_key(_submitted_email())


def _submitted_email() -> str:
    if request.blueprint == "api":
        try:
            data = json_body()
        except HTTPException:  # the operation refuses the body itself; it still counts, as no account
            return ""
        email = data.get("email") if isinstance(data, dict) else None
    else:
        email = request.form.get("email")
    return email if isinstance(email, str) else ""


def _refuse_attempt(error: RateLimitExceeded) -> ResponseReturnValue:
    seconds = _seconds_to_wait()
    if request.blueprint == "api":
        detail = f"Too many sign-in attempts: try again in {seconds} seconds."
        problem = Problem(
            429,
            "Too Many Requests",
            detail,
            code=TOO_MANY_ATTEMPTS,
            params={"retry_after": seconds},
            retry_after=seconds,
        )
        return render_problem(problem)
    return _login_page_refusing(seconds), 429, {"Retry-After": str(seconds)}


def _login_page_refusing(seconds: int) -> str:
    form = LoginForm()
    form.form_errors.append(
        _("Too many sign-in attempts. Try again in %(seconds)s seconds.", seconds=seconds)
    )
    return render_template("auth/login.html", form=form)


def _seconds_to_wait() -> int:
    limiter: Limiter = current_app.extensions[EXTENSION]
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, int(breached.reset_at - time.time()))
