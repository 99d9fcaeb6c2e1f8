"""Who is asking: Flask-Login sessions over the domain's users, and guards by permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, g
from flask_login import LoginManager, UserMixin, current_user, login_required

from domain.errors import PermissionDenied, UserNotFound
from domain.users import Permission, User
from entrypoints.container import current_container as container

login_manager = LoginManager()
login_manager.login_view = "web.login"
login_manager.login_message_category = "info"

F = TypeVar("F", bound=Callable[..., Any])


class SessionUser(UserMixin):
    """A signed-in user as Flask-Login sees it; the domain user stays in `.user`."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin

    def can(self, permission: Permission) -> bool:
        return self.user.can(permission)


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    """Reload the user on every request, so a deactivated account is signed out at once."""
    if not user_id.isdigit():
        return None
    try:
        user = container().get_user()(int(user_id))
    except UserNotFound:
        return None
    if not user.is_active:
        return None
    g.user_id = user.id
    return SessionUser(user)


def requires(permission: Permission) -> Callable[[F], F]:
    """Let the view run only for a signed-in user whose role grants `permission` (else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(permission):
                raise PermissionDenied(permission.value)
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorator


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
