"""Use cases about panel sessions: remembering a browser, and signing out for real.

A session records its user's session generation at sign-in and is over once the generation moves on
(sign-out, signing out everywhere, a new password, deactivation). A remembered browser holds a
remember-me token: random per sign-in, stored only as its hash, valid 14 days unless revoked.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from application.ports import Clock, UnitOfWork
from application.tokens import hash_token
from domain.errors import AuthenticationFailed, UserNotFound
from domain.sessions import REMEMBER_FOR, RememberToken
from domain.users import User


class InvalidRememberToken(AuthenticationFailed):
    def __init__(self) -> None:
        super().__init__()
        self.message = "The remember-me cookie is invalid, expired or revoked."


@dataclass(frozen=True, slots=True)
class RememberedBrowser:
    cookie: str
    """What the browser keeps: the token's id and its secret, `<id>.<secret>`; never stored."""
    token: RememberToken


def remember_browser(user_id: int, uow: UnitOfWork, clock: Clock) -> RememberedBrowser:
    """A new remember-me token for the user, valid 14 days."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    with uow:
        token = uow.remember_tokens.add(
            RememberToken(user_id, hash_token(secret), created_at=now, expires_at=now + REMEMBER_FOR)
        )
        uow.commit()
    return RememberedBrowser(f"{token.id}.{secret}", token)


def user_for_remember_cookie(cookie: str, uow: UnitOfWork, clock: Clock) -> User:
    """The active user a valid remember-me cookie belongs to."""
    with uow:
        token = _presented_token(uow, cookie)
        user = None if token is None else uow.users.get(token.user_id)
    if token is None or user is None or not user.is_active or not token.is_valid(clock.now()):
        raise InvalidRememberToken()
    return user


def sign_out(user_id: int, remember_cookie: str | None, uow: UnitOfWork, clock: Clock) -> None:
    """End the user's sessions (a copy of this session's cookie stops working too) and revoke this
    browser's remember-me token, if it presented one of theirs."""
    with uow:
        _end_sessions(uow, user_id)
        token = _presented_token(uow, remember_cookie)
        if token is not None and token.user_id == user_id and token.revoked_at is None:
            uow.remember_tokens.update(token.revoked(clock.now()))
        uow.commit()


def sign_out_everywhere(user_id: int, uow: UnitOfWork, clock: Clock) -> int:
    """End every session of the user and revoke every remember-me token; returns how many tokens."""
    with uow:
        _end_sessions(uow, user_id)
        revoked = uow.remember_tokens.revoke_all(user_id, clock.now())
        uow.commit()
    return revoked


def _end_sessions(uow: UnitOfWork, user_id: int) -> None:
    user = uow.users.get(user_id)
    if user is None:
        raise UserNotFound(user_id)
    uow.users.update(user.with_sessions_ended())


def _presented_token(uow: UnitOfWork, cookie: str | None) -> RememberToken | None:
    """The token a `<id>.<secret>` cookie names, when its secret matches; valid or not."""
    token_id, _, secret = (cookie or "").partition(".")
    if not token_id.isdigit() or not secret:
        return None
    token = uow.remember_tokens.get(int(token_id))
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(secret)):
        return None
    return token
