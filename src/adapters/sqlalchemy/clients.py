"""Clients on SQLAlchemy Core: the repository and the client list's query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, insert, null, or_, select, true, update
from sqlalchemy.orm import Session

from adapters.sqlalchemy.integrity import Translation, Violation, savepoint
from adapters.sqlalchemy.rows import client_from_row, client_values
from adapters.sqlalchemy.statements import chunks, rows_changed
from adapters.sqlalchemy.tables import clients
from application.commands import ClientListQuery, ClientSort
from application.ports import ClientListItem, Page
from domain.clients import Client, email_key
from domain.errors import ClientNotFound, DomainError, DuplicateEmail


class SqlAlchemyClientRepository:
    """Clients in the `clients` table. Never commits: the unit of work does."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, client: Client) -> Client:
        with savepoint(self.session, _refuse_email(client.email)):
            statement = insert(clients).values(client_values(client)).returning(clients.c.id)
            client_id = self.session.execute(statement).scalar_one()
        return replace(client, id=client_id)

    def add_many(self, clients_to_add: Sequence[Client]) -> list[Client]:
        """All or nothing: a taken email refuses the whole batch."""
        ids: list[int] = []
        with savepoint(self.session, self._refuse_batch(clients_to_add)):
            for chunk in chunks(clients_to_add):
                ids += _insert_returning_ids(self.session, chunk)
        return [replace(client, id=client_id) for client, client_id in zip(clients_to_add, ids, strict=True)]

    def get(self, client_id: int) -> Client | None:
        row = self.session.execute(select(clients).where(clients.c.id == client_id)).one_or_none()
        return None if row is None else client_from_row(row)

    def get_by_email(self, email: str) -> Client | None:
        statement = select(clients).where(func.lower(clients.c.email) == email_key(email))
        row = self.session.execute(statement).one_or_none()
        return None if row is None else client_from_row(row)

    def update(self, client: Client) -> None:
        with savepoint(self.session, _refuse_email(client.email)):
            statement = update(clients).where(clients.c.id == client.id).values(client_values(client))
            if rows_changed(self.session, statement) == 0:
                raise ClientNotFound(client.id)

    def delete(self, client_id: int) -> None:
        """The client's activity goes with it (ON DELETE CASCADE)."""
        self.session.execute(delete(clients).where(clients.c.id == client_id))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(clients)) or 0

    def _refuse_batch(self, batch: Sequence[Client]) -> Translation:
        def translate(violation: Violation) -> DomainError | None:
            if violation is not Violation.UNIQUE:
                return None
            return DuplicateEmail(self._first_taken_email(batch))

        return translate

    def _first_taken_email(self, batch: Sequence[Client]) -> str:
        """The email that made a batch fail: repeated within it, or already stored."""
        seen: set[str] = set()
        for client in batch:
            if email_key(client.email) in seen or self.get_by_email(client.email) is not None:
                return client.email
            seen.add(email_key(client.email))
        return batch[0].email

    def list(self, query: ClientListQuery) -> Page[ClientListItem]:
        matching = _matching(query.q)
        total = self.session.scalar(select(func.count()).select_from(clients).where(matching)) or 0
        rows = self.session.execute(_page_of_list(query, matching)).all()
        return Page(
            items=[_list_item(row) for row in rows], total=total, page=query.page, per_page=query.per_page
        )


def _insert_returning_ids(session: Session, batch: Sequence[Client]) -> list[int]:
    # Sorted by parameter order, the ids come back in the order the clients were given.
    statement = insert(clients).returning(clients.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, [client_values(client) for client in batch]).scalars())


def _refuse_email(email: str) -> Translation:
    return lambda violation: DuplicateEmail(email) if violation is Violation.UNIQUE else None


# The client list in one place. Predictions are not stored yet: once they are, the latest ones are
# joined here (_LISTED), fill the prediction columns, and give the prediction columns their sort keys.
_LISTED = clients
_PREDICTIONS = (
    null().label("predicted_sales"),
    null().label("purchase_probability"),
    null().label("will_buy"),
)
_SORT_KEYS: dict[ClientSort, ColumnElement[Any]] = {
    ClientSort.LAST_NAME: func.lower(clients.c.last_name),
    ClientSort.FIRST_NAME: func.lower(clients.c.first_name),
    ClientSort.EMAIL: func.lower(clients.c.email),
    ClientSort.REGISTERED_ON: clients.c.registered_on,
}


def _matching(q: str) -> ColumnElement[bool]:
    """Clients whose full name or email contains `q`, ignoring case (the full name holds both names)."""
    if not q:
        return true()
    needle = q.lower()
    full_name = clients.c.first_name + " " + clients.c.last_name
    return or_(
        func.lower(full_name).contains(needle, autoescape=True),
        func.lower(clients.c.email).contains(needle, autoescape=True),
    )


def _page_of_list(query: ClientListQuery, matching: ColumnElement[bool]) -> Select[Any]:
    return (
        select(clients, *_PREDICTIONS)
        .select_from(_LISTED)
        .where(matching)
        .order_by(*_ordering(query))
        .offset(query.offset)
        .limit(query.per_page)
    )


def _ordering(query: ClientListQuery) -> list[ColumnElement[Any]]:
    """The asked-for order, ties broken by id so that pages never overlap or skip a client."""
    key = _SORT_KEYS.get(query.sort_column)
    if key is None:
        return [clients.c.id]
    return [key.desc() if query.descending else key.asc(), clients.c.id.asc()]


def _list_item(row: Any) -> ClientListItem:
    return ClientListItem(
        client=client_from_row(row),
        predicted_sales=row.predicted_sales,
        purchase_probability=row.purchase_probability,
        will_buy=row.will_buy,
    )
