"""The client repository: identity, unique emails regardless of case, bulk adds, deletion."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from contract.examples import UnitOfWorkFactory, a_client, a_snapshot, id_of
from domain.errors import ClientNotFound, DuplicateEmail


def test_an_added_client_gets_an_id_and_reads_back_equal(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        client = uow.clients.add(a_client())
        uow.commit()

    assert client.id is not None
    with uow_factory() as uow:
        assert uow.clients.get(client.id) == client


def test_each_client_gets_its_own_id(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        anna = uow.clients.add(a_client("Anna"))
        beata = uow.clients.add(a_client("Beata"))

    assert anna.id != beata.id


def test_there_is_no_client_under_an_unknown_id(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.clients.get(424242) is None


def test_finds_a_client_by_email_ignoring_case(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        client = uow.clients.add(a_client(email="Anna.Nowak@Example.pl"))

        assert uow.clients.get_by_email("anna.nowak@example.PL") == client


def test_finds_no_client_for_an_email_nobody_has(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client(email="anna@example.pl"))

        assert uow.clients.get_by_email("anna@example.com") is None


def test_refuses_a_client_whose_email_differs_only_by_case(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        anna = uow.clients.add(a_client("Anna", email="anna@example.pl"))
        uow.commit()

    with uow_factory() as uow:
        with pytest.raises(DuplicateEmail):
            uow.clients.add(a_client("Beata", email="ANNA@Example.PL"))
        uow.commit()

    with uow_factory() as uow:
        assert uow.clients.count() == 1
        assert uow.clients.get_by_email("anna@example.pl") == anna


def test_emails_with_non_ascii_letters_are_unique_regardless_of_case(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        client = uow.clients.add(a_client(email="ŁUCJA@example.pl"))

        assert uow.clients.get_by_email("łucja@example.pl") == client
        with pytest.raises(DuplicateEmail):
            uow.clients.add(a_client("Beata", email="Łucja@example.pl"))


def test_an_update_changes_the_stored_client(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        client = uow.clients.add(a_client())
        uow.commit()

    changed = client.with_changes(
        first_name="Anita", last_name="Kowalska", email="anita@example.pl", registered_on=date(2022, 5, 1)
    )
    with uow_factory() as uow:
        uow.clients.update(changed)
        uow.commit()

    with uow_factory() as uow:
        assert uow.clients.get(id_of(client)) == changed


def test_an_update_may_change_the_case_of_the_clients_own_email(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        client = uow.clients.add(a_client(email="anna@example.pl"))
        uow.clients.update(client.with_changes(email="Anna@Example.pl"))

        assert uow.clients.get(id_of(client)) == client.with_changes(email="Anna@Example.pl")


def test_refuses_an_update_to_another_clients_email_in_another_case(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client("Anna", email="anna@example.pl"))
        beata = uow.clients.add(a_client("Beata", email="beata@example.pl"))
        uow.commit()

    with uow_factory() as uow:
        with pytest.raises(DuplicateEmail):
            uow.clients.update(beata.with_changes(first_name="Bea", email="ANNA@example.pl"))
        uow.commit()

    with uow_factory() as uow:
        assert uow.clients.get(id_of(beata)) == beata


def test_updating_a_client_that_does_not_exist_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(ClientNotFound):
        uow.clients.update(a_client(id=424242))


def test_add_many_returns_the_clients_with_ids_in_the_order_given(uow_factory: UnitOfWorkFactory) -> None:
    names = [f"Klient{n:03d}" for n in range(250)]
    with uow_factory() as uow:
        added = uow.clients.add_many([a_client(name) for name in names])
        uow.commit()

    assert [client.first_name for client in added] == names
    assert len({client.id for client in added}) == len(names)
    with uow_factory() as uow:
        assert all(uow.clients.get(id_of(c)) == c for c in added)


def test_add_many_of_no_clients_stores_nothing(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.clients.add_many([]) == []
        assert uow.clients.count() == 0


def test_add_many_refuses_the_whole_batch_when_an_email_is_taken(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client("Anna"))
        with pytest.raises(DuplicateEmail) as refusal:
            uow.clients.add_many([a_client("Beata"), a_client("Other", email="ANNA@example.pl")])
        uow.commit()

    assert refusal.value.email == "ANNA@example.pl"
    with uow_factory() as uow:
        assert uow.clients.count() == 1


def test_add_many_refuses_a_batch_that_repeats_an_email(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        with pytest.raises(DuplicateEmail) as refusal:
            uow.clients.add_many(
                [a_client("Anna"), a_client("Beata"), a_client("Other", email="BEATA@example.pl")]
            )
        assert uow.clients.count() == 0

    assert refusal.value.email == "BEATA@example.pl"


def test_counts_the_stored_clients(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add_many([a_client("Anna"), a_client("Beata"), a_client("Celina")])

        assert uow.clients.count() == 3


def test_deleting_a_client_removes_its_activity_too(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        anna, beata = uow.clients.add_many([a_client("Anna"), a_client("Beata")])
        uow.activity.add_many(
            [
                a_snapshot(id_of(anna), date(2024, 1, 1)),
                a_snapshot(id_of(anna), date(2024, 2, 1)),
                a_snapshot(id_of(beata), date(2024, 1, 1)),
            ]
        )
        uow.commit()

    with uow_factory() as uow:
        uow.clients.delete(id_of(anna))
        uow.commit()

    with uow_factory() as uow:
        assert uow.clients.get(id_of(anna)) is None
        assert uow.activity.history(id_of(anna)) == []
        assert len(uow.activity.history(id_of(beata))) == 1
        assert uow.activity.count() == 1


def test_deleting_a_client_that_does_not_exist_changes_nothing(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client())
        uow.clients.delete(424242)

        assert uow.clients.count() == 1


def test_finds_the_clients_among_many_emails_keyed_by_their_lower_case_form(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        anna = uow.clients.add(a_client("Anna", email="Anna.Nowak@Example.pl"))
        beata = uow.clients.add(a_client("Beata", email="beata@example.pl"))
        uow.clients.add(a_client("Celina"))
        uow.commit()

    with uow_factory() as uow:
        found = uow.clients.find_by_emails(["ANNA.NOWAK@example.pl", "beata@example.pl", "nobody@example.pl"])

    assert found == {"anna.nowak@example.pl": anna, "beata@example.pl": beata}


def test_finding_by_no_emails_finds_nobody(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add(a_client())

        assert uow.clients.find_by_emails([]) == {}


def test_finds_thousands_of_clients_by_email_at_once(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.add_many([a_client(f"Klient{n:04d}") for n in range(6_000)])
        uow.commit()

    with uow_factory() as uow:
        found = uow.clients.find_by_emails(f"klient{n:04d}@example.pl" for n in range(0, 12_000, 2))

    assert len(found) == 3_000


def test_many_clients_are_updated_at_once_by_id(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        anna, beata, celina = uow.clients.add_many([a_client("Anna"), a_client("Beata"), a_client("Celina")])
        uow.commit()

    renamed = replace(anna, last_name="Kowalska", registered_on=date(2020, 5, 1))
    moved = replace(beata, registered_on=date(2019, 1, 2))
    with uow_factory() as uow:
        uow.clients.update_many([renamed, moved])
        uow.commit()

    with uow_factory() as uow:
        assert uow.clients.get(id_of(anna)) == renamed
        assert uow.clients.get(id_of(beata)) == moved
        assert uow.clients.get(id_of(celina)) == celina


def test_updating_many_clients_to_a_taken_email_changes_none_of_them(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        anna, beata = uow.clients.add_many([a_client("Anna"), a_client("Beata")])
        uow.commit()

    with uow_factory() as uow:
        with pytest.raises(DuplicateEmail):
            uow.clients.update_many([replace(anna, last_name="Lis"), replace(beata, email="ANNA@example.pl")])
        uow.commit()

    with uow_factory() as uow:
        assert uow.clients.get(id_of(anna)) == anna
        assert uow.clients.get(id_of(beata)) == beata
