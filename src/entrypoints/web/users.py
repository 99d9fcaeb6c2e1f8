"""Staff accounts (admins): the list, new accounts, roles, deactivation and reactivation, and setting
another user's password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from application.commands import NewUser, PasswordChange, RoleChange
from application.users import OwnAccountRefused
from application.validation import InvalidInput
from domain.errors import DuplicateEmail
from domain.users import Permission
from entrypoints.auth import requires
from entrypoints.container import current_container as container
from entrypoints.web.account_forms import PasswordResetForm
from entrypoints.web.blueprint import bp
from entrypoints.web.forms import RoleForm, UserForm, add_field_error, show_invalid_input
from entrypoints.web.labels import ROLE_LABELS, explain_refusal


@bp.get("/users")
@requires(Permission.MANAGE_USERS)
def users() -> ResponseReturnValue:
    return render_users_page()


def render_users_page(form: UserForm | None = None, status: int = 200) -> ResponseReturnValue:
    staff = container().list_users()()
    role_forms = {
        user.id: RoleForm(formdata=None, data={"role": user.role.value}, prefix=f"user-{user.id}")
        for user in staff
    }
    password_forms = {user.id: PasswordResetForm(formdata=None, prefix=f"reset-{user.id}") for user in staff}
    page = render_template(
        "users/list.html",
        users=staff,
        form=form or UserForm(formdata=None, prefix="new"),
        role_forms=role_forms,
        password_forms=password_forms,
    )
    return page, status


@bp.post("/users")
@requires(Permission.MANAGE_USERS)
def add_user() -> ResponseReturnValue:
    form = UserForm(prefix="new")
    try:
        user = container().create_user()(NewUser.parse(form.values()))
    except InvalidInput as error:
        show_invalid_input(form, error)
    except DuplicateEmail:
        add_field_error(form, "email", _("This email is already taken."))
    else:
        flash(
            _(
                "%(email)s can now sign in, with the role: %(role)s.",
                email=user.email,
                role=ROLE_LABELS[user.role],
            ),
            "success",
        )
        return redirect(url_for("web.users"))
    return render_users_page(form, status=422)


@bp.post("/users/<int:user_id>/role")
@requires(Permission.MANAGE_USERS)
def set_role(user_id: int) -> ResponseReturnValue:
    user = container().get_user()(user_id)
    form = RoleForm(prefix=f"user-{user_id}")
    try:
        command = RoleChange.parse(form.values())
        changed = container().change_role()(user_id, command.user_role, acting_user_id=current_user.user.id)
    except InvalidInput:
        flash(_("Choose a role for %(email)s.", email=user.email), "danger")
    except OwnAccountRefused:
        flash(_("You cannot change your own role: ask another administrator."), "danger")
    else:
        flash(
            _("%(email)s now has the role: %(role)s.", email=changed.email, role=ROLE_LABELS[changed.role]),
            "success",
        )
    return redirect(url_for("web.users"))


@bp.post("/users/<int:user_id>/deactivate")
@requires(Permission.MANAGE_USERS)
def deactivate(user_id: int) -> ResponseReturnValue:
    try:
        user = container().deactivate_user()(user_id, acting_user_id=current_user.user.id)
    except OwnAccountRefused:
        flash(_("You cannot deactivate your own account: ask another administrator."), "danger")
    else:
        flash(_("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(url_for("web.users"))


@bp.post("/users/<int:user_id>/reactivate")
@requires(Permission.MANAGE_USERS)
def reactivate(user_id: int) -> ResponseReturnValue:
    try:
        user = container().reactivate_user()(user_id, acting_user_id=current_user.user.id)
    except OwnAccountRefused:
        flash(_("You cannot reactivate your own account: ask another administrator."), "danger")
    else:
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("web.users"))


@bp.post("/users/<int:user_id>/password")
@requires(Permission.MANAGE_USERS)
def reset_password(user_id: int) -> ResponseReturnValue:
    """Set another user's password: their sessions and remembered browsers end."""
    user = container().get_user()(user_id)
    form = PasswordResetForm(prefix=f"reset-{user_id}")
    try:
        command = PasswordChange.parse(form.values())
        container().reset_password()(user_id, command, acting_user_id=current_user.user.id)
    except InvalidInput as error:
        reason = explain_refusal(error.errors[0])
        flash(
            _("The password of %(email)s is unchanged: %(reason)s", email=user.email, reason=reason), "danger"
        )
    except OwnAccountRefused:
        flash(_("Change your own password on your account page."), "danger")
    else:
        flash(
            _(
                "%(email)s has a new password: tell it to them privately. Their sessions have ended.",
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for("web.users"))
