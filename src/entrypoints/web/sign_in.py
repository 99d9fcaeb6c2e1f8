"""Signing in and out of the panel."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from application.commands import Credentials
from application.validation import InvalidInput
from domain.errors import AuthenticationFailed
from entrypoints.auth import (
    SessionUser,
    forget_browser,
    presented_remember_cookie,
    remember_browser,
    start_session,
)
from entrypoints.container import current_container as container
from entrypoints.web.blueprint import bp
from entrypoints.web.forms import LoginForm, show_invalid_input
from entrypoints.web.navigation import safe_next

log = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            credentials = Credentials.parse(form.credentials())
            user = container().authenticate()(credentials)
        except AuthenticationFailed:
            log.info("sign-in refused")
            form.form_errors.append(_("Invalid email or password."))
        except InvalidInput as error:
            show_invalid_input(form, error)
        else:
            return _signed_in(SessionUser(user), remember=bool(form.remember.data))
    return render_template("auth/login.html", form=form)


def _signed_in(user: SessionUser, *, remember: bool) -> ResponseReturnValue:
    start_session(user)
    response = redirect(safe_next(request.args.get("next")) or url_for("web.dashboard"))
    if remember:
        assert user.user.id is not None
        remember_browser(response, container().remember_browser()(user.user.id).cookie)
    return response


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        container().sign_out()(current_user.user.id, presented_remember_cookie())
    return _signed_out(_("You have been signed out."))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere() -> ResponseReturnValue:
    container().sign_out_everywhere()(current_user.user.id)
    return _signed_out(_("You have been signed out on every device."))


def _signed_out(message: str) -> ResponseReturnValue:
    logout_user()
    flash(message, "success")
    response = redirect(url_for("web.login"))
    forget_browser(response)
    return response
