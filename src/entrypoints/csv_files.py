"""CSV files in and out: the dialect is sniffed (comma, semicolon or tab), text is UTF-8 with or without BOM.

Uploads (API, web) and files on disk (CLI) all come through here and go on to the import use cases,
streamed: rows are decoded and read as the use case asks for them, never the whole file at once.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import IO

from application.exports import EXPORT_COLUMNS, export_row
from application.imports import ImportRejected, Row, RowError
from application.queries import ClientListItem
from application.validation import InvalidInput

DELIMITERS = ",;\t"


def open_upload(stream: IO[bytes]) -> IO[str]:
    """An uploaded file's bytes as text, decoded as they are read."""
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def read_rows(text: IO[str]) -> tuple[list[str], Iterator[Row]]:
    """The header's column names and the numbered rows (the header is line 1), read lazily; the
    dialect is told by the header line."""
    try:
        header = text.readline()
    except UnicodeDecodeError:
        raise InvalidInput.single("file", "not_utf8", "must be UTF-8 text (CSV)") from None
    if not header.strip():
        raise InvalidInput.single("file", "empty_file", "is empty: expected a header line and rows")
    reader = csv.DictReader(itertools.chain([header], text), dialect=_dialect(header))
    try:
        columns = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise ImportRejected([RowError(1, "row", "invalid_csv", f"is not valid CSV: {error}")]) from None
    reader.fieldnames = columns
    return columns, _numbered(reader)


def _dialect(sample: str) -> type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(sample.splitlines()[0], delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel


def _numbered(reader: csv.DictReader[str]) -> Iterator[Row]:
    try:
        for row in reader:
            if None in row:
                raise ImportRejected(
                    [
                        RowError(
                            reader.line_num,
                            "row",
                            "too_many_values",
                            "has more values than the header has columns",
                        )
                    ]
                )
            if any(row.values()):
                yield reader.line_num, row
    except csv.Error as error:  # e.g. a field longer than the csv module's limit: bad input, not a crash
        raise ImportRejected(
            [RowError(reader.line_num, "row", "invalid_csv", f"is not valid CSV: {error}")]
        ) from None
    except UnicodeDecodeError:
        raise ImportRejected(
            [RowError(reader.line_num + 1, "row", "not_utf8", "is not UTF-8 text")]
        ) from None


def export_lines(items: Iterable[ClientListItem]) -> Iterator[str]:
    """The client export, a line at a time, so a large list streams instead of filling memory."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for item in items:
        writer.writerow(export_row(item))
        yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
