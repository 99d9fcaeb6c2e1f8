"""Bulk imports of clients and activity snapshots: every row validated, then all rows stored or none.

Rows come in as text mappings (a CSV file's lines) numbered by the caller, so that a refusal can point
at the line and the field of each bad value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from application.chunks import chunks
from application.commands import NewClient, NewSnapshot
from application.ports import Clock, UnitOfWork
from application.validation import InvalidInput
from domain.activity import ActivitySnapshot
from domain.clients import Client, email_key
from domain.errors import DomainError, Params

CLIENT_COLUMNS = ("first_name", "last_name", "email", "registered_on")
ACTIVITY_COLUMNS = ("client_email", *NewSnapshot.model_fields)
EXPORT_ONLY_COLUMNS = ("id", "predicted_sales", "purchase_probability", "will_buy", "segment")
"""Columns of the client export that an import accepts and ignores, so an export can be imported back."""

CHUNK = 5_000
T = TypeVar("T")

Row = tuple[int, Mapping[str, str | None]]
"""A line number and the row's values by column name."""


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one field of one line of a file: the same `code` and `params` as a form's."""

    line: int
    field: str
    code: str
    message: str
    params: Params = dataclasses.field(default_factory=dict)


class ImportRejected(DomainError):
    """At least one row is bad: nothing was imported, and `errors` lists every problem found."""

    code = "import_rejected"

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"Nothing was imported: {len(errors)} problem(s) in the file.", problems=len(errors))
        self.errors = tuple(errors)


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: int


def import_clients(
    columns: Sequence[str], rows: Iterable[Row], uow: UnitOfWork, clock: Clock
) -> ImportReport:
    _require_columns(columns, CLIENT_COLUMNS, CLIENT_COLUMNS + EXPORT_ONLY_COLUMNS)
    errors: list[RowError] = []
    clients: dict[str, tuple[int, Client]] = {}
    for line, values in rows:
        client = _parse(line, errors, _client_from, values, clock)
        if client is None:
            continue
        key = email_key(client.email)
        if key in clients:
            first = clients[key][0]
            errors.append(
                RowError(line, "email", "repeats_line", f"repeats the email of line {first}", {"line": first})
            )
        else:
            clients[key] = (line, client)
    with uow:
        taken = uow.clients.find_by_emails(clients)
        errors += [
            RowError(line, "email", "email_taken", "is already taken")
            for key, (line, _) in clients.items()
            if key in taken
        ]
        _refuse_if_any(errors)
        _in_chunks(uow.clients.add_many, [client for _, client in clients.values()])
        uow.commit()
    return ImportReport(len(clients))


def import_activity(
    columns: Sequence[str], rows: Iterable[Row], uow: UnitOfWork, clock: Clock
) -> ImportReport:
    required = tuple(name for name, info in NewSnapshot.model_fields.items() if info.is_required())
    _require_columns(columns, ("client_email", *required), ACTIVITY_COLUMNS)
    errors: list[RowError] = []
    parsed: list[tuple[int, str, NewSnapshot]] = []
    for line, values in rows:
        command = _parse(line, errors, _snapshot_command, values, clock)
        if command is not None:
            parsed.append((line, email_key(values.get("client_email") or ""), command))
    with uow:
        clients = uow.clients.find_by_emails({email for _, email, _ in parsed})
        snapshots = _snapshots_for(parsed, clients, errors)
        taken = uow.activity.existing(snapshots)
        errors += [
            RowError(
                line, "observed_on", "snapshot_exists", "this client already has a snapshot on that date"
            )
            for key, (line, _) in snapshots.items()
            if key in taken
        ]
        _refuse_if_any(errors)
        _in_chunks(uow.activity.add_many, [snapshot for _, snapshot in snapshots.values()])
        uow.commit()
    return ImportReport(len(snapshots))


def _in_chunks(store: Callable[[list[T]], object], items: list[T]) -> None:
    """Bulk writes of bounded size, all inside the caller's one transaction."""
    for chunk in chunks(items, CHUNK):
        store(chunk)


def _snapshots_for(
    parsed: list[tuple[int, str, NewSnapshot]], clients: Mapping[str, Client], errors: list[RowError]
) -> dict[tuple[int, date], tuple[int, ActivitySnapshot]]:
    snapshots: dict[tuple[int, date], tuple[int, ActivitySnapshot]] = {}
    for line, email, command in parsed:
        client = clients.get(email)
        if client is None or client.id is None:
            errors.append(RowError(line, "client_email", "unknown_client", "no client has this email"))
            continue
        if command.observed_on < client.registered_on:
            registered_on = {"registered_on": client.registered_on.isoformat()}
            message = "must not be before the client registered"
            errors.append(RowError(line, "observed_on", "before_registration", message, registered_on))
            continue
        key = (client.id, command.observed_on)
        if key in snapshots:
            first = snapshots[key][0]
            message = f"repeats the client and date of line {first}"
            errors.append(RowError(line, "observed_on", "repeats_line", message, {"line": first}))
            continue
        snapshots[key] = (line, ActivitySnapshot(client_id=client.id, **command.model_dump()))
    return snapshots


def _client_from(values: Mapping[str, str | None], clock: Clock) -> Client:
    command = NewClient.parse({name: values.get(name) for name in CLIENT_COLUMNS}, today=clock.today())
    return Client(**command.model_dump())


def _snapshot_command(values: Mapping[str, str | None], clock: Clock) -> NewSnapshot:
    present = {name: values[name] for name in NewSnapshot.model_fields if name in values}
    return NewSnapshot.parse(present, today=clock.today())


def _parse(
    line: int,
    errors: list[RowError],
    parse: Callable[[Mapping[str, str | None], Clock], T],
    values: Mapping[str, str | None],
    clock: Clock,
) -> T | None:
    try:
        return parse(values, clock)
    except InvalidInput as invalid:
        errors += _row_errors(line, invalid)
    except DomainError as error:
        errors.append(RowError(line, getattr(error, "field", "row"), error.code, error.message, error.params))
    return None


def _row_errors(line: int, invalid: InvalidInput) -> list[RowError]:
    return [RowError(line, e.field, e.code, e.message, e.params) for e in invalid.errors]


def _require_columns(columns: Sequence[str], required: Sequence[str], allowed: Sequence[str]) -> None:
    missing = [name for name in required if name not in columns]
    unknown = [name for name in columns if name not in allowed]
    errors = [RowError(1, name, "missing_column", "column is missing") for name in missing]
    errors += [RowError(1, name, "unknown_column", "is not a known column") for name in unknown]
    _refuse_if_any(errors)


def _refuse_if_any(errors: list[RowError]) -> None:
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
