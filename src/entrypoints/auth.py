"""Who is asking: Flask-Login sessions over the domain's users, and guards by permission.

A session holds its user's session generation from sign-in; a request whose session is of an older
generation is signed out. "Keep me signed in" is our own remember-me cookie (`<id>.<secret>`, a token
stored as its hash), not Flask-Login's, whose cookie is the same for every sign-in and outlives it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Request, current_app, g, request, session
from flask_login import LoginManager, UserMixin, current_user, login_required
from werkzeug.wrappers import Response

from application.sessions import InvalidRememberToken
from domain.errors import PermissionDenied, UserNotFound
from domain.sessions import REMEMBER_FOR
from domain.users import Permission, User
from entrypoints.container import current_container as container

login_manager = LoginManager()
login_manager.login_view = "web.login"
login_manager.login_message_category = "info"

REMEMBER_COOKIE = "prognoza_remember"
GENERATION_KEY = "_generation"
_SIGNED_IN_KEYS = ("_user_id", "_fresh", "_id", GENERATION_KEY)

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
    """Reload the user on every request, so a deactivated account is signed out at once, and so is a
    session of an older generation (its user signed out, elsewhere too, or changed their password)."""
    if not user_id.isdigit():
        return None
    try:
        user = container().get_user()(int(user_id))
    except UserNotFound:
        user = None
    if user is None or not user.is_active or session.get(GENERATION_KEY) != user.session_generation:
        forget_session()
        return None
    g.user_id = user.id
    return SessionUser(user)


@login_manager.request_loader
def load_remembered_user(req: Request) -> SessionUser | None:
    """A browser without a live session that presents a valid remember-me cookie starts a new one."""
    cookie = req.cookies.get(REMEMBER_COOKIE)
    if not cookie:
        return None
    try:
        user = container().user_for_remember_cookie()(cookie)
    except InvalidRememberToken:
        g.forget_remember_cookie = True
        return None
    start_session(SessionUser(user), fresh=False)
    g.user_id = user.id
    return SessionUser(user)


def start_session(user: SessionUser, *, fresh: bool = True) -> None:
    """Sign `user` in for this session, recording their session generation."""
    session["_user_id"] = user.get_id()
    session["_fresh"] = fresh
    session["_id"] = login_manager._session_identifier_generator()
    session[GENERATION_KEY] = user.user.session_generation


def forget_session() -> None:
    for key in _SIGNED_IN_KEYS:
        session.pop(key, None)


def remember_browser(response: Response, cookie: str) -> None:
    """Give the browser its remember-me cookie, with the flags of the session cookie."""
    config = current_app.config
    response.set_cookie(
        REMEMBER_COOKIE,
        cookie,
        max_age=int(REMEMBER_FOR.total_seconds()),
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=config["SESSION_COOKIE_SAMESITE"],
    )


def forget_browser(response: Response) -> None:
    config = current_app.config
    response.delete_cookie(
        REMEMBER_COOKIE,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=config["SESSION_COOKIE_SAMESITE"],
    )


def presented_remember_cookie() -> str | None:
    return request.cookies.get(REMEMBER_COOKIE)


def _drop_refused_remember_cookie(response: Response) -> Response:
    if g.get("forget_remember_cookie"):
        forget_browser(response)
    return response


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
    app.after_request(_drop_refused_remember_cookie)
