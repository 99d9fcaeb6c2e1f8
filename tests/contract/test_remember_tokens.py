"""The remember-me token repository: found by id, revoked one by one or all of a user's at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contract.examples import MORNING, UnitOfWorkFactory, a_user, id_of, later
from domain.errors import Conflict, NotFound, UserNotFound
from domain.sessions import REMEMBER_FOR, RememberToken


def a_token(user_id: int, token_hash: str = "a" * 64) -> RememberToken:
    return RememberToken(user_id, token_hash, created_at=MORNING, expires_at=MORNING + REMEMBER_FOR)


def stored_user(uow_factory: UnitOfWorkFactory, email: str = "ewa@example.pl") -> int:
    with uow_factory() as uow:
        user = uow.users.add(a_user(email))
        uow.commit()
    return id_of(user)


def stored_token(uow_factory: UnitOfWorkFactory, user_id: int, token_hash: str = "a" * 64) -> RememberToken:
    with uow_factory() as uow:
        token = uow.remember_tokens.add(a_token(user_id, token_hash))
        uow.commit()
    return token


def test_an_added_token_gets_an_id_and_is_found_by_it(uow_factory: UnitOfWorkFactory) -> None:
    token = stored_token(uow_factory, stored_user(uow_factory))

    with uow_factory() as uow:
        assert uow.remember_tokens.get(id_of(token)) == token
        assert uow.remember_tokens.get(id_of(token) + 1000) is None


def test_a_token_of_an_unknown_user_or_a_repeated_hash_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    stored_token(uow_factory, user_id)

    with uow_factory() as uow, pytest.raises(UserNotFound):
        uow.remember_tokens.add(a_token(user_id + 1000, "b" * 64))
    with uow_factory() as uow, pytest.raises(Conflict):
        uow.remember_tokens.add(a_token(user_id))


def test_a_revoked_token_reads_back_revoked(uow_factory: UnitOfWorkFactory) -> None:
    token = stored_token(uow_factory, stored_user(uow_factory))
    with uow_factory() as uow:
        uow.remember_tokens.update(token.revoked(later(5)))
        uow.commit()

    with uow_factory() as uow:
        read = uow.remember_tokens.get(id_of(token))
    assert read is not None and read.revoked_at == later(5)
    assert not read.is_valid(later(6))


def test_updating_an_unknown_token_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    token = a_token(stored_user(uow_factory))

    with uow_factory() as uow, pytest.raises(NotFound):
        uow.remember_tokens.update(token)


def test_revoking_all_of_a_users_tokens_leaves_other_users_alone(uow_factory: UnitOfWorkFactory) -> None:
    ewa, jan = stored_user(uow_factory), stored_user(uow_factory, "jan@example.pl")
    first, second = stored_token(uow_factory, ewa), stored_token(uow_factory, ewa, "b" * 64)
    janek = stored_token(uow_factory, jan, "c" * 64)
    with uow_factory() as uow:
        uow.remember_tokens.update(first.revoked(later(1)))
        uow.commit()

    with uow_factory() as uow:
        assert uow.remember_tokens.revoke_all(ewa, later(2)) == 1
        uow.commit()

    with uow_factory() as uow:
        read = [uow.remember_tokens.get(id_of(token)) for token in (first, second, janek)]
    assert [token.revoked_at if token else "missing" for token in read] == [
        later(1),
        later(2),
        None,
    ]


def test_tokens_expire_after_14_days(uow_factory: UnitOfWorkFactory) -> None:
    token = stored_token(uow_factory, stored_user(uow_factory))

    assert token.is_valid(MORNING + REMEMBER_FOR - timedelta(seconds=1))
    assert not token.is_valid(MORNING + REMEMBER_FOR)
