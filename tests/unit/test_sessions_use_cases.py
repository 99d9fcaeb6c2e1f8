"""Panel sessions that end: remembered browsers, signing out, and signing out everywhere."""

from __future__ import annotations

import pytest

from adapters.clock import FixedClock
from adapters.memory import InMemoryUnitOfWork
from application.commands import NewUser, PasswordChange
from application.sessions import (
    InvalidRememberToken,
    remember_browser,
    sign_out,
    sign_out_everywhere,
    user_for_remember_cookie,
)
from application.tokens import hash_token
from application.users import change_password, create_user, deactivate_user, get_user
from domain.sessions import REMEMBER_FOR
from domain.users import User
from unit.conftest import FakeHasher


@pytest.fixture
def ola(uow: InMemoryUnitOfWork, hasher: FakeHasher) -> User:
    command = NewUser.parse({"email": "ola@example.com", "password": "correct horse", "role": "analyst"})
    return create_user(command, uow, hasher)


def user_id(user: User) -> int:
    assert user.id is not None
    return user.id


def test_a_remembered_browser_gets_a_random_cookie_stored_only_as_a_hash(uow, clock, ola):
    first = remember_browser(user_id(ola), uow, clock)
    second = remember_browser(user_id(ola), uow, clock)

    assert first.cookie != second.cookie
    secret = first.cookie.partition(".")[2]
    assert len(secret) >= 40
    assert first.token.token_hash == hash_token(secret) and secret not in first.token.token_hash
    assert first.token.expires_at == clock.now() + REMEMBER_FOR


def test_a_remember_me_cookie_names_its_user_until_it_expires(uow, clock, ola):
    cookie = remember_browser(user_id(ola), uow, clock).cookie

    assert user_for_remember_cookie(cookie, uow, clock).id == ola.id
    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(cookie, uow, FixedClock(clock.now() + REMEMBER_FOR))


@pytest.mark.parametrize("tampered", ["", "abc", "1", "1.", "999.secret", "x.secret"])
def test_a_malformed_or_unknown_cookie_is_refused(uow, clock, ola, tampered: str):
    remember_browser(user_id(ola), uow, clock)

    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(tampered, uow, clock)


def test_a_cookie_with_the_right_id_and_a_wrong_secret_is_refused(uow, clock, ola):
    token_id = remember_browser(user_id(ola), uow, clock).cookie.partition(".")[0]

    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(f"{token_id}.guessed", uow, clock)


def test_signing_out_ends_the_sessions_and_revokes_this_browsers_token_only(uow, clock, ola):
    here = remember_browser(user_id(ola), uow, clock).cookie
    elsewhere = remember_browser(user_id(ola), uow, clock).cookie

    sign_out(user_id(ola), here, uow, clock)

    assert get_user(user_id(ola), uow).session_generation == ola.session_generation + 1
    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(here, uow, clock)
    assert user_for_remember_cookie(elsewhere, uow, clock).id == ola.id


def test_signing_out_with_someone_elses_cookie_revokes_nothing(uow, clock, hasher, ola):
    command = NewUser.parse({"email": "jan@example.com", "password": "correct horse", "role": "analyst"})
    jan = create_user(command, uow, hasher)
    his = remember_browser(user_id(jan), uow, clock).cookie

    sign_out(user_id(ola), his, uow, clock)

    assert user_for_remember_cookie(his, uow, clock).id == jan.id


def test_signing_out_everywhere_revokes_every_token_and_ends_every_session(uow, clock, ola):
    cookies = [remember_browser(user_id(ola), uow, clock).cookie for _ in range(3)]

    assert sign_out_everywhere(user_id(ola), uow, clock) == 3

    assert get_user(user_id(ola), uow).session_generation == ola.session_generation + 1
    for cookie in cookies:
        with pytest.raises(InvalidRememberToken):
            user_for_remember_cookie(cookie, uow, clock)


def test_a_new_password_ends_every_session_and_remembered_browser(uow, clock, hasher, ola):
    cookie = remember_browser(user_id(ola), uow, clock).cookie

    changed = change_password(
        user_id(ola), PasswordChange.parse({"password": "new horse staple"}), uow, hasher, clock
    )

    assert changed.session_generation == ola.session_generation + 1
    assert hasher.verify(changed.password_hash, "new horse staple")
    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(cookie, uow, clock)


def test_deactivation_ends_the_sessions_and_refuses_remembered_browsers(uow, clock, ola):
    cookie = remember_browser(user_id(ola), uow, clock).cookie

    deactivated = deactivate_user(user_id(ola), uow)

    assert deactivated.session_generation == ola.session_generation + 1
    with pytest.raises(InvalidRememberToken):
        user_for_remember_cookie(cookie, uow, clock)
