"""CSV files in and out: the delimiter is sniffed (comma, semicolon or tab) on the first 16 KB, quotes
are RFC 4180's (`"`, doubled inside a field), text is UTF-8 with or without BOM. Text cells that would
start a spreadsheet formula are exported behind a single quote, and imported without it.

Uploads (API, web) and files on disk (CLI) all come through here and go on to the import use cases,
streamed: rows are decoded and read as the use case asks for them, never the whole file at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from application.exports import EXPORT_COLUMNS, TEXT_COLUMNS, export_row, restored
from application.imports import ImportRejected, Row, RowError
from application.queries import ClientListItem
from application.validation import InvalidInput
from domain.segments import Segment
from domain.tiers import ContactTier

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


class PlainCsv(csv.excel):
    """The machine export: comma, RFC 4180 quotes (`"`, doubled inside a field), CRLF line ends."""

    lineterminator = "\r\n"


class SemicolonCsv(PlainCsv):
    """A spreadsheet's CSV where the decimal separator is a comma (Polish Excel): fields end at `;`."""

    delimiter = ";"


BOM = "\ufeff"
"""UTF-8's byte order mark (EF BB BF): how Excel tells a CSV file is UTF-8 rather than the Windows
code page of its language (Windows-1250 in Poland, where `Dąbrowski` would read `DÄ…browski`)."""


@dataclass(frozen=True)
class Sheet:
    """The client export for a spreadsheet in one language: its delimiter (a `csv` dialect), its
    decimal separator, its column names and its words for a segment, a decision and a contact tier.

    Dates stay ISO 8601 (`2024-03-31`), which Excel reads as a date in every language; forecasts are
    numbers with two decimals and no grouping (`1234,50`); the purchase probability is a percentage
    with two decimals (`87,34%`), which Excel reads as the number 0.8734 shown as a percentage. Text
    cells are neutralised against formulas exactly as in the plain export."""

    dialect: type[csv.Dialect]
    decimal: str
    headers: Mapping[str, str]
    segments: Mapping[Segment, str]
    yes: str
    no: str
    tiers: Mapping[ContactTier, str]

    def row(self, item: ClientListItem) -> dict[str, object]:
        row = export_row(item)
        forecast, probability = item.predicted_sales, item.purchase_probability
        row["predicted_sales"] = "" if forecast is None else self.number(forecast)
        row["purchase_probability"] = "" if probability is None else self.percent(probability)
        row["will_buy"] = "" if item.will_buy is None else self.yes if item.will_buy else self.no
        row["segment"] = "" if item.segment is None else self.segments[item.segment]
        row["tier"] = "" if item.tier is None else self.tiers[item.tier]
        return row

    def percent(self, probability: float) -> str:
        """The plain export's probability (four decimals) as a percentage with two: 0.8734 is 87,34%."""
        percent = Decimal(f"{probability:.4f}").scaleb(2)
        return f"{percent:.2f}".replace(".", self.decimal) + "%"

    def number(self, value: float) -> str:
        text = f"{value:.2f}"
        if text.startswith("-") and not text.strip("-0."):
            text = text[1:]  # a value that rounds to zero is no negative number
        return text.replace(".", self.decimal)


def export_lines(items: Iterable[ClientListItem], sheet: Sheet | None = None) -> Iterator[str]:
    """The client export, a line at a time, so a large list streams instead of filling memory: the
    plain CSV (comma, no BOM, machine names and values, imports back) or, with `sheet`, the file for a
    spreadsheet in the sheet's language, behind a BOM. Quotes are the csv module's either way."""
    buffer = io.StringIO()
    if sheet is None:
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, dialect=PlainCsv)
        writer.writeheader()
        row: Callable[[ClientListItem], dict[str, object]] = export_row
    else:
        buffer.write(BOM)
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, dialect=sheet.dialect)
        writer.writerow({column: sheet.headers[column] for column in EXPORT_COLUMNS})
        row = sheet.row
    for item in items:
        writer.writerow(row(item))
        yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
