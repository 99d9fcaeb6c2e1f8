"""Use cases about staff accounts and signing in."""

from __future__ import annotations

from application.commands import Credentials, NewUser
from application.ports import PasswordHasher, UnitOfWork
from domain.errors import AuthenticationFailed, DuplicateEmail, UserNotFound
from domain.users import Role, User


def create_user(command: NewUser, uow: UnitOfWork, hasher: PasswordHasher) -> User:
    with uow:
        if uow.users.get_by_email(command.email) is not None:
            raise DuplicateEmail(command.email)
        user = uow.users.add(
            User(email=command.email, password_hash=hasher.hash(command.password), role=command.user_role)
        )
        uow.commit()
    return user


def authenticate(command: Credentials, uow: UnitOfWork, hasher: PasswordHasher) -> User:
    """The active user with these credentials; the same error whether the email or the password is wrong."""
    with uow:
        user = uow.users.get_by_email(command.email)
    if user is None:
        hasher.hash(command.password)  # spend the same time as a real check, so timing reveals nothing
        raise AuthenticationFailed()
    if not hasher.verify(user.password_hash, command.password) or not user.is_active:
        raise AuthenticationFailed()
    return user


def get_user(user_id: int, uow: UnitOfWork) -> User:
    with uow:
        return _get(uow, user_id)


def list_users(uow: UnitOfWork) -> list[User]:
    with uow:
        return uow.users.list()


def change_role(user_id: int, role: Role, uow: UnitOfWork) -> User:
    with uow:
        user = _get(uow, user_id).with_role(role)
        uow.users.update(user)
        uow.commit()
    return user


def deactivate_user(user_id: int, uow: UnitOfWork) -> User:
    with uow:
        user = _get(uow, user_id).deactivated()
        uow.users.update(user)
        uow.commit()
    return user


def _get(uow: UnitOfWork, user_id: int) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user
