"""The token repository: personal API tokens found by the hash of their secret, going with their user."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone
from typing import Any

import pytest

from contract.examples import MORNING, UnitOfWorkFactory, a_user, id_of, later
from domain.errors import Conflict, NotFound, UserNotFound
from domain.tokens import ApiToken


def a_token(user_id: int, token_hash: str = "a" * 64, **changes: Any) -> ApiToken:
    token = ApiToken(
        user_id=user_id, token_hash=token_hash, created_at=MORNING, expires_at=MORNING + timedelta(days=30)
    )
    return replace(token, **changes)


def stored_user(uow_factory: UnitOfWorkFactory, email: str = "ewa@example.pl") -> int:
    with uow_factory() as uow:
        user = uow.users.add(a_user(email))
        uow.commit()
    return id_of(user)


def test_an_added_token_gets_an_id_and_is_found_by_its_hash(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    with uow_factory() as uow:
        token = uow.tokens.add(a_token(user_id))
        uow.commit()

    assert token.id is not None
    with uow_factory() as uow:
        assert uow.tokens.get_by_hash("a" * 64) == token


def test_there_is_no_token_under_an_unknown_hash(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    with uow_factory() as uow:
        uow.tokens.add(a_token(user_id))
        uow.commit()

    with uow_factory() as uow:
        assert uow.tokens.get_by_hash("b" * 64) is None


def test_moments_read_back_as_the_same_instants_in_utc(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    warsaw = timezone(timedelta(hours=2))
    created = MORNING.astimezone(warsaw)
    with uow_factory() as uow:
        uow.tokens.add(a_token(user_id, created_at=created, expires_at=created + timedelta(days=1)))
        uow.commit()

    with uow_factory() as uow:
        token = uow.tokens.get_by_hash("a" * 64)

    assert token is not None
    assert token.created_at == MORNING and token.created_at.utcoffset() == timedelta(0)
    assert token.expires_at == MORNING + timedelta(days=1)
    assert token.revoked_at is None


def test_an_update_stores_the_revocation(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    with uow_factory() as uow:
        token = uow.tokens.add(a_token(user_id))
        uow.commit()

    with uow_factory() as uow:
        uow.tokens.update(token.revoked(later(3)))
        uow.commit()

    with uow_factory() as uow:
        stored = uow.tokens.get_by_hash(token.token_hash)
    assert stored == token.revoked(later(3))
    assert stored is not None and not stored.is_valid(later(4))


def test_a_revocation_not_committed_is_rolled_back(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    with uow_factory() as uow:
        token = uow.tokens.add(a_token(user_id))
        uow.commit()

    with uow_factory() as uow:
        uow.tokens.update(token.revoked(later(3)))

    with uow_factory() as uow:
        assert uow.tokens.get_by_hash(token.token_hash) == token


def test_a_token_not_committed_is_rolled_back(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    with uow_factory() as uow:
        uow.tokens.add(a_token(user_id))

    with uow_factory() as uow:
        assert uow.tokens.get_by_hash("a" * 64) is None


def test_refuses_a_token_of_an_unknown_user(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(UserNotFound):
        uow.tokens.add(a_token(424242))


def test_refuses_a_second_token_with_the_same_hash_and_keeps_the_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ewa = stored_user(uow_factory, "ewa@example.pl")
    jan = stored_user(uow_factory, "jan@example.pl")
    with uow_factory() as uow:
        first = uow.tokens.add(a_token(ewa))
        with pytest.raises(Conflict):
            uow.tokens.add(a_token(jan))
        uow.commit()

    with uow_factory() as uow:
        assert uow.tokens.get_by_hash("a" * 64) == first


def test_each_user_may_hold_many_tokens(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    with uow_factory() as uow:
        uow.tokens.add(a_token(user_id, "a" * 64))
        uow.tokens.add(a_token(user_id, "b" * 64))
        uow.commit()

    with uow_factory() as uow:
        found = [uow.tokens.get_by_hash(h) for h in ("a" * 64, "b" * 64)]
    assert [t.user_id for t in found if t is not None] == [user_id, user_id]


def test_updating_a_token_that_does_not_exist_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    with uow_factory() as uow, pytest.raises(NotFound):
        uow.tokens.update(a_token(user_id, id=424242).revoked(later(1)))


def test_a_token_is_found_by_its_id(uow_factory: UnitOfWorkFactory) -> None:
    user_id = stored_user(uow_factory)
    with uow_factory() as uow:
        token = uow.tokens.add(a_token(user_id))
        uow.commit()

    with uow_factory() as uow:
        assert uow.tokens.get(id_of(token)) == token
        assert uow.tokens.get(424242) is None


def test_a_users_tokens_are_listed_newest_first_revoked_ones_too(uow_factory: UnitOfWorkFactory) -> None:
    ewa = stored_user(uow_factory, "ewa@example.pl")
    jan = stored_user(uow_factory, "jan@example.pl")
    with uow_factory() as uow:
        old = uow.tokens.add(a_token(ewa, "a" * 64, revoked_at=later(1)))
        new = uow.tokens.add(a_token(ewa, "b" * 64, created_at=later(2)))
        uow.tokens.add(a_token(jan, "c" * 64))
        uow.commit()

    with uow_factory() as uow:
        assert uow.tokens.list_for_user(ewa) == [new, old]
        assert uow.tokens.list_for_user(424242) == []


def test_revoking_all_of_a_users_tokens_leaves_the_revoked_and_other_users_ones(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ewa = stored_user(uow_factory, "ewa@example.pl")
    jan = stored_user(uow_factory, "jan@example.pl")
    with uow_factory() as uow:
        first = uow.tokens.add(a_token(ewa, "a" * 64, revoked_at=later(1)))
        second = uow.tokens.add(a_token(ewa, "b" * 64))
        jans = uow.tokens.add(a_token(jan, "c" * 64))
        uow.commit()

    with uow_factory() as uow:
        assert uow.tokens.revoke_all(ewa, later(2)) == 1
        uow.commit()

    with uow_factory() as uow:
        read = [uow.tokens.get(id_of(token)) for token in (first, second, jans)]
    assert [token.revoked_at if token else "missing" for token in read] == [later(1), later(2), None]
