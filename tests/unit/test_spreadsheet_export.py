"""The client export for Excel in the reader's language, beside the plain CSV that imports back."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from application.commands import ClientExport
from application.queries import ClientListItem
from domain.clients import Client
from domain.segments import Segment
from domain.tiers import ContactTier
from entrypoints.csv_files import PlainCsv, SemicolonCsv, export_lines
from entrypoints.spreadsheets import export_filename, sheet_for, sheet_of

ITEMS = [
    ClientListItem(
        Client("Jan", "Dąbrowski", "jan@example.pl", date(2023, 1, 15), id=7),
        predicted_sales=1234.5,
        purchase_probability=0.87345,
        will_buy=True,
        segment=Segment.HIGH,
        tier=ContactTier.TOP,
    ),
    ClientListItem(
        Client("=SUM(A1)", 'Ż;ółć "Ola"', "-x@example.pl", date(2024, 2, 29), id=8),
        predicted_sales=-12.5,
        purchase_probability=0.004,
        will_buy=False,
        segment=Segment.LOW,
        tier=ContactTier.REST,
    ),
    ClientListItem(Client("Ewa", "Nowak", "ewa@example.pl", date(2022, 6, 1), id=9)),
]


def file_bytes(sheet: object | None) -> bytes:
    return "".join(export_lines(ITEMS, sheet)).encode("utf-8")  # type: ignore[arg-type]


def test_polish_excel_has_a_bom_semicolons_decimal_commas_and_polish_words(app_context: None) -> None:
    data = file_bytes(sheet_for("pl", "PLN"))

    assert data.startswith(b"\xef\xbb\xbf")
    assert "Dąbrowski".encode() in data  # UTF-8, which the BOM tells Excel to read
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [
        [
            "ID klienta",
            "Imię",
            "Nazwisko",
            "E-mail",
            "Data rejestracji",
            "Prognoza na przyszły miesiąc (PLN)",
            "Szansa zakupu w ciągu 14 dni",
            "Prawdopodobny zakup",
            "Segment",
            "Priorytet kontaktu",
        ],
        [
            *("7", "Jan", "Dąbrowski", "jan@example.pl", "2023-01-15"),
            *("1234,50", "87,34%", "Tak", "Wysoki", "Najlepsze 10%"),
        ],
        [
            *("8", "'=SUM(A1)", 'Ż;ółć "Ola"', "'-x@example.pl", "2024-02-29"),
            *("-12,50", "0,40%", "Nie", "Niski", "Pozostałe 40%"),
        ],
        ["9", "Ewa", "Nowak", "ewa@example.pl", "2022-06-01", "", "", "", "", ""],
    ]
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[2] == (
        '8;\'=SUM(A1);"Ż;ółć ""Ola""";\'-x@example.pl;2024-02-29;-12,50;0,40%;Nie;Niski;Pozostałe 40%'
    )


def test_english_excel_has_a_bom_commas_decimal_dots_and_english_words(app_context: None) -> None:
    data = file_bytes(sheet_for("en", "EUR"))

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][5:] == [
        "Forecast for next month (EUR)",
        "Chance of buying within 14 days",
        "Likely to buy",
        "Segment",
        "Contact priority",
    ]
    assert rows[0][:2] == ["Client ID", "First name"]
    assert rows[1][5:] == ["1234.50", "87.34%", "Yes", "High", "Top 10%"]
    assert rows[2][1] == "'=SUM(A1)"


def test_the_plain_csv_is_unchanged_machine_csv(app_context: None) -> None:
    data = file_bytes(None)

    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert list(rows[0]) == [
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
    ]
    assert [
        rows[1][c]
        for c in ("first_name", "predicted_sales", "purchase_probability", "will_buy", "segment", "tier")
    ] == [
        "'=SUM(A1)",
        "-12.50",
        "0.0040",
        "false",
        "low",
        "4",
    ]


def test_the_dialects_are_the_csv_modules() -> None:
    assert issubclass(PlainCsv, csv.excel) and issubclass(SemicolonCsv, csv.excel)
    assert (PlainCsv.delimiter, SemicolonCsv.delimiter) == (",", ";")
    assert PlainCsv.lineterminator == SemicolonCsv.lineterminator == "\r\n"


def test_a_value_that_rounds_to_zero_is_not_negative(app_context: None) -> None:
    assert sheet_for("pl", "PLN").number(-0.001) == "0,00"


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ({}, "pl", "clients-PLN.csv"),
        ({"dialect": "excel"}, "pl", "clients-PLN-excel-pl.csv"),
        ({"dialect": "excel", "lang": "en"}, "pl", "clients-PLN-excel-en.csv"),
        ({"dialect": "excel"}, "de", "clients-PLN-excel-en.csv"),
    ],
)
def test_the_file_is_named_by_its_format_and_language(
    app_context: None, query: dict[str, str], language: str, expected: str
) -> None:
    export = ClientExport.parse(query)

    assert export_filename("clients", export, language, "PLN") == expected
    assert (sheet_of(export, language, "PLN") is None) == (expected == "clients-PLN.csv")
