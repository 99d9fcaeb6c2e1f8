"""CSV transfers: the uploaded file, and what an import stored."""

from __future__ import annotations

from pydantic import Field

from entrypoints.api.schemas.base import Schema


class CsvUpload(Schema):
    """A CSV file (UTF-8, comma, semicolon or tab separated) in the multipart field `file`."""

    file: bytes = Field(description="The CSV file; its first line names the columns.")


class ImportReportOut(Schema):
    imported: int = Field(description="Rows stored: every row of the file (all or nothing).")
