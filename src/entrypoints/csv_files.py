"""CSV files in and out: the delimiter is sniffed (comma, semicolon or tab) on the first 16 KB, quotes
are RFC 4180's (`"`, doubled inside a field), text is UTF-8 with or without BOM. Text cells that would
start a spreadsheet formula are exported behind a single quote, and imported without it.

Uploads (API, web) and files on disk (CLI) all come through here and go on to the import use cases,
streamed: rows are decoded and read as the use case asks for them, never the whole file at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import IO

from application.exports import EXPORT_COLUMNS, TEXT_COLUMNS, export_row, restored
from application.imports import ImportRejected, Row, RowError
from application.queries import ClientListItem
from application.validation import InvalidInput

DELIMITERS = ",;\t"
SAMPLE_SIZE = 16 * 1024
"""How much of a file the dialect is told from (whole lines: a row is never cut in two). csv.Sniffer's
search for quoted fields grows faster than the sample: on a file quoting every name it takes about
40 ms for 16 KB and half a second for 64 KB, and 16 KB is a hundred rows or more."""


def open_upload(stream: IO[bytes]) -> IO[str]:
    """An uploaded file's bytes as text, decoded as they are read."""
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def read_rows(text: IO[str]) -> tuple[list[str], Iterator[Row]]:
    """The header's column names and the numbered rows (the header is line 1), read lazily; the
    dialect is told by the first 16 KB."""
    sample, lines = _sampled(text)
    if not sample[0].strip():
        raise InvalidInput.single("file", "empty_file", "is empty: expected a header line and rows")
    reader = csv.DictReader(lines, dialect=_dialect("".join(sample), sample[0]))
    try:
        columns = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise ImportRejected([RowError(1, "row", "invalid_csv", f"is not valid CSV: {error}")]) from None
    reader.fieldnames = columns
    return columns, _numbered(reader)


def _sampled(text: IO[str]) -> tuple[list[str], Iterator[str]]:
    """The first lines of `text` (16 KB or so), and every line, those first ones included. A line that is
    not UTF-8 after the header is reported when the rows reach it, with its line number."""
    sample: list[str] = []
    size, failure = 0, None
    try:
        while size < SAMPLE_SIZE and (line := text.readline()):
            sample.append(line)
            size += len(line)
    except UnicodeDecodeError as error:
        if not sample:
            raise InvalidInput.single("file", "not_utf8", "must be UTF-8 text (CSV)") from None
        failure = error

    def every_line() -> Iterator[str]:
        yield from sample
        if failure is not None:
            raise failure
        yield from text

    return sample or [""], every_line()


class _Rfc4180(csv.excel):
    """Quotes as RFC 4180 (and every spreadsheet) write them; only the delimiter varies."""

    doublequote = True
    quotechar = '"'


def _dialect(sample: str, header: str) -> type[csv.Dialect]:
    """The delimiter csv.Sniffer finds in the sample, if the header has it too; else the header's most
    frequent candidate; else a comma."""
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if not delimiter or delimiter not in DELIMITERS or delimiter not in header:
        counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
        delimiter = max(counts, key=counts.__getitem__) if any(counts.values()) else ","
    return type("Sniffed", (_Rfc4180,), {"delimiter": delimiter})


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
                yield reader.line_num, _restored(row)
    except csv.Error as error:  # e.g. a field longer than the csv module's limit: bad input, not a crash
        raise ImportRejected(
            [RowError(reader.line_num, "row", "invalid_csv", f"is not valid CSV: {error}")]
        ) from None
    except UnicodeDecodeError:
        raise ImportRejected(
            [RowError(reader.line_num + 1, "row", "not_utf8", "is not UTF-8 text")]
        ) from None


def _restored(row: dict[str, str | None]) -> dict[str, str | None]:
    for column in TEXT_COLUMNS:
        value = row.get(column)
        if value:
            row[column] = restored(value)
    return row


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
