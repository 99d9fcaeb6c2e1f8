"""The filtered client list with current predictions, row after row, for campaign tools."""

from __future__ import annotations

from collections.abc import Iterator

from application.commands import ClientExport, ClientFilter, ClientListQuery
from application.ports import UnitOfWork
from application.queries import ClientListItem

EXPORT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "registered_on",
    "predicted_sales",
    "purchase_probability",
    "will_buy",
    "segment",
    "tier",
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a cell that a spreadsheet would run as a formula starts (OWASP's CSV injection rule)."""
TEXT_COLUMNS = ("first_name", "last_name", "email")
"""The columns of free text a person typed: the only ones neutralised on export and restored on import.
Numbers (a negative forecast, `-12.50`) stay numbers; dates and codes never start like a formula."""


def neutralised(text: str) -> str:
    """A text cell no spreadsheet runs: a single quote before one that starts like a formula, and before
    one that starts with a quote already, so that `restored` undoes exactly what this did."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def restored(cell: str) -> str:
    """A text cell as it was before `neutralised`: one leading quote dropped where it added one."""
    return cell[1:] if cell.startswith("'") and cell[1:2].startswith((*FORMULA_STARTS, "'")) else cell


def export_clients(query: ClientFilter, uow: UnitOfWork) -> Iterator[ClientListItem]:
    """The clients of the query's list, in its sort order, read in one pass: every client its filters
    select, or (a `ClientExport`) the first `limit` of them, or only the clients of its `ids`.

    A `ClientListQuery` works too: its own page and page size are ignored."""
    selection = {name: getattr(query, name) for name in ClientFilter.model_fields}
    limit = query.limit if isinstance(query, ClientExport) else None
    ids = frozenset(query.ids) if isinstance(query, ClientExport) and query.ids is not None else None
    # The query is valid already: the list's form of it is built without validating it again.
    listed = ClientListQuery.model_construct(**selection)
    with uow:
        segments, tiers = uow.settings.segment_rule(), uow.settings.tier_cuts()
        yield from uow.clients.stream(listed, segments, ids=ids, tiers=tiers, limit=limit)


def export_row(item: ClientListItem) -> dict[str, object]:
    client = item.client
    return {
        "id": client.id,
        "first_name": neutralised(client.first_name),
        "last_name": neutralised(client.last_name),
        "email": neutralised(client.email),
        "registered_on": client.registered_on.isoformat(),
        "predicted_sales": "" if item.predicted_sales is None else f"{item.predicted_sales:.2f}",
        "purchase_probability": ""
        if item.purchase_probability is None
        else f"{item.purchase_probability:.4f}",
        "will_buy": "" if item.will_buy is None else str(item.will_buy).lower(),
        "segment": "" if item.segment is None else item.segment.value,
        "tier": "" if item.tier is None else item.tier.value,
    }
