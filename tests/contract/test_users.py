"""The user repository: staff accounts with emails unique regardless of case."""

from __future__ import annotations

import pytest

from contract.examples import UnitOfWorkFactory, a_user, id_of
from domain.errors import DuplicateEmail, UserNotFound
from domain.users import Role


def test_an_added_user_gets_an_id_and_reads_back_equal(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        user = uow.users.add(a_user(role=Role.ADMIN))
        uow.commit()

    assert user.id is not None
    with uow_factory() as uow:
        assert uow.users.get(user.id) == user


def test_there_is_no_user_under_an_unknown_id(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.users.get(424242) is None


def test_finds_a_user_by_email_ignoring_case(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        user = uow.users.add(a_user("Ewa.Admin@Example.pl"))

        assert uow.users.get_by_email("ewa.admin@EXAMPLE.pl") == user
        assert uow.users.get_by_email("ewa@example.pl") is None


def test_refuses_a_user_whose_email_differs_only_by_case(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.users.add(a_user("ewa@example.pl"))
        with pytest.raises(DuplicateEmail):
            uow.users.add(a_user("EWA@example.pl", role=Role.ADMIN))
        uow.commit()

    with uow_factory() as uow:
        assert [(u.email, u.role) for u in uow.users.list()] == [("ewa@example.pl", Role.ANALYST)]


def test_an_update_stores_a_new_role_and_a_deactivation(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        user = uow.users.add(a_user())
        uow.commit()

    changed = user.with_role(Role.ADMIN).deactivated()
    with uow_factory() as uow:
        uow.users.update(changed)
        uow.commit()

    with uow_factory() as uow:
        assert uow.users.get(id_of(user)) == changed


def test_refuses_an_update_to_another_users_email_in_another_case(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.users.add(a_user("ewa@example.pl"))
        jan = uow.users.add(a_user("jan@example.pl"))
        uow.commit()

    with uow_factory() as uow:
        with pytest.raises(DuplicateEmail):
            uow.users.update(a_user("Ewa@Example.pl", id=jan.id))
        uow.commit()

    with uow_factory() as uow:
        assert uow.users.get(id_of(jan)) == jan


def test_updating_a_user_that_does_not_exist_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(UserNotFound):
        uow.users.update(a_user(id=424242))


def test_lists_every_user_by_email(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        for email in ["zenon@example.pl", "Adam@example.pl", "maria@example.pl"]:
            uow.users.add(a_user(email))
        uow.commit()

    with uow_factory() as uow:
        assert [u.email for u in uow.users.list()] == [
            "Adam@example.pl",
            "maria@example.pl",
            "zenon@example.pl",
        ]


def test_lists_no_users_when_there_are_none(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.users.list() == []
