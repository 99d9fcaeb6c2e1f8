"""Use cases for personal API tokens: other systems sign in with a bearer token instead of a session."""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.commands import Credentials, OwnTokenRequest, TokenRequest
from application.ports import Clock, PasswordHasher, UnitOfWork
from application.users import authenticate
from domain.errors import AuthenticationFailed, NotFound
from domain.tokens import ApiToken
from domain.users import User

TOKEN_PREFIX = "pzk_"
TOKENS_REMEMBERED = 1_000
"""How many tokens' owners a `TokenCache` holds at most."""


class InvalidToken(AuthenticationFailed):
    def __init__(self) -> None:
        super().__init__()
        self.message = "The API token is invalid, expired or revoked."


class TokenNotFound(NotFound):
    """No token of this user has this id: someone else's token is not found either."""

    code = "token_not_found"

    def __init__(self, token_id: int) -> None:
        super().__init__(f"API token {token_id} not found.", token=token_id)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    secret: str
    """The token itself: shown once, never stored."""
    token: ApiToken


def hash_token(secret: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is enough to keep them safe at rest."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(command: TokenRequest, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> IssuedToken:
    user = authenticate(Credentials(email=command.email, password=command.password), uow, hasher)
    return _issue(user.id or 0, command.expires_in_days, uow, clock)


def issue_own_token(user_id: int, command: OwnTokenRequest, uow: UnitOfWork, clock: Clock) -> IssuedToken:
    """A token for a user already signed in (the panel's account page)."""
    return _issue(user_id, command.expires_in_days, uow, clock)


def _issue(user_id: int, expires_in_days: int, uow: UnitOfWork, clock: Clock) -> IssuedToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    with uow:
        token = uow.tokens.add(
            ApiToken(
                user_id=user_id,
                token_hash=hash_token(secret),
                created_at=now,
                expires_at=now + timedelta(days=expires_in_days),
            )
        )
        uow.commit()
    return IssuedToken(secret, token)


def list_tokens(user_id: int, uow: UnitOfWork) -> list[ApiToken]:
    """The user's tokens, revoked and expired ones too, the newest first."""
    with uow:
        return uow.tokens.list_for_user(user_id)


class TokenCache:
    """Who the tokens used lately belong to, so that a request signed with one reads a single number (the
    credentials' revision) instead of the token and its user. A remembered owner is trusted only while
    no token or user changed since (any revocation, deactivation or change of role changes the
    revision, in whichever process it is made), and never past the token's expiry."""

    def __init__(self, size: int = TOKENS_REMEMBERED) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._owners: dict[str, tuple[User, datetime, int]] = {}

    def owner(self, token_hash: str, revision: int, now: datetime) -> User | None:
        with self._lock:
            remembered = self._owners.get(token_hash)
        if remembered is None:
            return None
        user, expires_at, remembered_at = remembered
        return user if remembered_at == revision and now < expires_at else None

    def remember(self, token_hash: str, user: User, expires_at: datetime, revision: int) -> None:
        with self._lock:
            if len(self._owners) >= self.size:
                self._owners.clear()  # a few hundred tokens in use at once: starting over is cheap
            self._owners[token_hash] = (user, expires_at, revision)


def user_for_token(secret: str, uow: UnitOfWork, clock: Clock, cache: TokenCache | None = None) -> User:
    """The active user a valid token belongs to; a deactivated user's tokens stop working at once."""
    token_hash, now = hash_token(secret), clock.now()
    with uow:
        revision = uow.tokens.credentials_revision()
        if cache is not None and (remembered := cache.owner(token_hash, revision, now)) is not None:
            return remembered
        token = uow.tokens.get_by_hash(token_hash)
        user = None if token is None else uow.users.get(token.user_id)
    if token is None or user is None or not token.is_valid(now) or not user.is_active:
        raise InvalidToken()
    if cache is not None:
        cache.remember(token_hash, user, token.expires_at, revision)
    return user


def revoke_token(secret: str, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        token = uow.tokens.get_by_hash(hash_token(secret))
        if token is None or not token.is_valid(clock.now()):
            raise InvalidToken()
        uow.tokens.update(token.revoked(clock.now()))
        uow.commit()


def revoke_own_token(user_id: int, token_id: int, uow: UnitOfWork, clock: Clock) -> ApiToken:
    """Revoke one of the user's own tokens by its id; a token revoked already stays as it was."""
    with uow:
        token = uow.tokens.get(token_id)
        if token is None or token.user_id != user_id:
            raise TokenNotFound(token_id)
        if token.revoked_at is None:
            token = token.revoked(clock.now())
            uow.tokens.update(token)
            uow.commit()
    return token
