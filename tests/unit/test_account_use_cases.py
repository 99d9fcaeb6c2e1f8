"""A user's own account and an administrator's care of others': changing one's password, one's API
tokens, setting another user's password, reactivating an account."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from adapters.memory import InMemoryUnitOfWork
from application.commands import Credentials, NewUser, OwnPasswordChange, OwnTokenRequest, PasswordChange
from application.sessions import InvalidRememberToken, remember_browser, user_for_remember_cookie
from application.tokens import (
    InvalidToken,
    TokenNotFound,
    issue_own_token,
    list_tokens,
    revoke_own_token,
    user_for_token,
)
from application.users import (
    OwnAccountRefused,
    WrongCurrentPassword,
    authenticate,
    change_own_password,
    create_user,
    deactivate_user,
    get_user,
    reactivate_user,
    reset_password,
)
from application.validation import InvalidInput
from domain.errors import AuthenticationFailed
from domain.users import User
from unit.conftest import FakeHasher

PASSWORD = "correct horse"


def add(uow: InMemoryUnitOfWork, hasher: FakeHasher, email: str, role: str = "analyst") -> User:
    return create_user(NewUser.parse({"email": email, "password": PASSWORD, "role": role}), uow, hasher)


@pytest.fixture
def ola(uow: InMemoryUnitOfWork, hasher: FakeHasher) -> User:
    return add(uow, hasher, "ola@example.com")


@pytest.fixture
def admin(uow: InMemoryUnitOfWork, hasher: FakeHasher) -> User:
    return add(uow, hasher, "admin@example.com", "admin")


def user_id(user: User) -> int:
    assert user.id is not None
    return user.id


def own_change(
    current: str = PASSWORD, new: str = "new horse staple", again: str | None = None
) -> OwnPasswordChange:
    return OwnPasswordChange.parse(
        {
            "current_password": current,
            "password": new,
            "password_confirmation": new if again is None else again,
        }
    )


def signs_in(uow: InMemoryUnitOfWork, hasher: FakeHasher, email: str, password: str) -> bool:
    try:
        authenticate(Credentials.parse({"email": email, "password": password}), uow, hasher)
    except AuthenticationFailed:
        return False
    return True


# --- one's own password ---------------------------------------------------------------------------


def test_a_user_changes_their_password_with_the_current_one_and_every_session_ends(uow, hasher, clock, ola):
    cookie = remember_browser(user_id(ola), uow, clock).cookie

    changed = change_own_password(user_id(ola), own_change(), uow, hasher, clock)

    assert changed.session_generation == ola.session_generation + 1
    assert signs_in(uow, hasher, ola.email, "new horse staple")
    assert not signs_in(uow, hasher, ola.email, PASSWORD)
    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(cookie, uow, clock)


def test_a_wrong_current_password_changes_nothing(uow, hasher, clock, ola):
    with pytest.raises(WrongCurrentPassword) as refused:
        change_own_password(user_id(ola), own_change(current="not my password"), uow, hasher, clock)

    assert (refused.value.error.field, refused.value.error.code) == ("current_password", "wrong_password")
    assert get_user(user_id(ola), uow) == ola


def test_the_new_password_must_be_typed_twice_the_same_and_follow_the_password_rules():
    with pytest.raises(InvalidInput) as refused:
        own_change(new="new horse staple", again="new horse stapel")
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("password_confirmation", "passwords_differ")
    ]

    with pytest.raises(InvalidInput) as refused:
        own_change(current="", new="short")
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("current_password", "string_too_short"),
        ("password", "string_too_short"),
    }


# --- an administrator sets another user's password ------------------------------------------------


def test_an_admin_sets_another_users_password_and_their_sessions_end(uow, hasher, clock, admin, ola):
    cookie = remember_browser(user_id(ola), uow, clock).cookie
    command = PasswordChange.parse({"password": "given by admin"})

    reset = reset_password(user_id(ola), command, uow, hasher, clock, acting_user_id=user_id(admin))

    assert reset.session_generation == ola.session_generation + 1
    assert signs_in(uow, hasher, ola.email, "given by admin")
    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(cookie, uow, clock)


def test_an_admin_does_not_reset_their_own_password_without_the_current_one(uow, hasher, clock, admin):
    command = PasswordChange.parse({"password": "given by admin"})

    with pytest.raises(OwnAccountRefused):
        reset_password(user_id(admin), command, uow, hasher, clock, acting_user_id=user_id(admin))

    assert get_user(user_id(admin), uow) == admin


# --- reactivation ----------------------------------------------------------------------------------


def test_a_reactivated_user_signs_in_again_but_what_they_held_before_stays_revoked(
    uow, hasher, clock, admin, ola
):
    token = issue_own_token(user_id(ola), OwnTokenRequest(), uow, clock).secret
    cookie = remember_browser(user_id(ola), uow, clock).cookie
    deactivate_user(user_id(ola), uow, acting_user_id=user_id(admin))
    assert not signs_in(uow, hasher, ola.email, PASSWORD)

    reactivated = reactivate_user(user_id(ola), uow, clock, acting_user_id=user_id(admin))

    assert reactivated.is_active
    assert signs_in(uow, hasher, ola.email, PASSWORD)
    with pytest.raises(InvalidToken):
        user_for_token(token, uow, clock)
    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(cookie, uow, clock)


def test_an_admin_cannot_reactivate_their_own_account(uow, clock, admin):
    with pytest.raises(OwnAccountRefused):
        reactivate_user(user_id(admin), uow, clock, acting_user_id=user_id(admin))


# --- one's own API tokens --------------------------------------------------------------------------


def test_a_user_lists_only_their_own_tokens_the_newest_first(uow, hasher, clock, ola, admin):
    first = issue_own_token(user_id(ola), OwnTokenRequest(), uow, clock).token
    later = FixedClock(clock.now() + timedelta(hours=1))
    second = issue_own_token(user_id(ola), OwnTokenRequest.parse({"expires_in_days": 7}), uow, later).token
    issue_own_token(user_id(admin), OwnTokenRequest(), uow, clock)

    mine = list_tokens(user_id(ola), uow)

    assert [t.id for t in mine] == [second.id, first.id]
    assert mine[0].expires_at == later.now() + timedelta(days=7)
    assert mine[1].expires_at == clock.now() + timedelta(days=30)


def test_a_user_revokes_their_own_token_by_its_id(uow, clock, ola):
    issued = issue_own_token(user_id(ola), OwnTokenRequest(), uow, clock)
    assert user_for_token(issued.secret, uow, clock) == ola

    revoked = revoke_own_token(user_id(ola), issued.token.id or 0, uow, clock)

    assert revoked.revoked_at == clock.now()
    with pytest.raises(InvalidToken):
        user_for_token(issued.secret, uow, clock)
    assert revoke_own_token(user_id(ola), issued.token.id or 0, uow, clock) == revoked


def test_nobody_revokes_someone_elses_token_not_even_an_admin(uow, clock, ola, admin):
    admins = issue_own_token(user_id(admin), OwnTokenRequest(), uow, clock)
    olas = issue_own_token(user_id(ola), OwnTokenRequest(), uow, clock)

    with pytest.raises(TokenNotFound):
        revoke_own_token(user_id(ola), admins.token.id or 0, uow, clock)
    with pytest.raises(TokenNotFound):
        revoke_own_token(user_id(admin), olas.token.id or 0, uow, clock)
    with pytest.raises(TokenNotFound):
        revoke_own_token(user_id(ola), 999_999, uow, clock)

    assert user_for_token(admins.secret, uow, clock) == admin
    assert user_for_token(olas.secret, uow, clock) == ola


def test_a_token_lives_from_one_to_365_days():
    with pytest.raises(InvalidInput) as refused:
        OwnTokenRequest.parse({"expires_in_days": 366})
    assert refused.value.errors[0].field == "expires_in_days"
