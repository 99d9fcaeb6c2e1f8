"""Who calls the API: a bearer token, or a browser signed in to the panel (whose unsafe requests must
carry the CSRF token), and what their role lets them do."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from flask_login import current_user

from application.tokens import InvalidToken
from domain.errors import AuthenticationFailed, PermissionDenied
from domain.users import Permission, User
from entrypoints.container import current_container as container

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class MissingCredentials(AuthenticationFailed):
    def __init__(self) -> None:
        super().__init__()
        self.message = (
            "Send a token as `Authorization: Bearer <token>` (POST /api/v1/auth/tokens issues one), "
            "or sign in to the panel."
        )


def bearer_secret() -> str | None:
    """The token of an `Authorization: Bearer` header; None without the header, 401 for another scheme."""
    return secret_of(request.headers.get("Authorization"))


def secret_of(header: str | None) -> str | None:
    """The token of an `Authorization` header's value (`bearer_secret`)."""
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise InvalidToken()
    return secret.strip()


def caller() -> User:
    """The user behind this request, found once per request: a deactivated one is refused at once."""
    if "api_user" not in g:
        secret = bearer_secret()
        if secret is not None:
            user = _token_owner(secret)
        elif current_user.is_authenticated:
            _require_csrf_token()
            user = current_user.user
        else:
            raise MissingCredentials()
        g.api_user = user
        g.user_id = user.id
    return cast(User, g.api_user)


def _require_csrf_token() -> None:
    """A browser sends its session cookie with any request, forged ones too: unsafe requests made with
    a session must carry the CSRF token (in `X-CSRFToken`), as the panel's forms do."""
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        current_app.extensions["csrf"].protect()


def _token_owner(secret: str) -> User:
    return container().user_for_token()(secret)


def allowed(permission: Permission) -> Callable[[F], F]:
    """Let the view run only for a caller whose role grants `permission` (else 401 or 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not caller().can(permission):
                raise PermissionDenied(permission.value)
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorator
