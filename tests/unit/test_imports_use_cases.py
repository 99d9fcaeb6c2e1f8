"""Imports on the in-memory unit of work: orders and events streamed in, all or nothing, each row once;
clients and snapshots updated by the monthly file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from adapters.clock import FixedClock
from adapters.memory import InMemoryUnitOfWork
from application import imports
from application.commands import ImportMode
from application.imports import ImportRejected, ImportReport, Row, names_from_email
from domain.clients import Client
from domain.orders import EventKind

ORDER_HEADER = ["client_email", "ordered_at", "amount", "order_id"]


def rows_of(header: list[str], *lines: list[str]) -> Iterator[Row]:
    """The lines of a file as the CSV reader numbers them (the header is line 1)."""
    return ((number, dict(zip(header, line, strict=True))) for number, line in enumerate(lines, start=2))


def import_orders(
    uow: InMemoryUnitOfWork, clock: FixedClock, *lines: list[str], **options: Any
) -> ImportReport:
    header = (
        ORDER_HEADER if all(len(line) == 4 for line in lines) else [*ORDER_HEADER, "first_name", "last_name"]
    )
    return imports.import_orders(header, rows_of(header, *lines), uow, clock, **options)


@pytest.fixture
def anna(uow: InMemoryUnitOfWork) -> Client:
    with uow:
        client = uow.clients.add(Client("Anna", "Nowak", "anna@example.com", date(2024, 1, 10)))
        uow.commit()
    return client


def test_orders_are_stored_once_however_often_the_file_is_imported(uow, clock, anna: Client) -> None:
    lines = [
        ["anna@example.com", "2024-03-05", "149,90", "A-1"],
        ["ANNA@example.com", "20240212", "20.00", "A-2"],
        ["anna@example.com", "2024-04-01T10:30:00+02:00", "-20", ""],
    ]

    first = import_orders(uow, clock, *lines)
    again = import_orders(uow, clock, *lines)

    assert first == ImportReport(imported=3, already_stored=0)
    assert again == ImportReport(imported=0, already_stored=3)
    with uow:
        stored = uow.orders.of_clients([anna.id or 0])[anna.id or 0]
    assert [(o.ordered_at, o.amount, o.order_id) for o in stored] == [
        (datetime(2024, 2, 12, tzinfo=UTC), 20.0, "A-2"),
        (datetime(2024, 3, 5, tzinfo=UTC), 149.9, "A-1"),
        (datetime(2024, 4, 1, 8, 30, tzinfo=UTC), -20.0, None),
    ]


def test_a_bad_row_keeps_the_checking_going_and_stores_nothing(uow, clock, anna: Client) -> None:
    with pytest.raises(ImportRejected) as refused:
        import_orders(
            uow,
            clock,
            ["anna@example.com", "2024-03-05", "10", "A-1"],
            ["anna@example.com", "05/03/2024", "10", "A-2"],
            ["nobody@example.com", "2024-03-05", "10", "A-3"],
            ["anna@example.com", "2024-03-05", "dziesięć", "A-4"],
        )

    problems = [(e.line, e.field, e.code) for e in refused.value.errors]
    assert problems == [
        (3, "ordered_at", "date_format"),
        (4, "client_email", "unknown_client"),
        (5, "amount", "float_parsing"),
    ]
    assert "YYYYMMDD" in str(refused.value.errors[0].params["accepted"])
    with uow:
        assert uow.orders.count() == 0


def test_a_refusal_lists_the_first_thousand_problems_and_counts_them_all(uow, clock, anna: Client) -> None:
    lines = [["anna@example.com", "yesterday", "10", f"A-{n}"] for n in range(imports.MAX_PROBLEMS + 234)]

    with pytest.raises(ImportRejected) as refused:
        import_orders(uow, clock, *lines)

    assert len(refused.value.errors) == imports.MAX_PROBLEMS
    assert refused.value.problems == imports.MAX_PROBLEMS + 234
    assert refused.value.params["problems"] == imports.MAX_PROBLEMS + 234


def test_a_large_file_is_written_chunk_by_chunk_while_it_is_read_in_any_order_of_months(
    uow, clock, anna: Client
) -> None:
    months = [5, 2, 4, 1, 3]
    lines = [
        ["anna@example.com", f"2024-{month:02d}-{day:02d}", "1.5", f"{month}-{day}-{n}"]
        for n in range(imports.CHUNK // 20)
        for month in months
        for day in range(1, 29, 3)
    ]
    stored_while_reading: list[int] = []

    def reading() -> Iterator[Row]:
        for number, row in rows_of(ORDER_HEADER, *lines):
            if number == imports.CHUNK * 2 + 2:
                stored_while_reading.append(uow.orders.count())
            yield number, row

    report = imports.import_orders(ORDER_HEADER, reading(), uow, clock)

    assert report.imported == len(lines) > 2 * imports.CHUNK
    assert stored_while_reading == [2 * imports.CHUNK]
    with uow:
        assert uow.orders.count() == len(lines)


def test_unknown_clients_are_created_registered_on_their_earliest_order(uow, clock) -> None:
    report = import_orders(
        uow,
        clock,
        ["ewa.lis@example.com", "2024-05-01", "10", "E-1", "", ""],
        ["jan@example.com", "2024-05-02", "10", "J-1", "Jan", "Kos"],
        ["ewa.lis@example.com", "2024-02-03", "10", "E-2", "Ewa", "Lis-Nowak"],
        create_clients=True,
    )

    assert report == ImportReport(imported=3, clients_created=2)
    with uow:
        ewa, jan = (uow.clients.get_by_email(e) for e in ("ewa.lis@example.com", "jan@example.com"))
    assert ewa is not None and jan is not None
    assert (ewa.first_name, ewa.last_name, ewa.registered_on) == ("Ewa", "Lis-Nowak", date(2024, 2, 3))
    assert (jan.first_name, jan.last_name, jan.registered_on) == ("Jan", "Kos", date(2024, 5, 2))


def test_a_client_created_without_names_is_named_after_the_email() -> None:
    assert names_from_email("anna.kowalska@example.com") == ("Anna", "Kowalska")
    assert names_from_email("jan_kos@example.com") == ("Jan", "Kos")
    assert names_from_email("client42@example.com") == ("Client42", "?")


def test_a_bad_email_of_a_client_to_create_is_a_row_error(uow, clock) -> None:
    with pytest.raises(ImportRejected) as refused:
        import_orders(uow, clock, ["not-an-email", "2024-05-01", "10", "X-1"], create_clients=True)

    assert [(e.line, e.field, e.code) for e in refused.value.errors] == [(2, "client_email", "invalid_email")]
    with uow:
        assert uow.clients.count() == 0


def test_an_order_before_registration_moves_the_registration_back(uow, clock, anna: Client) -> None:
    report = import_orders(uow, clock, ["anna@example.com", "2023-11-20", "10", "A-0"])

    assert report.registrations_moved_back == 1
    with uow:
        assert uow.clients.get(anna.id or 0).registered_on == date(2023, 11, 20)  # type: ignore[union-attr]


def test_events_of_known_clients_are_stored_once(uow, clock, anna: Client) -> None:
    header = ["client_email", "occurred_at", "kind", "duration_s"]
    lines = [
        ["anna@example.com", "2024-03-05T10:00:00", "visit", "320"],
        ["anna@example.com", "20240306", "newsletter_open", ""],
        ["anna@example.com", "2024-03-07T08:00:00Z", "ad_click", ""],
    ]

    first = imports.import_events(header, rows_of(header, *lines), uow, clock)
    again = imports.import_events(header, rows_of(header, *lines), uow, clock)

    assert (first.imported, again.imported, again.already_stored) == (3, 0, 3)
    with uow:
        kinds = [e.kind for e in uow.events.of_clients([anna.id or 0])[anna.id or 0]]
    assert kinds == [EventKind.VISIT, EventKind.NEWSLETTER_OPEN, EventKind.AD_CLICK]


def test_bad_events_are_refused_naming_each_field(uow, clock, anna: Client) -> None:
    header = ["client_email", "occurred_at", "kind", "duration_s"]
    lines = [
        ["anna@example.com", "2024-03-05", "purchase", ""],
        ["anna@example.com", "2024-03-05", "ad_click", "30"],
        ["ewa@example.com", "2024-03-05", "visit", ""],
    ]

    with pytest.raises(ImportRejected) as refused:
        imports.import_events(header, rows_of(header, *lines), uow, clock)

    assert [(e.line, e.field, e.code) for e in refused.value.errors] == [
        (2, "kind", "enum"),
        (3, "duration_s", "duration_of_visit_only"),
        (4, "client_email", "unknown_client"),
    ]


def test_an_orders_file_needs_its_columns(uow, clock) -> None:
    with pytest.raises(ImportRejected) as refused:
        imports.import_orders(["client_email", "amount", "colour"], iter([]), uow, clock)

    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("ordered_at", "missing_column"),
        ("colour", "unknown_column"),
    ]


CLIENT_HEADER = ["first_name", "last_name", "email", "registered_on"]


def test_an_update_of_clients_changes_those_stored_and_adds_the_others(uow, clock, anna: Client) -> None:
    lines = [
        ["Anna", "Kowalska", "ANNA@example.com", "20240110"],
        ["Jan", "Kos", "jan@example.com", "2024-02-01"],
    ]

    first = imports.import_clients(
        CLIENT_HEADER, rows_of(CLIENT_HEADER, *lines), uow, clock, mode=ImportMode.UPSERT
    )
    again = imports.import_clients(
        CLIENT_HEADER, rows_of(CLIENT_HEADER, *lines), uow, clock, mode=ImportMode.UPSERT
    )

    assert first == ImportReport(imported=1, updated=1)
    assert again == ImportReport(imported=0, already_stored=2)
    with uow:
        assert uow.clients.get(anna.id or 0) == Client(
            "Anna", "Kowalska", "anna@example.com", date(2024, 1, 10), anna.id
        )


def test_without_update_a_stored_client_is_still_refused(uow, clock, anna: Client) -> None:
    with pytest.raises(ImportRejected) as refused:
        imports.import_clients(
            CLIENT_HEADER,
            rows_of(CLIENT_HEADER, ["Anna", "Lis", "anna@example.com", "2024-01-10"]),
            uow,
            clock,
        )

    assert [e.code for e in refused.value.errors] == ["email_taken"]


def test_an_update_may_not_register_a_client_after_their_first_snapshot(uow, clock, anna: Client) -> None:
    _import_activity(uow, clock, [_snapshot_line("2024-01-31")])

    with pytest.raises(ImportRejected) as refused:
        imports.import_clients(
            CLIENT_HEADER,
            rows_of(CLIENT_HEADER, ["Anna", "Nowak", "anna@example.com", "2024-02-15"]),
            uow,
            clock,
            mode=ImportMode.UPSERT,
        )

    assert [(e.field, e.code, e.params) for e in refused.value.errors] == [
        ("registered_on", "after_first_snapshot", {"first_observed_on": "2024-01-31"})
    ]


ACTIVITY_HEADER = list(imports.ACTIVITY_COLUMNS)


def _snapshot_line(observed_on: str, sales: str = "", bought: str = "", purchases: str = "2") -> list[str]:
    return [
        "anna@example.com",
        observed_on,
        purchases,
        "149,90",
        "12",
        "5",
        "4",
        "true",
        "1",
        "18.5",
        sales,
        bought,
    ]


def _import_activity(
    uow: InMemoryUnitOfWork, clock: FixedClock, lines: list[list[str]], **options: Any
) -> ImportReport:
    return imports.import_activity(ACTIVITY_HEADER, rows_of(ACTIVITY_HEADER, *lines), uow, clock, **options)


def test_clients_are_scored_again_after_a_file_that_stored_or_changed_snapshots_only(
    uow, clock, anna: Client
) -> None:
    rescored: list[str] = []
    monthly = [_snapshot_line("2024-02-29"), _snapshot_line("2024-03-31")]

    _import_activity(uow, clock, monthly, rescore=lambda: rescored.append("new"))
    _import_activity(uow, clock, monthly, mode=ImportMode.UPSERT, rescore=lambda: rescored.append("same"))
    with pytest.raises(ImportRejected):
        _import_activity(uow, clock, [_snapshot_line("2024-04-30", purchases="-1")], rescore=rescored.clear)

    assert rescored == ["new"]


def test_the_monthly_file_adds_the_new_month_and_fills_in_last_months_outcomes(
    uow, clock, anna: Client
) -> None:
    _import_activity(uow, clock, [_snapshot_line("2024-02-29")])
    monthly = [_snapshot_line("2024-02-29", sales="310,5", bought="true"), _snapshot_line("2024-03-31")]

    first = _import_activity(uow, clock, monthly, mode=ImportMode.UPSERT)
    again = _import_activity(uow, clock, monthly, mode=ImportMode.UPSERT)

    assert first == ImportReport(imported=1, updated=1)
    assert again == ImportReport(imported=0, already_stored=2)
    with uow:
        february = uow.activity.get(anna.id or 0, date(2024, 2, 29))
    assert february is not None
    assert (february.avg_basket_value, february.sales_next_month, february.purchased_next_14d) == (
        149.9,
        310.5,
        True,
    )


def test_an_update_without_outcomes_keeps_the_known_ones_and_takes_corrected_features(
    uow, clock, anna: Client
) -> None:
    _import_activity(uow, clock, [_snapshot_line("2024-02-29", sales="310.5", bought="false")])

    report = _import_activity(
        uow, clock, [_snapshot_line("2024-02-29", purchases="3")], mode=ImportMode.UPSERT
    )

    assert report.updated == 1
    with uow:
        february = uow.activity.get(anna.id or 0, date(2024, 2, 29))
    assert february is not None
    assert (february.purchases_30d, february.sales_next_month, february.purchased_next_14d) == (
        3,
        310.5,
        False,
    )
