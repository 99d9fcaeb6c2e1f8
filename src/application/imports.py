"""Bulk imports: clients and activity snapshots, and the shop's logs (orders and events).

Rows come in as text mappings (a CSV file's lines) numbered by the caller, so that a refusal can point
at the line and the field of each bad value. Every import is all or nothing: a bad row does not stop the
checking (the first `MAX_PROBLEMS` problems are listed, all are counted), and then nothing is stored.

Orders and events are streamed: rows are read, checked and written a chunk at a time inside one
transaction, so a file of millions of lines never sits in memory, and a file's months may come in any
order. Each row is stored once (`add_new`): importing a file again stores nothing and says so.

Clients named by an orders file:

- an unknown `client_email` is a row error (`unknown_client`), unless the import creates clients: then
  the client is registered on the day of its earliest order in the file, under the names of its first
  row that gives them; without names in the file they are read from the email (`names_from_email`);
- an order dated before its client's registration moves the registration back to that day: a shop's log
  may predate its CRM, and the first order proves the client was there. Registration only ever moves
  earlier, so no snapshot comes to predate it.

Clients and snapshots may be imported as updates (`ImportMode.UPSERT`), for the monthly routine: a
client already stored (by email) takes the file's names and registration date, a snapshot already stored
(by client and date) takes the file's features and the outcomes the file knows; an empty outcome keeps
the stored one. A row equal to what is stored changes nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date
from typing import TypeVar

from application.chunks import chunks, refresh_statistics
from application.commands import ImportMode, NewClient, NewEvent, NewOrder, NewSnapshot, OrderLine, order_line
from application.ports import ClientRepository, Clock, UnitOfWork
from application.validation import Command, InvalidInput
from domain.activity import ActivitySnapshot
from domain.clients import NAME_MAX_LENGTH, Client, email_key
from domain.errors import DomainError, Params
from domain.orders import Event, Order

CLIENT_COLUMNS = ("first_name", "last_name", "email", "registered_on")
ACTIVITY_COLUMNS = ("client_email", *NewSnapshot.model_fields)
ORDER_COLUMNS = tuple(NewOrder.model_fields)
EVENT_COLUMNS = tuple(NewEvent.model_fields)
EXPORT_ONLY_COLUMNS = ("id", "predicted_sales", "purchase_probability", "will_buy", "segment", "tier")
"""Columns of the client export that an import accepts and ignores, so an export can be imported back."""

CHUNK = 5_000
MAX_PROBLEMS = 1_000
"""Problems listed by a refusal; beyond them they are only counted."""
UNKNOWN_NAME = "?"
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
    """At least one row is bad: nothing was imported. `errors` lists the first problems found (at most
    `MAX_PROBLEMS`, by line), `problems` says how many there were in all."""

    code = "import_rejected"

    def __init__(self, errors: Sequence[RowError], total: int | None = None) -> None:
        problems = len(errors) if total is None else total
        super().__init__(f"Nothing was imported: {problems} problem(s) in the file.", problems=problems)
        self.errors = tuple(errors)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did with the rows of a file."""

    imported: int
    """Rows stored as new."""
    already_stored: int = 0
    """Rows that changed nothing: stored before (or repeated in the file)."""
    updated: int = 0
    """Stored rows the file changed (updates only)."""
    clients_created: int = 0
    registrations_moved_back: int = 0
    """Clients whose registration moved back to an earlier order."""


class Problems:
    """The problems found in a file: the first `MAX_PROBLEMS` kept, every one counted."""

    def __init__(self) -> None:
        self.kept: list[RowError] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(error)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add(error)

    def refuse_if_any(self) -> None:
        if self:
            raise ImportRejected(sorted(self.kept, key=lambda e: e.line), self.total)


def import_clients(
    columns: Sequence[str],
    rows: Iterable[Row],
    uow: UnitOfWork,
    clock: Clock,
    *,
    mode: ImportMode = ImportMode.INSERT,
) -> ImportReport:
    """Add the clients of a file (all or none); with `mode=upsert`, update those already stored."""
    _require_columns(columns, CLIENT_COLUMNS, CLIENT_COLUMNS + EXPORT_ONLY_COLUMNS)
    problems = Problems()
    clients: dict[str, tuple[int, Client]] = {}
    for line, values in rows:
        client = _parse(line, problems, _client_from, values, clock)
        if client is None:
            continue
        key = email_key(client.email)
        if key in clients:
            first = clients[key][0]
            problems.add(
                RowError(line, "email", "repeats_line", f"repeats the email of line {first}", {"line": first})
            )
        else:
            clients[key] = (line, client)
    with uow:
        taken = uow.clients.find_by_emails(clients)
        if mode is ImportMode.INSERT:
            problems.extend(
                RowError(line, "email", "email_taken", "is already taken")
                for key, (line, _) in clients.items()
                if key in taken
            )
        new = [client for key, (_, client) in clients.items() if key not in taken]
        changed = _changed_clients(uow, clients, taken, problems) if mode is ImportMode.UPSERT else []
        problems.refuse_if_any()
        _in_chunks(uow.clients.add_many, new)
        uow.clients.update_many(changed)
        uow.commit()
    if new or changed:
        refresh_statistics(uow)
    return ImportReport(len(new), already_stored=len(clients) - len(new) - len(changed), updated=len(changed))


def import_activity(
    columns: Sequence[str],
    rows: Iterable[Row],
    uow: UnitOfWork,
    clock: Clock,
    *,
    mode: ImportMode = ImportMode.INSERT,
    rescore: Callable[[], object] | None = None,
) -> ImportReport:
    """Add the snapshots of a file (all or none); with `mode=upsert`, update those already stored.
    When it stored or changed any, `rescore` (score the clients again, in the background) is called:
    their predictions are out of date."""
    required = tuple(name for name, info in NewSnapshot.model_fields.items() if info.is_required())
    _require_columns(columns, ("client_email", *required), ACTIVITY_COLUMNS)
    problems = Problems()
    parsed: list[tuple[int, str, NewSnapshot]] = []
    for line, values in rows:
        command = _parse(line, problems, _snapshot_command, values, clock)
        if command is not None:
            parsed.append((line, email_key(values.get("client_email") or ""), command))
    with uow:
        clients = uow.clients.find_by_emails({email for _, email, _ in parsed})
        snapshots = _snapshots_for(parsed, clients, problems)
        stored = uow.activity.get_many(snapshots)
        if mode is ImportMode.INSERT:
            problems.extend(
                RowError(
                    line, "observed_on", "snapshot_exists", "this client already has a snapshot on that date"
                )
                for key, (line, _) in snapshots.items()
                if key in stored
            )
        problems.refuse_if_any()
        new = [snapshot for key, (_, snapshot) in snapshots.items() if key not in stored]
        changed = [
            merged
            for key, (_, snapshot) in snapshots.items()
            if key in stored and (merged := _merged(stored[key], snapshot)) != stored[key]
        ]
        _in_chunks(uow.activity.add_many, new)
        uow.activity.replace_many(changed)
        uow.commit()
    if new or changed:
        refresh_statistics(uow)
    if (new or changed) and rescore is not None:
        rescore()
    return ImportReport(
        len(new), already_stored=len(snapshots) - len(new) - len(changed), updated=len(changed)
    )


def import_orders(
    columns: Sequence[str],
    rows: Iterable[Row],
    uow: UnitOfWork,
    clock: Clock,
    *,
    create_clients: bool = False,
) -> ImportReport:
    """Store a shop's orders (all or none; each order once), chunk by chunk in one transaction; with
    `create_clients`, a client the file names by an unknown email is created (see the module's rules)."""
    _require_columns(columns, _required(NewOrder), ORDER_COLUMNS)
    problems = Problems()
    new = total = 0
    with uow:
        book = ClientBook(uow.clients, create=create_clients)
        for commands in _parsed_chunks(rows, order_line, problems, clock):
            book.look_up(command for _, command in commands)
            book.create_missing(commands, problems)
            orders = [
                Order(client.id, command.ordered_at, command.amount, command.order_id)
                for line, command in commands
                if (client := book.client_of_order(line, command, problems)) and client.id is not None
            ]
            total += len(commands)
            if not problems:
                new += uow.orders.add_new(orders)
        problems.refuse_if_any()
        moved_back = book.write_back()
        uow.commit()
    if new or book.created:
        refresh_statistics(uow)
    return ImportReport(
        new,
        already_stored=total - new,
        clients_created=len(book.created),
        registrations_moved_back=moved_back,
    )


def import_events(columns: Sequence[str], rows: Iterable[Row], uow: UnitOfWork, clock: Clock) -> ImportReport:
    """Store a shop's behavioural events of known clients (all or none; each event once), chunk by chunk
    in one transaction. Events are kept as they came, even from before a client registered."""
    _require_columns(columns, _required(NewEvent), EVENT_COLUMNS)
    problems = Problems()
    new = total = 0
    with uow:
        book = ClientBook(uow.clients, create=False)
        for commands in _parsed_chunks(rows, NewEvent.parse, problems, clock):
            book.look_up(command for _, command in commands)
            events = [
                Event(client.id, command.occurred_at, command.kind, command.duration_s)
                for line, command in commands
                if (client := book.client_of(line, command.client_email, problems)) and client.id is not None
            ]
            total += len(commands)
            if not problems:
                new += uow.events.add_new(events)
        problems.refuse_if_any()
        uow.commit()
    if new:
        refresh_statistics(uow)
    return ImportReport(new, already_stored=total - new)


class ClientBook:
    """The clients a log names by email: looked up a chunk at a time and kept (one entry per client, not
    per row), created when the import may, and registered on their earliest order."""

    def __init__(self, clients: ClientRepository, *, create: bool) -> None:
        self.clients = clients
        self.create = create
        self.known: dict[str, Client] = {}
        self.missing: set[str] = set()
        self.before: dict[str, Client] = {}
        """Clients as they were before the import changed them, by email key."""
        self.created: set[str] = set()
        self.nameless: set[str] = set()
        """Clients created under names read from their email, until a row of theirs gives names."""

    def look_up(self, commands: Iterable[OrderLine | NewEvent]) -> None:
        wanted = {email_key(c.client_email) for c in commands} - self.known.keys() - self.missing
        found = self.clients.find_by_emails(wanted)
        self.known.update(found)
        self.missing |= wanted - found.keys()

    def create_missing(self, commands: Sequence[tuple[int, OrderLine]], problems: Problems) -> None:
        """Create, in one batch, the clients these orders name that are not stored yet (when allowed),
        each from its first row here that gives names, else its first row."""
        if not self.create:
            return
        firsts: dict[str, tuple[int, OrderLine]] = {}
        for line, command in commands:
            key = email_key(command.client_email)
            if key in self.missing and (
                key not in firsts or (_names_of(command) and not _names_of(firsts[key][1]))
            ):
                firsts[key] = (line, command)
        new = {
            key: client
            for key, (line, command) in firsts.items()
            if (client := _new_client(line, command, problems)) is not None
        }
        for key, client in zip(new, self.clients.add_many(list(new.values())), strict=True):
            self.missing.discard(key)
            self.known[key] = client
            self.created.add(key)
            if _names_of(firsts[key][1]) is None:
                self.nameless.add(key)

    def client_of(self, line: int, email: str, problems: Problems) -> Client | None:
        """The client of a row; None, and a problem unless clients are being created, when unknown."""
        return self._client_by_key(line, email_key(email), problems)

    def _client_by_key(self, line: int, key: str, problems: Problems) -> Client | None:
        client = self.known.get(key)
        if client is None and not self.create:
            problems.add(RowError(line, "client_email", "unknown_client", "no client has this email"))
        return client

    def client_of_order(self, line: int, command: OrderLine, problems: Problems) -> Client | None:
        """The client of an order, registered no later than the order; a client created under names
        read from its email takes the first names the file gives."""
        key = email_key(command.client_email)
        client = self._client_by_key(line, key, problems)
        if client is None:
            return None
        changes: dict[str, object] = {}
        if (day := command.ordered_at.astimezone(UTC).date()) < client.registered_on:
            changes["registered_on"] = day
        if key in self.nameless and (names := _names_of(command)) is not None:
            changes["first_name"], changes["last_name"] = names
            self.nameless.discard(key)
        if changes:
            self.before.setdefault(key, client)
            client = self.known[key] = client.with_changes(**changes)
        return client

    def write_back(self) -> int:
        """Store the clients the file changed; how many clients stored before had their registration
        moved back."""
        self.clients.update_many([self.known[key] for key in self.before])
        return sum(
            1
            for key, before in self.before.items()
            if key not in self.created and self.known[key].registered_on < before.registered_on
        )


def _names_of(command: OrderLine) -> tuple[str, str] | None:
    if command.first_name is None or command.last_name is None:
        return None
    return command.first_name, command.last_name


def _new_client(line: int, command: OrderLine, problems: Problems) -> Client | None:
    first_name, last_name = _names_of(command) or names_from_email(command.client_email)
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "email": command.client_email,
        "registered_on": command.ordered_at.astimezone(UTC).date(),
    }
    try:
        return Client(**NewClient.parse(values).model_dump())
    except InvalidInput as invalid:
        problems.extend(
            RowError(line, "client_email" if e.field == "email" else e.field, e.code, e.message, e.params)
            for e in invalid.errors
        )
        return None


def names_from_email(email: str) -> tuple[str, str]:
    """A new client's names when the file gives none: the email's local part split at its first dot,
    dash or underscore (`anna.kowalska@...` is Anna Kowalska); without one, the local part is the first
    name and the last name is unknown, `?`. Staff correct them later (an update of the clients)."""
    local = email.partition("@")[0]
    parts = re.split(r"[._\-]", local, maxsplit=1)
    first = parts[0].capitalize() or UNKNOWN_NAME
    last = parts[1].capitalize() if len(parts) > 1 and parts[1] else UNKNOWN_NAME
    return first[:NAME_MAX_LENGTH], last[:NAME_MAX_LENGTH]


def _in_chunks(store: Callable[[list[T]], object], items: list[T]) -> None:
    """Bulk writes of bounded size, all inside the caller's one transaction."""
    for chunk in chunks(items, CHUNK):
        store(chunk)


def _changed_clients(
    uow: UnitOfWork,
    clients: Mapping[str, tuple[int, Client]],
    taken: Mapping[str, Client],
    problems: Problems,
) -> list[Client]:
    """The stored clients the file changes (names, registration; the stored email and id stay). A
    registration may not move after the client's first snapshot."""
    changed: list[Client] = []
    for key, (line, client) in clients.items():
        stored = taken.get(key)
        if stored is None:
            continue
        updated = replace(client, email=stored.email, id=stored.id)
        if updated == stored:
            continue
        if updated.registered_on > stored.registered_on and stored.id is not None:
            history = uow.activity.history(stored.id)
            if history and history[-1].observed_on < updated.registered_on:
                first = history[-1].observed_on.isoformat()
                message = "must not be after the client's first snapshot ({first_observed_on})"
                problems.add(
                    RowError(
                        line, "registered_on", "after_first_snapshot", message, {"first_observed_on": first}
                    )
                )
                continue
        changed.append(updated)
    return changed


def _merged(stored: ActivitySnapshot, snapshot: ActivitySnapshot) -> ActivitySnapshot:
    """The file's snapshot over the stored one: its features, and its outcomes where it knows them."""
    known_before = replace(
        snapshot,
        sales_next_month=stored.sales_next_month,
        purchased_next_14d=stored.purchased_next_14d,
        id=stored.id,
    )
    return known_before.with_outcomes(snapshot.sales_next_month, snapshot.purchased_next_14d)


def _snapshots_for(
    parsed: list[tuple[int, str, NewSnapshot]], clients: Mapping[str, Client], problems: Problems
) -> dict[tuple[int, date], tuple[int, ActivitySnapshot]]:
    snapshots: dict[tuple[int, date], tuple[int, ActivitySnapshot]] = {}
    for line, email, command in parsed:
        client = clients.get(email)
        if client is None or client.id is None:
            problems.add(RowError(line, "client_email", "unknown_client", "no client has this email"))
            continue
        if command.observed_on < client.registered_on:
            registered_on = {"registered_on": client.registered_on.isoformat()}
            message = "must not be before the client registered"
            problems.add(RowError(line, "observed_on", "before_registration", message, registered_on))
            continue
        key = (client.id, command.observed_on)
        if key in snapshots:
            first = snapshots[key][0]
            message = f"repeats the client and date of line {first}"
            problems.add(RowError(line, "observed_on", "repeats_line", message, {"line": first}))
            continue
        snapshots[key] = (line, ActivitySnapshot(client_id=client.id, **command.model_dump()))
    return snapshots


def _client_from(values: Mapping[str, str | None], clock: Clock) -> Client:
    command = NewClient.parse({name: values.get(name) for name in CLIENT_COLUMNS}, today=clock.today())
    return Client(**command.model_dump())


def _snapshot_command(values: Mapping[str, str | None], clock: Clock) -> NewSnapshot:
    present = {name: values[name] for name in NewSnapshot.model_fields if name in values}
    return NewSnapshot.parse(present, today=clock.today())


def _parsed_chunks(
    rows: Iterable[Row], parse: Callable[..., T], problems: Problems, clock: Clock
) -> Iterator[list[tuple[int, T]]]:
    """The rows read `CHUNK` at a time, each chunk's good rows checked by `parse(values, today=...)`
    (which raises InvalidInput for a bad one); bad ones become problems."""
    today = clock.today()

    def check(values: Mapping[str, str | None], _: Clock) -> T:
        return parse(values, today=today)

    for chunk in chunks(rows, CHUNK):
        yield [
            (line, parsed)
            for line, values in chunk
            if (parsed := _parse(line, problems, check, values, clock)) is not None
        ]


def _parse(
    line: int,
    problems: Problems,
    parse: Callable[[Mapping[str, str | None], Clock], T],
    values: Mapping[str, str | None],
    clock: Clock,
) -> T | None:
    try:
        return parse(values, clock)
    except InvalidInput as invalid:
        problems.extend(RowError(line, e.field, e.code, e.message, e.params) for e in invalid.errors)
    except DomainError as error:
        problems.add(RowError(line, getattr(error, "field", "row"), error.code, error.message, error.params))
    return None


def _required(command: type[Command]) -> tuple[str, ...]:
    return tuple(name for name, info in command.model_fields.items() if info.is_required())


def _require_columns(columns: Sequence[str], required: Sequence[str], allowed: Sequence[str]) -> None:
    problems = Problems()
    problems.extend(
        RowError(1, name, "missing_column", "column is missing") for name in required if name not in columns
    )
    problems.extend(
        RowError(1, name, "unknown_column", "is not a known column")
        for name in columns
        if name not in allowed
    )
    problems.refuse_if_any()
