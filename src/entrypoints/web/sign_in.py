"""Signing in and out of the panel."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from application.commands import Credentials
from application.validation import InvalidInput
from domain.errors import AuthenticationFailed
from entrypoints.auth import SessionUser
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
            login_user(SessionUser(user), remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next")) or url_for("web.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    flash(_("You have been signed out."), "success")
    return redirect(url_for("web.login"))
