"""A user's own account: their password, their personal API tokens, signing out everywhere."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from application.commands import OwnPasswordChange, OwnTokenRequest
from application.tokens import IssuedToken
from application.validation import InvalidInput
from domain.errors import InvalidValue
from entrypoints.auth import SessionUser, presented_remember_cookie, remember_browser, start_session
from entrypoints.container import current_container as container
from entrypoints.web.account_forms import OwnPasswordForm, TokenForm
from entrypoints.web.blueprint import bp
from entrypoints.web.forms import show_invalid_input


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    return render_account_page()


def render_account_page(
    *,
    password_form: OwnPasswordForm | None = None,
    token_form: TokenForm | None = None,
    issued: IssuedToken | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    page = render_template(
        "account/page.html",
        password_form=password_form or OwnPasswordForm(formdata=None, prefix="password"),
        token_form=token_form or TokenForm(formdata=None, prefix="token"),
        tokens=container().list_tokens()(_me()),
        issued=issued,
        now=container().clock().now(),
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # a new token's secret is on the page once
    return response


@bp.post("/account/password")
@login_required
def change_password() -> ResponseReturnValue:
    """A new password ends every session of the user; this browser's starts anew, and stays remembered
    if it was."""
    form = OwnPasswordForm(prefix="password")
    try:
        user = container().change_own_password()(_me(), OwnPasswordChange.parse(form.values()))
    except InvalidInput as error:
        show_invalid_input(form, error)
    except InvalidValue as error:
        show_invalid_input(form, InvalidInput([error.error]))
    else:
        start_session(SessionUser(user))
        flash(_("Your password is changed. Every other session of yours has ended."), "success")
        response = redirect(url_for("web.account"))
        if presented_remember_cookie():
            remember_browser(response, container().remember_browser()(_me()).cookie)
        return response
    return render_account_page(password_form=form, status=422)


@bp.post("/account/tokens")
@login_required
def create_token() -> ResponseReturnValue:
    """The new token's secret is shown on this answer only: it is stored as its hash."""
    form = TokenForm(prefix="token")
    try:
        issued = container().issue_own_token()(_me(), OwnTokenRequest.parse(form.values()))
    except InvalidInput as error:
        show_invalid_input(form, error)
        return render_account_page(token_form=form, status=422)
    return render_account_page(issued=issued, status=201)


@bp.post("/account/tokens/<int(min=1, max=2147483647):token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Only one's own token: another user's is not found (404), as if it did not exist."""
    container().revoke_own_token()(_me(), token_id)
    flash(_("The API token #%(id)s is revoked: it no longer works.", id=token_id), "success")
    return redirect(url_for("web.account"))


def _me() -> int:
    user_id: int = current_user.user.id
    return user_id
