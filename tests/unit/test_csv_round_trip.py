"""CSV files safe to open and faithful to read back: formula cells neutralised on export and restored on
import, quotes, delimiters and line breaks inside fields kept, the delimiter told from a real sample."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.clock import FixedClock
from adapters.memory import InMemoryUnitOfWork
from application.commands import ClientFilter
from application.exports import EXPORT_COLUMNS, export_clients, export_row, neutralised, restored
from application.imports import import_clients
from application.queries import ClientListItem
from domain.clients import Client
from entrypoints.csv_files import export_lines, read_rows

REGISTERED = date(2023, 1, 15)
TRICKY = list("aąćęłńóśźżAĄĆŁŃÓŚŹŻ \"',;=+-@\t\r\n")


def client(first: str, last: str, email: str, client_id: int = 1) -> Client:
    return Client(first, last, email, REGISTERED, id=client_id)


def exported(clients: list[Client]) -> str:
    return "".join(export_lines(ClientListItem(c) for c in clients))


def read_back(text: str) -> list[tuple[str | None, str | None, str | None]]:
    _, rows = read_rows(io.StringIO(text, newline=""))
    return [(values["first_name"], values["last_name"], values["email"]) for _, values in rows]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+48 123", "'+48 123"),
        ("-Anna", "'-Anna"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tAnna", "'\tAnna"),
        ("\rAnna", "'\rAnna"),
        ("'=already", "''=already"),
        ("'", "''"),
        ("Anna", "Anna"),
        ("O'Brien", "O'Brien"),
        ("Anna=Maria", "Anna=Maria"),
    ],
)
def test_a_text_cell_that_starts_like_a_formula_is_written_behind_a_quote(cell: str, written: str):
    assert neutralised(cell) == written
    assert restored(written) == cell


def test_a_quote_before_an_ordinary_letter_is_left_alone_on_import():
    assert restored("'t Hooft") == "'t Hooft"


def test_numbers_stay_numbers_only_text_columns_are_neutralised():
    row = export_row(ClientListItem(client("=Anna", "-Nowak", "ola@example.pl"), predicted_sales=-12.5))

    assert row["first_name"] == "'=Anna" and row["last_name"] == "'-Nowak"
    assert row["predicted_sales"] == "-12.50"


def test_doubled_quotes_inside_a_field_read_as_one_quote():
    text = 'first_name,last_name,email\r\n"Anna ""Ania""",Nowak,anna@example.pl\r\n'

    assert read_back(text) == [('Anna "Ania"', "Nowak", "anna@example.pl")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_told_by_a_sample_beyond_the_header(delimiter: str):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["first_name", "last_name", "email"])
    writer.writerow(['Anna "Ania", Maria; Zofia', "Nowak\nKowalska", "anna@example.pl"])

    assert read_back(buffer.getvalue()) == [
        ('Anna "Ania", Maria; Zofia', "Nowak\nKowalska", "anna@example.pl")
    ]


def test_a_file_without_any_delimiter_is_one_column():
    columns, rows = read_rows(io.StringIO("email\r\nanna@example.pl\r\n", newline=""))

    assert columns == ["email"]
    assert [values for _, values in rows] == [{"email": "anna@example.pl"}]


tricky_text = st.text(alphabet=st.sampled_from(TRICKY), min_size=1, max_size=12).filter(lambda t: t.strip())


email_starts = st.sampled_from(["", "=", "+", "-", "'"])


@st.composite
def client_lists(draw: st.DrawFn) -> list[Client]:
    count = draw(st.integers(min_value=0, max_value=6))
    return [
        client(
            draw(tricky_text),
            draw(tricky_text),
            draw(email_starts) + f"k{n}@example.pl",
            n + 1,
        )
        for n in range(count)
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(client_lists())
def test_any_client_list_exported_reads_back_unchanged(clients: list[Client]):
    assert read_back(exported(clients)) == [(c.first_name, c.last_name, c.email) for c in clients]


one_line_name = st.text(
    alphabet=st.sampled_from([c for c in TRICKY if c not in "\t\r\n"]), min_size=1, max_size=12
).filter(lambda t: t == t.strip() and t)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(one_line_name, one_line_name), max_size=5))
def test_clients_exported_and_imported_into_another_company_are_the_same_clients(names):
    source, target = InMemoryUnitOfWork(), InMemoryUnitOfWork()
    with source:
        source.clients.add_many(
            [Client(first, last, f"k{n}@example.pl", REGISTERED) for n, (first, last) in enumerate(names)]
        )
        source.commit()
    text = "".join(export_lines(export_clients(ClientFilter.parse({"sort": "email"}), source)))

    columns, rows = read_rows(io.StringIO(text, newline=""))
    import_clients(columns, rows, target, FixedClock(datetime(2024, 6, 1, 12, tzinfo=UTC)))

    with target:
        imported = {
            (c.first_name, c.last_name, c.email)
            for c in target.clients.find_by_emails([f"k{n}@example.pl" for n in range(len(names))]).values()
        }
    assert imported == {(first, last, f"k{n}@example.pl") for n, (first, last) in enumerate(names)}
    assert list(columns) == list(EXPORT_COLUMNS)
