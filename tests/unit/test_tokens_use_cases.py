"""Personal API tokens, on the in-memory unit of work: issued once, valid until expired or revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import FixedClock
from adapters.memory import InMemoryUnitOfWork
from application.commands import NewUser, TokenRequest
from application.tokens import (
    TOKEN_PREFIX,
    InvalidToken,
    TokenCache,
    hash_token,
    issue_token,
    revoke_token,
    user_for_token,
)
from application.users import change_role, create_user, deactivate_user
from domain.errors import AuthenticationFailed
from domain.users import Role, User
from unit.conftest import FakeHasher

NOW = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture(params=["without a cache", "with a cache"])
def cache(request: pytest.FixtureRequest) -> TokenCache | None:
    """Every rule holds the same with the owners of tokens remembered between requests."""
    return TokenCache() if request.param == "with a cache" else None


@pytest.fixture
def user(uow: InMemoryUnitOfWork) -> User:
    command = NewUser.parse({"email": "ewa@example.pl", "password": PASSWORD, "role": "analyst"})
    return create_user(command, uow, FakeHasher())


def issue(uow: InMemoryUnitOfWork, days: int = 30, password: str = PASSWORD) -> str:
    request = TokenRequest.parse({"email": "EWA@example.pl", "password": password, "expires_in_days": days})
    return issue_token(request, uow, FakeHasher(), FixedClock(NOW)).secret


def test_an_issued_token_names_its_user_and_only_its_hash_is_stored(
    uow: InMemoryUnitOfWork, user: User, cache: TokenCache | None
) -> None:
    secret = issue(uow)

    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    assert user_for_token(secret, uow, FixedClock(NOW), cache) == user
    stored = list(uow.committed.tokens.values())
    assert [t.token_hash for t in stored] == [hash_token(secret)]
    assert stored[0].expires_at == NOW + timedelta(days=30)


def test_no_token_is_issued_for_a_wrong_password(uow: InMemoryUnitOfWork, user: User) -> None:
    with pytest.raises(AuthenticationFailed):
        issue(uow, password="not the password")

    assert uow.committed.tokens == {}


def test_a_token_stops_working_when_it_expires(
    uow: InMemoryUnitOfWork, user: User, cache: TokenCache | None
) -> None:
    secret = issue(uow, days=1)

    assert user_for_token(secret, uow, FixedClock(NOW + timedelta(hours=23)), cache) == user
    with pytest.raises(InvalidToken):
        user_for_token(secret, uow, FixedClock(NOW + timedelta(days=1)), cache)


def test_a_revoked_token_stops_working_and_cannot_be_revoked_twice(
    uow: InMemoryUnitOfWork, user: User, cache: TokenCache | None
) -> None:
    secret = issue(uow)
    assert user_for_token(secret, uow, FixedClock(NOW), cache) == user

    revoke_token(secret, uow, FixedClock(NOW))

    with pytest.raises(InvalidToken):
        user_for_token(secret, uow, FixedClock(NOW), cache)
    with pytest.raises(InvalidToken):
        revoke_token(secret, uow, FixedClock(NOW))


def test_a_deactivated_users_tokens_stop_working_at_once(
    uow: InMemoryUnitOfWork, user: User, cache: TokenCache | None
) -> None:
    secret = issue(uow)
    assert user_for_token(secret, uow, FixedClock(NOW), cache) == user

    deactivate_user(user.id or 0, uow)

    with pytest.raises(InvalidToken):
        user_for_token(secret, uow, FixedClock(NOW), cache)


def test_an_unknown_secret_is_refused(uow: InMemoryUnitOfWork, user: User) -> None:
    issue(uow)

    with pytest.raises(InvalidToken):
        user_for_token(TOKEN_PREFIX + "made-up", uow, FixedClock(NOW))


def test_a_role_changed_is_the_role_the_next_request_signed_with_a_remembered_token_has(
    uow: InMemoryUnitOfWork, user: User
) -> None:
    secret, cache = issue(uow), TokenCache()
    assert user_for_token(secret, uow, FixedClock(NOW), cache).role is Role.ANALYST

    change_role(user.id or 0, Role.ADMIN, uow)

    assert user_for_token(secret, uow, FixedClock(NOW), cache).role is Role.ADMIN
