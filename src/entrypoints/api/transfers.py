"""CSV in and out: imports of clients and of activity (all rows or none), the client list exported."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, stream_with_context

from application.commands import ClientFilter
from application.imports import ImportReport
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer, query, uploaded_csv
from entrypoints.api.security import allowed
from entrypoints.container import current_container as container
from entrypoints.csv_files import export_lines, read_rows

CSV_RESPONSE = {
    "responses": {
        "200": {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "headers": {
                "Content-Disposition": {
                    "description": "attachment; filename=clients.csv",
                    "schema": {"type": "string"},
                }
            },
        }
    }
}
UPLOAD_ERRORS = (400, 413, 415)


@bp.post("/imports/clients", endpoint="import_clients")
@operation(
    "importClients",
    tag="transfers",
    form=schemas.CsvUpload,
    ok={200: schemas.ImportReportOut},
    errors=UPLOAD_ERRORS,
)
@allowed(Permission.EDIT_CLIENTS)
def import_clients() -> Response:
    """Import clients from a CSV file: every row, or none

    Columns: `first_name`, `last_name`, `email`, `registered_on`; the export's other columns are
    accepted and ignored, so an export imports back. A refusal (422) lists every bad row with its
    line and field.
    """
    return _import(container().import_clients())


@bp.post("/imports/activity", endpoint="import_activity")
@operation(
    "importActivity",
    tag="transfers",
    form=schemas.CsvUpload,
    ok={200: schemas.ImportReportOut},
    errors=UPLOAD_ERRORS,
)
@allowed(Permission.EDIT_CLIENTS)
def import_activity() -> Response:
    """Import activity snapshots from a CSV file: every row, or none

    Columns: `client_email` (the client's key), `observed_on`, the features, and the outcomes
    (`sales_next_month`, `purchased_next_14d`) when known. A refusal (422) lists every bad row.
    """
    return _import(container().import_activity())


def _import(use_case: Callable[..., ImportReport]) -> Response:
    columns, rows = read_rows(uploaded_csv())
    return answer(schemas.ImportReportOut.model_validate(use_case(columns, rows)))


@bp.get("/clients/export.csv", endpoint="export_clients")
@operation("exportClients", tag="transfers", query=ClientFilter, ok={200: None}, extra=CSV_RESPONSE)
@allowed(Permission.READ)
def export() -> Response:
    """Export the filtered client list with current predictions, as CSV

    The same filters and sort as the list, without pages: every client they select, streamed.
    `predicted_sales` is in the company's currency, which the file name carries (`clients-PLN.csv`).
    """
    selection = query(ClientFilter)
    currency = container().current_currency()().code
    lines = stream_with_context(export_lines(container().export_clients()(selection)))
    response = current_app.response_class(lines, mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=clients-{currency}.csv"
    return response
