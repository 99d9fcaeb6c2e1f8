"""The client export through the API: the top N or chosen ids of the list, plain CSV or for Excel."""

from __future__ import annotations

import csv
import io
import re

import pytest

from e2e.api.conftest import Api, create_client, problem
from e2e.api.test_api_models_and_predictions import poll, trained_api  # noqa: F401  (a fixture)


def plain(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def sheet(response, delimiter: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


@pytest.fixture
def five(analyst_api: Api) -> list[int]:
    """Ala, Ela, Iza, Ola and Ula Dąbrowska, by first name; one of them types formulas."""
    ids = [
        create_client(analyst_api, name, last_name="Dąbrowska")["id"] for name in ("Ola", "Ala", "Ula", "Iza")
    ]
    ids.append(create_client(analyst_api, "Ela", last_name="=HYPERLINK(1)")["id"])
    return ids


def test_limit_exports_the_first_n_of_the_list_in_its_order(analyst_api: Api, five: list[int]) -> None:
    rows = plain(analyst_api.get("/clients/export.csv", query_string={"sort": "-first_name", "limit": 3}))

    assert [row["first_name"] for row in rows] == ["Ula", "Ola", "Iza"]
    everyone = plain(analyst_api.get("/clients/export.csv", query_string={"sort": "first_name"}))
    assert [row["first_name"] for row in everyone] == ["Ala", "Ela", "Iza", "Ola", "Ula"]
    assert len(plain(analyst_api.get("/clients/export.csv", query_string={"limit": 1_000_000}))) == 5


def test_ids_export_just_those_clients_in_the_lists_order(analyst_api: Api, five: list[int]) -> None:
    _, ala, ula, _, ela = five

    def exported(query: str) -> list[str]:  # each export read at once: it streams from an open read
        return [row["first_name"] for row in plain(analyst_api.get(f"/clients/export.csv?{query}"))]

    assert exported(f"sort=first_name&ids={ula}&ids={ala}&ids=999999") == ["Ala", "Ula"]
    assert exported(f"sort=-first_name&ids={ula},{ala},{ela}&limit=2") == ["Ula", "Ela"]
    assert exported(f"sort=first_name&q=dąbrowska&ids={ala},{ela}") == [
        "Ala"
    ]  # only those the filters select


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("limit=0", "limit", "greater_than_equal"),
        ("limit=-5", "limit", "greater_than_equal"),
        ("limit=1000001", "limit", "less_than_equal"),
        ("limit=ten", "limit", "int_parsing"),
        ("limit=", "limit", "int_parsing"),
        ("limit=2.5", "limit", "int_parsing"),
        ("ids=", "ids", "too_short"),
        ("ids=1,x", "ids.1", "int_parsing"),
        ("ids=0", "ids.0", "greater_than_equal"),
        ("ids=" + ",".join(str(n) for n in range(1, 102)), "ids", "too_long"),
        ("dialect=xlsx", "dialect", "enum"),
        ("dialect=excel&lang=de", "lang", "enum"),
    ],
)
def test_a_bad_limit_ids_or_format_is_refused_naming_the_field(
    analyst_api: Api, query: str, field: str, code: str
) -> None:
    body = problem(analyst_api.get(f"/clients/export.csv?{query}"), 422)

    assert [(error["field"], error["code"]) for error in body["errors"]] == [(field, code)]


def test_excel_in_polish_has_semicolons_a_bom_polish_headers_and_neutralised_formulas(
    analyst_api: Api, five: list[int]
) -> None:
    response = analyst_api.get(
        "/clients/export.csv", query_string={"sort": "first_name", "dialect": "excel", "lang": "pl"}
    )

    rows = sheet(response, ";")
    assert response.headers["Content-Disposition"] == "attachment; filename=clients-PLN-excel-pl.csv"
    assert rows[0] == [
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
    ]
    assert [row[1:3] for row in rows[1:3]] == [["Ala", "Dąbrowska"], ["Ela", "'=HYPERLINK(1)"]]
    assert "Dąbrowska".encode() in response.get_data()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", rows[1][4])


def test_excel_follows_accept_language_unless_lang_is_given(analyst_api: Api, five: list[int]) -> None:
    preferring_polish = {"Accept-Language": "pl-PL,pl;q=0.9"}
    polish = analyst_api.get("/clients/export.csv?dialect=excel", headers=preferring_polish)
    assert sheet(polish, ";")[0][1] == "Imię"

    english = analyst_api.get("/clients/export.csv?dialect=excel&lang=en", headers=preferring_polish)
    assert sheet(english, ",")[0][:3] == ["Client ID", "First name", "Last name"]
    assert english.headers["Content-Disposition"] == "attachment; filename=clients-PLN-excel-en.csv"


def test_excel_writes_numbers_with_the_languages_decimal_separator(trained_api: Api) -> None:  # noqa: F811
    scoring = trained_api.post("/predictions/batch")
    assert scoring.status_code == 202
    poll(trained_api, scoring.headers["Location"], lambda job: job["state"] in {"succeeded", "failed"})
    query = {"sort": "-purchase_probability", "limit": 10}

    machine = plain(trained_api.get("/clients/export.csv", query_string=query))
    polish = sheet(
        trained_api.get("/clients/export.csv", query_string={**query, "dialect": "excel", "lang": "pl"}), ";"
    )
    english = sheet(
        trained_api.get("/clients/export.csv", query_string={**query, "dialect": "excel", "lang": "en"}), ","
    )

    assert len(machine) == len(polish) - 1 == len(english) - 1 == 10
    for row, pl, en in zip(machine, polish[1:], english[1:], strict=True):
        assert pl[5] == row["predicted_sales"].replace(".", ",") and en[5] == row["predicted_sales"]
        percent = f"{float(row['purchase_probability']) * 100:.2f}"
        assert (pl[6], en[6]) == (percent.replace(".", ",") + "%", percent + "%")
        assert pl[7] == {"true": "Tak", "false": "Nie"}[row["will_buy"]]
        assert en[7] == {"true": "Yes", "false": "No"}[row["will_buy"]]
        assert pl[8] == {"high": "Wysoki", "medium": "Średni", "low": "Niski"}[row["segment"]]
        assert en[8] == row["segment"].capitalize()
        assert en[9] == {"1": "Top 10%", "2": "Next 20%", "3": "Next 30%", "4": "Other 40%"}[row["tier"]]
