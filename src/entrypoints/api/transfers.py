"""CSV in and out: imports of clients, activity, orders and events (all rows or none), the client list
exported."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Response, current_app, request, stream_with_context

from application.commands import ClientExport, ImportOptions
from application.imports import ImportReport
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer, uploaded_csv
from entrypoints.api.security import allowed
from entrypoints.container import current_container as container
from entrypoints.csv_files import export_lines, read_rows
from entrypoints.spreadsheets import export_filename, sheet_of
from entrypoints.web.i18n import DEFAULT_LOCALE, LANGUAGES

CSV_RESPONSE = {
    "responses": {
        "200": {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "headers": {
                "Content-Disposition": {
                    "description": "attachment; filename=clients-PLN.csv (plain) or "
                    "clients-PLN-excel-pl.csv (dialect=excel, lang=pl)",
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
    form=schemas.UpsertUpload,
    ok={200: schemas.ImportReportOut},
    errors=UPLOAD_ERRORS,
)
@allowed(Permission.EDIT_CLIENTS)
def import_clients() -> Response:
    """Import clients from a CSV file: every row, or none

    Columns: `first_name`, `last_name`, `email`, `registered_on` (`YYYY-MM-DD` or `YYYYMMDD`); the
    export's other columns are accepted and ignored, so an export imports back. With `mode=upsert`
    clients already stored (by email) take the file's names and registration date. A refusal (422)
    lists every bad row with its line and field.
    """
    return _import(functools.partial(container().import_clients(), mode=_options().mode))


@bp.post("/imports/activity", endpoint="import_activity")
@operation(
    "importActivity",
    tag="transfers",
    form=schemas.UpsertUpload,
    ok={200: schemas.ImportReportOut},
    errors=UPLOAD_ERRORS,
)
@allowed(Permission.EDIT_CLIENTS)
def import_activity() -> Response:
    """Import activity snapshots from a CSV file: every row, or none

    Columns: `client_email` (the client's key), `observed_on`, the features, and the outcomes
    (`sales_next_month`, `purchased_next_14d`) when known. With `mode=upsert` snapshots already stored
    (by client and date) take the file's features, and its outcomes where it gives them. A refusal
    (422) lists every bad row.
    """
    return _import(functools.partial(container().import_activity(), mode=_options().mode))


@bp.post("/imports/orders", endpoint="import_orders")
@operation(
    "importOrders",
    tag="transfers",
    form=schemas.OrdersUpload,
    ok={200: schemas.ImportReportOut},
    errors=UPLOAD_ERRORS,
)
@allowed(Permission.EDIT_CLIENTS)
def import_orders() -> Response:
    """Import a shop's orders from a CSV file: every row, or none; each order once

    Columns: `client_email`, `ordered_at` (`YYYY-MM-DD`, `YYYYMMDD` or an ISO 8601 date and time; without
    an offset it is UTC), `amount` (`149.90` or `149,90`; negative for a refund), and optionally
    `order_id` (an order is stored once by it, else by the whole row), `first_name`, `last_name`. An
    unknown email is refused on its line unless `create_clients` is true: then the client is created,
    registered on its earliest order in the file. An order before its client's registration moves the
    registration back. Importing a file again stores nothing new.
    """
    return _import_log(
        functools.partial(container().import_orders(), create_clients=_options().create_clients)
    )


@bp.post("/imports/events", endpoint="import_events")
@operation(
    "importEvents",
    tag="transfers",
    form=schemas.CsvUpload,
    ok={200: schemas.ImportReportOut},
    errors=UPLOAD_ERRORS,
)
@allowed(Permission.EDIT_CLIENTS)
def import_events() -> Response:
    """Import behavioural events of known clients from a CSV file: every row, or none; each event once

    Columns: `client_email`, `occurred_at` (as an order's `ordered_at`), `kind` (`visit`,
    `newsletter_open`, `ad_click`) and, for a visit, `duration_s`. Importing a file again stores
    nothing new.
    """
    return _import_log(container().import_events())


def _options() -> ImportOptions:
    """The upload's other form fields (`mode`, `create_clients`); unknown ones are ignored."""
    return ImportOptions.parse(
        {name: request.form[name] for name in ImportOptions.model_fields if name in request.form}
    )


def _import(use_case: Callable[..., ImportReport]) -> Response:
    columns, rows = read_rows(uploaded_csv())
    return answer(schemas.ImportReportOut.model_validate(use_case(columns, rows)))


def _import_log(use_case: Callable[..., ImportReport]) -> Response:
    """Import orders or events; when new rows came in, rebuild the snapshots in the background."""
    columns, rows = read_rows(uploaded_csv())
    report = use_case(columns, rows)
    build = container().start_snapshot_build()({}) if report.imported else None
    out = schemas.ImportReportOut.model_validate(report)
    return answer(
        out.model_copy(update={"snapshot_build": None if build is None else schemas.JobOut.of(build)})
    )


@bp.get("/clients/export.csv", endpoint="export_clients")
@operation(
    "exportClients", tag="transfers", query=ClientExport, ok={200: None}, errors=(414,), extra=CSV_RESPONSE
)
@allowed(Permission.READ)
def export() -> Response:
    """Export the filtered client list with current predictions, as CSV

    The same filters and sort as the list, without pages: every client they select, streamed; with
    `limit=N`, the first N of them in that order ("top N", 1 to 1,000,000); with `ids` (`ids=3&ids=17`
    or `ids=3,17`, at most 1,000), only those clients, still in the list's order and only if the filters
    select them. `predicted_sales` is in the company's currency, which the file name carries
    (`clients-PLN.csv`).

    `dialect=plain` (the default) is machine CSV that imports back: comma, UTF-8 without BOM, decimal
    dots, the column names and values of the API. `dialect=excel` is for a spreadsheet in `lang`
    (`pl` or `en`; without it, the best language of `Accept-Language`, else English): UTF-8 with a BOM,
    column names and values in that language (segment names, Yes/No), numbers with its decimal
    separator and, where that is a comma (Polish), `;` between fields; forecasts with two decimals,
    the probability as a percentage (`87,34%`), dates as `YYYY-MM-DD`. Text that a spreadsheet would
    run as a formula is neutralised in both (`'=SUM(A1)`).
    """
    raw: dict[str, object] = dict(request.args.to_dict())
    if "ids" in request.args:
        raw["ids"] = request.args.getlist("ids")
    selection = ClientExport.parse(raw)
    currency = container().current_currency()().code
    language = request.accept_languages.best_match(LANGUAGES) or DEFAULT_LOCALE
    sheet = sheet_of(selection, language, currency)
    lines = stream_with_context(export_lines(container().export_clients()(selection), sheet))
    response = current_app.response_class(lines, mimetype="text/csv")
    filename = export_filename("clients", selection, language, currency)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response
