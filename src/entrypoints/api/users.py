"""Staff accounts (admin): list, create, change a role, deactivate and reactivate, set a password."""

from __future__ import annotations

from flask import Response

from application.commands import NewUser, PasswordChange, RoleChange
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer, body
from entrypoints.api.security import allowed, caller
from entrypoints.container import current_container as container

USER_ID = "<int(min=1, max=2147483647):user_id>"


@bp.get("/users", endpoint="list_users")
@operation("listUsers", tag="users", ok={200: schemas.UserListOut})
@allowed(Permission.MANAGE_USERS)
def list_() -> Response:
    """List staff accounts"""
    return answer(schemas.UserListOut(items=[schemas.UserOut.of(u) for u in container().list_users()()]))


@bp.post("/users", endpoint="create_user")
@operation("createUser", tag="users", body=NewUser, ok={201: schemas.UserOut}, errors=(400, 409, 415))
@allowed(Permission.MANAGE_USERS)
def create() -> Response:
    """Create a staff account"""
    user = schemas.UserOut.of(container().create_user()(body(NewUser)))
    return answer(user, 201, location=user.url)


@bp.get(f"/users/{USER_ID}", endpoint="get_user")
@operation("getUser", tag="users", ok={200: schemas.UserOut}, errors=(404,))
@allowed(Permission.MANAGE_USERS)
def get(user_id: int) -> Response:
    """Read a staff account"""
    return answer(schemas.UserOut.of(container().get_user()(user_id)))


@bp.put(f"/users/{USER_ID}/role", endpoint="change_role")
@operation("changeRole", tag="users", body=RoleChange, ok={200: schemas.UserOut}, errors=(400, 404, 409, 415))
@allowed(Permission.MANAGE_USERS)
def set_role(user_id: int) -> Response:
    """Change a user's role

    409 for your own account: another admin must change it, so an admin always remains.
    """
    command = body(RoleChange)
    changed = container().change_role()(user_id, command.user_role, acting_user_id=caller().id)
    return answer(schemas.UserOut.of(changed))


@bp.post(f"/users/{USER_ID}/deactivation", endpoint="deactivate_user")
@operation("deactivateUser", tag="users", ok={200: schemas.UserOut}, errors=(404, 409))
@allowed(Permission.MANAGE_USERS)
def deactivate(user_id: int) -> Response:
    """Deactivate a user

    They can no longer sign in, and their API tokens stop working at once. 409 for your own account.
    """
    return answer(schemas.UserOut.of(container().deactivate_user()(user_id, acting_user_id=caller().id)))


@bp.post(f"/users/{USER_ID}/reactivation", endpoint="reactivate_user")
@operation("reactivateUser", tag="users", ok={200: schemas.UserOut}, errors=(404, 409))
@allowed(Permission.MANAGE_USERS)
def reactivate(user_id: int) -> Response:
    """Reactivate a user

    They can sign in again. The API tokens and remembered browsers they had before are revoked: they
    ask for new ones. 409 for your own account.
    """
    return answer(schemas.UserOut.of(container().reactivate_user()(user_id, acting_user_id=caller().id)))


@bp.put(f"/users/{USER_ID}/password", endpoint="reset_password")
@operation(
    "resetPassword", tag="users", body=PasswordChange, ok={200: schemas.UserOut}, errors=(400, 404, 409, 415)
)
@allowed(Permission.MANAGE_USERS)
def reset_password(user_id: int) -> Response:
    """Set another user's password

    Every session of theirs ends, remembered browsers included. 409 for your own account: change your
    own password in the panel, with your current one.
    """
    command = body(PasswordChange)
    return answer(
        schemas.UserOut.of(container().reset_password()(user_id, command, acting_user_id=caller().id))
    )
