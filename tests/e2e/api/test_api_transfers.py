"""CSV import (all rows or none, every bad row named) and export of the client list, through the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from flask import Flask

from adapters.hashing import WerkzeugPasswordHasher
from adapters.sqlalchemy import upgrade_database
from e2e.api.conftest import Api, a_snapshot, company_csvs, create_client, csv_text, issue_token, problem
from e2e.api.test_api_models_and_predictions import poll
from e2e.conftest import ADMIN_EMAIL, add_user
from entrypoints.app import create_app
from entrypoints.container import container_of
from entrypoints.settings import Settings

CLIENT_COLUMNS = ["first_name", "last_name", "email", "registered_on"]


def clients_of(api: Api) -> list[dict[str, str]]:
    items = api.get("/clients", query_string={"per_page": 100, "sort": "email"}).get_json()["items"]
    return [{name: str(item[name]) for name in CLIENT_COLUMNS} for item in items]


def test_a_clients_file_is_imported(analyst_api: Api) -> None:
    # Semicolons and a byte order mark, as a spreadsheet saves it.
    text = (
        "\ufefffirst_name;last_name;email;registered_on\n"
        "Anna;Nowak;anna@example.pl;2023-01-15\n"
        "Jan;Kos;jan@example.pl;2024-02-01\n"
    )

    response = analyst_api.upload("/imports/clients", text)

    assert response.status_code == 200 and response.get_json()["imported"] == 2
    assert [c["email"] for c in clients_of(analyst_api)] == ["anna@example.pl", "jan@example.pl"]


def test_a_clients_file_with_bad_rows_imports_nothing_and_names_every_row_and_field(admin_api: Api) -> None:
    create_client(admin_api, "Taken")
    text = (
        "first_name,last_name,email,registered_on\n"
        "Anna,Nowak,anna@example.pl,2023-01-15\n"
        "Jan,Kos,not-an-email,2023-01-15\n"
        "Ewa,,ewa@example.pl,1989-01-01\n"
        "Olga,Lis,taken@example.pl,2023-01-15\n"
        "Ala,Kot,ANNA@example.pl,2023-01-15\n"
        "Ida,Kos,ida@example.pl,2999-01-01\n"
    )

    body = problem(admin_api.upload("/imports/clients", text), 422)

    assert body["detail"] == "Nothing was imported: 6 problem(s) in the file."
    assert [(e["line"], e["field"], e["message"]) for e in body["errors"]] == [
        (3, "email", body["errors"][0]["message"]),
        (4, "last_name", "String should have at least 1 character"),
        (4, "registered_on", "must not be before 1990-01-01"),
        (5, "email", "is already taken"),
        (6, "email", "repeats the email of line 2"),
        (7, "registered_on", "must not be in the future"),
    ]
    assert [c["email"] for c in clients_of(admin_api)] == ["taken@example.pl"]


def test_missing_and_unknown_columns_are_named_on_line_one(admin_api: Api) -> None:
    body = problem(
        admin_api.upload("/imports/clients", "first_name,email,shoe_size\nAnna,a@example.pl,38\n"), 422
    )

    assert [(e["line"], e["field"], e["message"]) for e in body["errors"]] == [
        (1, "last_name", "column is missing"),
        (1, "registered_on", "column is missing"),
        (1, "shoe_size", "is not a known column"),
    ]


def test_an_activity_file_names_clients_by_email_and_may_carry_outcomes(admin_api: Api) -> None:
    clients_csv, activity_csv = company_csvs(clients=3)
    admin_api.upload("/imports/clients", clients_csv)

    response = admin_api.upload("/imports/activity", activity_csv)

    assert response.get_json()["imported"] == 6
    client_id = clients_of_ids(admin_api)[0]
    snapshots = admin_api.get(f"/clients/{client_id}/activity").get_json()["items"]
    assert len(snapshots) == 2 and all(s["sales_next_month"] is not None for s in snapshots)


def clients_of_ids(api: Api) -> list[int]:
    return [item["id"] for item in api.get("/clients", query_string={"sort": "email"}).get_json()["items"]]


def test_an_activity_file_with_bad_rows_imports_nothing_and_names_every_row(admin_api: Api) -> None:
    client = create_client(admin_api, "Anna", registered_on="2023-01-15")
    existing = a_snapshot("2024-01-31")
    admin_api.post(f"/clients/{client['id']}/activity", json=existing)
    good = {"client_email": "anna@example.pl"} | a_snapshot("2024-02-29")
    rows = [
        good,
        good | {"observed_on": "2024-03-31", "visits_7d": 20, "site_visits_30d": 10},
        good | {"client_email": "nobody@example.pl", "observed_on": "2024-04-30"},
        good | {"observed_on": "2022-12-31"},
        good | {"observed_on": "2024-01-31"},
        good,
    ]

    body = problem(admin_api.upload("/imports/activity", csv_text(rows, list(good))), 422)

    assert [(e["line"], e["field"]) for e in body["errors"]] == [
        (3, "visits_7d"),
        (4, "client_email"),
        (5, "observed_on"),
        (6, "observed_on"),
        (7, "observed_on"),
    ]
    assert len(admin_api.get(f"/clients/{client['id']}/activity").get_json()["items"]) == 1


def test_what_is_not_a_csv_upload_is_refused_with_a_problem(admin_api: Api) -> None:
    not_utf8 = {"file": (io.BytesIO("imię;nazwisko\n".encode("cp1250")), "clients.csv")}
    endless_field = '"' + "x" * 200_000 + '"\n'

    assert problem(
        admin_api.post("/imports/clients", data=not_utf8, content_type="multipart/form-data"), 422
    )["errors"] == [
        {"field": "file", "code": "not_utf8", "message": "must be UTF-8 text (CSV)", "params": {}}
    ]
    assert problem(admin_api.upload("/imports/clients", ""), 422)["errors"][0]["field"] == "file"
    assert (
        problem(admin_api.upload("/imports/clients", ",".join(CLIENT_COLUMNS) + "\n" + endless_field), 422)[
            "errors"
        ][0]["field"]
        == "row"
    )
    missing = admin_api.post("/imports/clients", data={"other": "x"}, content_type="multipart/form-data")
    assert problem(missing, 422)["errors"] == [
        {
            "field": "file",
            "code": "missing",
            "message": "is missing: send the CSV file in the multipart field `file`",
            "params": {},
        }
    ]
    problem(admin_api.post("/imports/clients", json={"file": "first_name\n"}), 415)


def test_an_upload_beyond_the_limit_is_a_413_problem(app: Flask, admin_api: Api) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2048

    response = admin_api.upload(
        "/imports/clients", "first_name,last_name,email,registered_on\n" + "a,b,c@d.pl,2023-01-01\n" * 200
    )

    assert "Request Entity Too Large" in problem(response, 413)["title"]


def test_the_export_streams_the_filtered_list_with_current_predictions(analyst_api: Api) -> None:
    for name in ("Anna", "Jan", "Joanna"):
        create_client(analyst_api, name)

    response = analyst_api.get("/clients/export.csv", query_string={"q": "anna", "sort": "-first_name"})

    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=clients-PLN.csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["first_name"], r["predicted_sales"], r["segment"]) for r in rows] == [
        ("Joanna", "", ""),
        ("Anna", "", ""),
    ]
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
    assert (
        problem(analyst_api.get("/clients/export.csv", query_string={"page": 2}), 422)["errors"][0]["field"]
        == "page"
    )


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[Flask]:
    """A second Prognoza, on a database of its own with no clients."""
    instance = tmp_path / "other"
    instance.mkdir()
    url = f"sqlite:///{instance}/other.db"
    upgrade_database(url)
    app = create_app(Settings(env="testing", database_url=url, instance_dir=instance, secret_key="other"))
    container_of(app).password_hasher.override(
        providers.Singleton(WerkzeugPasswordHasher, method="pbkdf2:sha256:1000")
    )
    yield app
    container_of(app).engine().dispose()


def test_an_export_imported_into_an_empty_database_gives_the_same_clients(
    admin_api: Api, empty_app: Flask
) -> None:
    clients_csv, _ = company_csvs(clients=30)
    admin_api.upload("/imports/clients", clients_csv)
    create_client(admin_api, "Żaneta", last_name="Łęcka-Gąsior", email="zaneta@example.pl")
    exported = admin_api.get("/clients/export.csv").get_data(as_text=True)
    add_user(empty_app, ADMIN_EMAIL, "admin")
    other_client = empty_app.test_client()
    other = Api(other_client, issue_token(other_client, ADMIN_EMAIL))
    assert clients_of(other) == []

    response = other.upload("/imports/clients", exported, filename="clients.csv")

    assert response.get_json()["imported"] == 31
    assert other.get("/clients").get_json()["total"] == 31
    assert sorted_clients(other) == sorted_clients(admin_api)


def sorted_clients(api: Api) -> list[dict[str, str]]:
    rows = list(
        csv.DictReader(
            io.StringIO(api.get("/clients/export.csv", query_string={"sort": "email"}).get_data(as_text=True))
        )
    )
    return [{name: row[name] for name in CLIENT_COLUMNS} for row in rows]


ORDERS = (
    "client_email,ordered_at,amount,order_id\n"
    'ewa.lis@example.pl,2024-05-01T10:00:00+02:00,"149,90",E-1\n'
    "ewa.lis@example.pl,19970101,20,E-0\n"
)


def test_orders_of_unknown_clients_are_refused_unless_clients_are_created(analyst_api: Api) -> None:
    refused = problem(analyst_api.upload("/imports/orders", ORDERS), 422)
    assert [(e["line"], e["field"], e["code"]) for e in refused["errors"]] == [
        (2, "client_email", "unknown_client"),
        (3, "client_email", "unknown_client"),
    ]
    assert analyst_api.get("/clients").get_json()["total"] == 0

    data = {"file": (io.BytesIO(ORDERS.encode()), "orders.csv", "text/csv"), "create_clients": "true"}
    created = analyst_api.post("/imports/orders", data=data, content_type="multipart/form-data")

    assert created.status_code == 200
    report = created.get_json()
    build = report.pop("snapshot_build")
    assert report == {
        "imported": 2,
        "already_stored": 0,
        "updated": 0,
        "clients_created": 1,
        "registrations_moved_back": 0,
    }
    (ewa,) = analyst_api.get("/clients").get_json()["items"]
    assert (ewa["first_name"], ewa["last_name"], ewa["registered_on"]) == ("Ewa", "Lis", "1997-01-01")
    built = poll(analyst_api, build["url"], lambda job: job["state"] in {"succeeded", "failed"})
    assert built["state"] == "succeeded" and built["result"]["clients"] == 1
    activity = analyst_api.get(f"/clients/{ewa['id']}/activity").get_json()["items"]
    assert activity[-1]["observed_on"] == "1997-01-31" and activity[-1]["source"] == "derived"


def test_an_orders_file_with_nothing_new_starts_no_build(analyst_api: Api) -> None:
    data = {"file": (io.BytesIO(ORDERS.encode()), "orders.csv", "text/csv"), "create_clients": "true"}
    analyst_api.post("/imports/orders", data=data, content_type="multipart/form-data")

    again = analyst_api.upload("/imports/orders", ORDERS).get_json()

    assert (again["imported"], again["already_stored"], again["snapshot_build"]) == (0, 2, None)


def test_the_same_events_file_twice_stores_each_event_once(analyst_api: Api) -> None:
    create_client(analyst_api, "Anna")
    text = "client_email,occurred_at,kind,duration_s\nanna@example.pl,2024-05-01 10:00,visit,30\n"

    first = analyst_api.upload("/imports/events", text).get_json()
    again = analyst_api.upload("/imports/events", text).get_json()

    assert (first["imported"], again["imported"], again["already_stored"]) == (1, 0, 1)


def test_a_bad_date_names_the_accepted_forms(analyst_api: Api) -> None:
    create_client(analyst_api, "Anna")
    text = "client_email,occurred_at,kind\nanna@example.pl,01.05.2024,visit\n"

    (error,) = problem(analyst_api.upload("/imports/events", text), 422)["errors"]

    assert (error["line"], error["field"], error["code"]) == (2, "occurred_at", "date_format")
    assert "YYYYMMDD" in error["params"]["accepted"]


def test_clients_are_updated_by_email_with_mode_upsert(analyst_api: Api) -> None:
    create_client(analyst_api, "Anna")
    text = "first_name,last_name,email,registered_on\nAnna,Kowalska,anna@example.pl,20230115\n"
    data = {"file": (io.BytesIO(text.encode()), "clients.csv", "text/csv"), "mode": "upsert"}

    report = analyst_api.post("/imports/clients", data=data, content_type="multipart/form-data").get_json()

    assert (report["imported"], report["updated"]) == (0, 1)
    assert [c["last_name"] for c in clients_of(analyst_api)] == ["Kowalska"]


def test_an_unknown_mode_is_refused_naming_the_field(analyst_api: Api) -> None:
    data = {"file": (io.BytesIO(b"first_name\n"), "clients.csv", "text/csv"), "mode": "merge"}

    body = problem(analyst_api.post("/imports/clients", data=data, content_type="multipart/form-data"), 422)

    assert [(e["field"], e["code"]) for e in body["errors"]] == [("mode", "enum")]
