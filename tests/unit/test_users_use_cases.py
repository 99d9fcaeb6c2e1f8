"""Use cases about staff accounts and signing in, on the in-memory unit of work."""

from __future__ import annotations

import pytest

from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from application.commands import Credentials, NewUser
from application.users import (
    OwnAccountRefused,
    authenticate,
    change_role,
    create_user,
    deactivate_user,
    get_user,
    list_users,
)
from domain.errors import AuthenticationFailed, DuplicateEmail, UserNotFound
from domain.users import Role, User
from unit.conftest import FakeHasher


def create(
    uow: InMemoryUnitOfWork, hasher: FakeHasher, email: str = "ola@example.com", role: str = "analyst"
) -> User:
    return create_user(
        NewUser.parse({"email": email, "password": "correct horse", "role": role}), uow, hasher
    )


def sign_in(uow: InMemoryUnitOfWork, hasher: FakeHasher, email: str, password: str) -> User:
    return authenticate(Credentials.parse({"email": email, "password": password}), uow, hasher)


def user_id(user: User) -> int:
    assert user.id is not None
    return user.id


def test_creating_a_user_stores_only_a_hash_of_the_password(
    uow: InMemoryUnitOfWork, hasher: FakeHasher
) -> None:
    user = create(uow, hasher, role="admin")

    assert user.role is Role.ADMIN and user.is_active
    assert user.password_hash == "hashed:correct horse"
    assert get_user(user_id(user), uow) == user


def test_an_email_taken_in_another_case_is_refused_and_nothing_is_written(
    uow: InMemoryUnitOfWork, hasher: FakeHasher, store: InMemoryStore
) -> None:
    create(uow, hasher, email="ola@example.com")

    with pytest.raises(DuplicateEmail) as refused:
        create(uow, hasher, email="OLA@EXAMPLE.COM")

    assert refused.value.field == "email"
    assert len(store.users) == 1


def test_signing_in_with_the_right_password_gives_the_user(
    uow: InMemoryUnitOfWork, hasher: FakeHasher
) -> None:
    user = create(uow, hasher)

    assert sign_in(uow, hasher, "OLA@example.com", "correct horse") == user


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    uow: InMemoryUnitOfWork, hasher: FakeHasher
) -> None:
    create(uow, hasher)

    with pytest.raises(AuthenticationFailed) as wrong_password:
        sign_in(uow, hasher, "ola@example.com", "wrong horse")
    with pytest.raises(AuthenticationFailed) as unknown_email:
        sign_in(uow, hasher, "nobody@example.com", "correct horse")

    assert wrong_password.value.message == unknown_email.value.message


def test_an_unknown_email_costs_a_password_hash_like_a_known_one(
    uow: InMemoryUnitOfWork, hasher: FakeHasher
) -> None:
    with pytest.raises(AuthenticationFailed):
        sign_in(uow, hasher, "nobody@example.com", "guess")

    assert hasher.hashed == ["guess"]


def test_a_deactivated_user_cannot_sign_in(uow: InMemoryUnitOfWork, hasher: FakeHasher) -> None:
    user = create(uow, hasher)

    deactivate_user(user_id(user), uow)

    with pytest.raises(AuthenticationFailed):
        sign_in(uow, hasher, "ola@example.com", "correct horse")
    assert not get_user(user_id(user), uow).is_active


def test_an_admin_can_change_a_users_role(uow: InMemoryUnitOfWork, hasher: FakeHasher) -> None:
    user = create(uow, hasher)

    change_role(user_id(user), Role.ADMIN, uow)

    assert get_user(user_id(user), uow).is_admin


def test_users_are_listed_by_email(uow: InMemoryUnitOfWork, hasher: FakeHasher) -> None:
    for email in ("zofia@example.com", "Anna@example.com", "ola@example.com"):
        create(uow, hasher, email=email)

    assert [u.email for u in list_users(uow)] == ["Anna@example.com", "ola@example.com", "zofia@example.com"]


def test_an_unknown_user_is_refused(uow: InMemoryUnitOfWork) -> None:
    with pytest.raises(UserNotFound):
        get_user(404, uow)
    with pytest.raises(UserNotFound):
        change_role(404, Role.ADMIN, uow)
    with pytest.raises(UserNotFound):
        deactivate_user(404, uow)


def test_an_admin_cannot_change_their_own_role_or_deactivate_themselves(
    uow: InMemoryUnitOfWork, hasher: FakeHasher
) -> None:
    admin = create(uow, hasher, role="admin")

    with pytest.raises(OwnAccountRefused, match="your own account"):
        change_role(user_id(admin), Role.ANALYST, uow, acting_user_id=user_id(admin))
    with pytest.raises(OwnAccountRefused):
        deactivate_user(user_id(admin), uow, acting_user_id=user_id(admin))

    assert get_user(user_id(admin), uow) == admin


def test_an_admin_changes_and_deactivates_another_user(uow: InMemoryUnitOfWork, hasher: FakeHasher) -> None:
    admin = create(uow, hasher, email="admin@example.com", role="admin")
    user = create(uow, hasher)

    change_role(user_id(user), Role.ADMIN, uow, acting_user_id=user_id(admin))
    deactivate_user(user_id(user), uow, acting_user_id=user_id(admin))

    changed = get_user(user_id(user), uow)
    assert changed.is_admin and not changed.is_active
