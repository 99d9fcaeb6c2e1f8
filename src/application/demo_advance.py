"""The demo company moved on by whole months, as if they had passed: its clients go on living the lives
`application.demo` draws for them, so the months added are the ones seeding later would have drawn (the
same orders and events; an order's `DEMO-` number counts the refunds logged before it, so the number of
an order after a refund that fell past the old month end may differ).

The demo's calendar
-------------------
The company's logs run through a month end recorded with it (`DemoCompany.through`); moving on adds the
orders and events of the months after it and moves that date on. When the date is ahead of the wall
clock, it is the company's today (`CalendarClock`): snapshots derived by default, entered ones and
imports are checked against it, so the months added are not "in the future". The moments things are
done (a prediction made, a run trained, a token issued) stay the wall clock's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from application.chunks import chunks
from application.commands import DemoAdvance
from application.demo import CHUNK_SIZE, DEMO_RECORDED_BY, SyntheticClient, generate_company
from application.ports import Clock, DemoCompany, UnitOfWork
from application.snapshots import build_snapshots
from domain.clients import email_key
from domain.derivation import month_end_of
from domain.errors import Conflict
from domain.orders import Event, Order


class NoDemoCompany(Conflict):
    """Only the demo company, whose lives are drawn, can be moved on."""

    code = "no_demo_company"

    def __init__(self) -> None:
        super().__init__(
            "No demo company is recorded in this database: seed one with `prognoza demo seed` first."
        )


@dataclass(frozen=True, slots=True)
class AdvanceReport:
    clients: int
    """Demo clients still stored, whose logs went on."""
    orders: int
    events: int
    snapshots: int
    """Derived snapshots rebuilt, through the new month end."""
    previous_through: date
    through: date


def advance_demo_company(
    data: DemoAdvance | Mapping[str, object], uow: UnitOfWork, clock: Clock
) -> AdvanceReport:
    """Add the demo company's orders and events of the next `months` months, move its calendar on, and
    rebuild every client's derived snapshots through the new month end: the newest snapshots before get
    their outcomes (so the predictions made from them are realized) and a new newest one exists.

    Clients deleted since seeding are left out; clients added by hand are not the demo's and are not
    changed. Refuses a bad `months` (InvalidInput) and a database without a demo company (NoDemoCompany).
    The predictions are out of date afterwards: the caller scores the clients again.
    """
    months = data.months if isinstance(data, DemoAdvance) else DemoAdvance.parse(data).months
    with uow:
        company = uow.settings.demo_company()
        if company is None:
            raise NoDemoCompany()
        through = month_end_after(company.through, months)
        clients = orders = events = 0
        for chunk in chunks(generate_company(company.clients, company.logs_from, company.seed), CHUNK_SIZE):
            logs = _logs_after(chunk, company, through, uow)
            clients += len(logs)
            orders += uow.orders.add_new([order for client_orders, _ in logs for order in client_orders])
            events += uow.events.add_new([event for _, client_events in logs for event in client_events])
        uow.settings.set_demo_company(replace(company, through=through), DEMO_RECORDED_BY, clock.now())
        uow.commit()
    built = build_snapshots(through, uow, _CompanyClock(clock, through))
    return AdvanceReport(clients, orders, events, built.snapshots, company.through, through)


def demo_company_day(uow: UnitOfWork) -> date | None:
    """The month end the demo company's logs run through, None without a demo company."""
    with uow:
        company = uow.settings.demo_company()
    return None if company is None else company.through


def month_end_after(through: date, months: int) -> date:
    """The month end `months` calendar months after the month end `through`."""
    for _ in range(months):
        through = month_end_of(through + timedelta(days=1))
    return through


def _logs_after(
    chunk: list[SyntheticClient], company: DemoCompany, through: date, uow: UnitOfWork
) -> list[tuple[list[Order], list[Event]]]:
    """The orders and events of the chunk's clients still stored, after the company's last month end up
    to `through`: each log drawn again from its start (the draws of the months before are the same), its
    new days kept; a refund of an earlier order that falls in them is among them."""
    stored = uow.clients.find_by_emails(synthetic.client.email for synthetic in chunk)
    logs = []
    for synthetic in chunk:
        client = stored.get(email_key(synthetic.client.email))
        if client is None or client.id is None:
            continue
        orders, events = synthetic.log_of(client.id, company.logs_from, through)
        logs.append(
            (
                [order for order in orders if order.ordered_on > company.through],
                [event for event in events if event.occurred_on > company.through],
            )
        )
    return logs


class _CompanyClock:
    """The clock as the company will read it once its calendar is at `today`, for the rebuild that
    follows the move at once."""

    def __init__(self, clock: Clock, today: date) -> None:
        self.clock, self.day = clock, today

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return max(self.clock.today(), self.day)
