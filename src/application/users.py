"""Use cases about staff accounts and signing in."""

from __future__ import annotations

from application.commands import Credentials, NewUser, OwnPasswordChange, PasswordChange
from application.ports import Clock, PasswordHasher, UnitOfWork
from domain.errors import AuthenticationFailed, Conflict, DuplicateEmail, InvalidValue, UserNotFound
from domain.users import Role, User


class OwnAccountRefused(Conflict):
    """An admin may not demote or deactivate themselves: another admin must, so one always remains."""

    code = "own_account"

    def __init__(self, action: str) -> None:
        super().__init__(f"You cannot {action} your own account: ask another administrator.", action=action)


class WrongCurrentPassword(InvalidValue):
    def __init__(self) -> None:
        super().__init__("current_password", "wrong_password", "is not your current password")


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


def change_role(user_id: int, role: Role, uow: UnitOfWork, *, acting_user_id: int | None = None) -> User:
    """Give a user another role; `acting_user_id`, when given, may not be the user's own id."""
    if acting_user_id is not None and acting_user_id == user_id:
        raise OwnAccountRefused("change the role of")
    with uow:
        user = _get(uow, user_id).with_role(role)
        uow.users.update(user)
        uow.commit()
    return user


def deactivate_user(user_id: int, uow: UnitOfWork, *, acting_user_id: int | None = None) -> User:
    """The user can no longer sign in, their sessions end and their API tokens stop working at once."""
    if acting_user_id is not None and acting_user_id == user_id:
        raise OwnAccountRefused("deactivate")
    with uow:
        user = _get(uow, user_id).deactivated()
        uow.users.update(user)
        uow.commit()
    return user


def reactivate_user(
    user_id: int, uow: UnitOfWork, clock: Clock, *, acting_user_id: int | None = None
) -> User:
    """The user may sign in again. What they held before deactivation stays ended: their API tokens and
    remembered browsers are revoked, so nothing issued before comes back to life with the account.
    `acting_user_id`, when given, may not be the user's own id, as for deactivation."""
    if acting_user_id is not None and acting_user_id == user_id:
        raise OwnAccountRefused("reactivate")
    with uow:
        user = _get(uow, user_id).reactivated()
        uow.users.update(user)
        uow.tokens.revoke_all(user_id, clock.now())
        uow.remember_tokens.revoke_all(user_id, clock.now())
        uow.commit()
    return user


def change_password(
    user_id: int, command: PasswordChange, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock
) -> User:
    """A new password ends every session of the user, remembered browsers included."""
    with uow:
        user = _get(uow, user_id).with_password_hash(hasher.hash(command.password))
        uow.users.update(user)
        uow.remember_tokens.revoke_all(user_id, clock.now())
        uow.commit()
    return user


def change_own_password(
    user_id: int, command: OwnPasswordChange, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock
) -> User:
    """The user's own new password, once they have typed their current one; every session of theirs
    ends, so the caller starts the current one anew with the user returned."""
    with uow:
        user = _get(uow, user_id)
    if not hasher.verify(user.password_hash, command.current_password):
        raise WrongCurrentPassword()
    return change_password(user_id, PasswordChange(password=command.password), uow, hasher, clock)


def reset_password(
    user_id: int,
    command: PasswordChange,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    *,
    acting_user_id: int | None = None,
) -> User:
    """An administrator sets another user's password: every session of that user ends. Their own
    password an administrator changes on their account page, with their current one."""
    if acting_user_id is not None and acting_user_id == user_id:
        raise OwnAccountRefused("reset the password of")
    return change_password(user_id, command, uow, hasher, clock)


def _get(uow: UnitOfWork, user_id: int) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user
