"""CSV transfers: the uploaded file, and what an import stored."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from entrypoints.api.schemas.base import Schema
from entrypoints.api.schemas.jobs import JobOut


class CsvUpload(Schema):
    """A CSV file (UTF-8, comma, semicolon or tab separated) in the multipart field `file`."""

    file: bytes = Field(description="The CSV file; its first line names the columns.")


class UpsertUpload(CsvUpload):
    """A CSV file of clients or snapshots, and whether rows already stored are updated."""

    mode: Literal["insert", "upsert"] = Field(
        "insert",
        description="`insert`: a row already stored is refused; `upsert`: it is updated from the file "
        "(a client by email, a snapshot by client and date).",
    )


class OrdersUpload(CsvUpload):
    """A CSV file of orders, and whether clients named by an unknown email are created."""

    create_clients: bool = Field(
        False,
        description="Create the clients named by an unknown email, registered on their earliest order.",
    )


class ImportReportOut(Schema):
    imported: int = Field(description="Rows stored as new (all rows are checked first: all or nothing).")
    already_stored: int = Field(
        description="Rows that changed nothing: stored before, or repeated in the file."
    )
    updated: int = Field(description="Stored rows the file changed (`mode=upsert`).")
    clients_created: int = Field(description="Clients created from an orders file (`create_clients`).")
    registrations_moved_back: int = Field(
        description="Clients whose registration moved back to an earlier order in the file."
    )
    snapshot_build: JobOut | None = Field(
        None,
        description="Orders and events: the snapshot build started because new rows came in (poll its "
        "`url`); null when nothing new came in, and for clients and activity.",
    )
