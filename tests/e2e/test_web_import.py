"""Importing clients and activity from CSV through the panel: all rows or none, every bad line listed."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, date, datetime

import pytest
from flask import Flask

from domain.orders import Order
from domain.users import User
from entrypoints.container import container_of

CLIENTS = (
    "first_name;last_name;email;registered_on\n"
    "Anna;Kowalska;anna.kowalska@example.com;2024-03-15\n"
    "Piotr;Nowak;piotr.nowak@example.com;2023-11-02\n"
)
ACTIVITY = (
    "client_email,observed_on,purchases_30d,avg_basket_value,site_visits_30d,days_since_last_purchase,"
    "visits_7d,newsletter_opened,ad_clicks_7d,time_on_site_7d,sales_next_month,purchased_next_14d\n"
    "anna.kowalska@example.com,2025-10-31,2,149.90,12,5,4,true,1,18.5,,\n"
    "anna.kowalska@example.com,2025-09-30,1,99.00,8,20,2,false,0,6,210.00,true\n"
)


def clients_on_record(app: Flask) -> int:
    return container_of(app).count_clients()()


def upload(auth, kind: str, content: str, name: str = "data.csv"):  # type: ignore[no-untyped-def]
    return auth.post(
        "/import",
        {"import-kind": kind, "import-file": (io.BytesIO(content.encode("utf-8")), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def analyst_in(client, auth, analyst: User):  # type: ignore[no-untyped-def]
    auth.login(analyst.email)
    return client


def test_import_page_lists_the_expected_columns(analyst_in):
    html = analyst_in.get("/import").get_data(as_text=True)

    clients = html[html.index('data-columns="clients"') : html.index('data-columns="activity"')]
    activity = html[html.index('data-columns="activity"') :]
    for column in ("first_name", "last_name", "email", "registered_on"):
        assert f"<code>{column}</code>" in clients
    for column in ("client_email", "observed_on", "time_on_site_7d", "purchased_next_14d"):
        assert f"<code>{column}</code>" in activity
    assert 'enctype="multipart/form-data"' in html


def test_analyst_imports_clients_then_their_activity(app, analyst_in, auth):
    clients = upload(auth, "clients", CLIENTS)
    assert clients.status_code == 302 and clients.headers["Location"] == "/import"
    assert "Imported 2 new rows." in analyst_in.get("/import").get_data(as_text=True)

    activity = upload(auth, "activity", ACTIVITY)

    assert activity.status_code == 302
    assert "Imported 2 new rows." in analyst_in.get("/import").get_data(as_text=True)
    assert clients_on_record(app) == 2


def test_a_refused_file_lists_every_bad_line_and_imports_nothing(app, analyst_in, auth):
    bad = (
        "first_name,last_name,email,registered_on\n"
        "Anna,Kowalska,anna@example.com,2024-03-15\n"
        ",Nowak,piotr@example,2023-11-02\n"
        "Ewa,Lis,anna@example.com,2999-01-01\n"
    )

    response = upload(auth, "clients", bad, "clients.csv")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in html and "clients.csv" in html
    problems = re.findall(r'<td class="text-end tabular">(\d+)</td>\s*<td><code>(\w+)</code>', html)
    assert ("3", "first_name") in problems and ("3", "email") in problems
    assert ("4", "registered_on") in problems or ("4", "email") in problems
    assert "Enter a valid email address." in html
    assert clients_on_record(app) == 0


def test_activity_for_an_unknown_client_is_refused_on_its_line(app, analyst_in, auth):
    response = upload(auth, "activity", ACTIVITY)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No client has this email." in html
    assert "<code>client_email</code>" in html


def test_a_file_with_a_missing_column_says_which(analyst_in, auth):
    response = upload(auth, "clients", "first_name,last_name,email\nAnna,Kowalska,a@example.com\n")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<code>registered_on</code>" in html and "This column is missing." in html


def test_an_empty_or_binary_file_is_refused_next_to_the_file_field(analyst_in, auth):
    empty = upload(auth, "clients", "")
    binary = auth.post(
        "/import",
        {"import-kind": "clients", "import-file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
        content_type="multipart/form-data",
    )

    assert empty.status_code == 422 and 'id="import-file-errors"' in empty.get_data(as_text=True)
    assert "The file is empty" in empty.get_data(as_text=True)
    assert binary.status_code == 422 and "The file must be UTF-8 text (CSV)." in binary.get_data(as_text=True)


def test_no_file_chosen_is_refused(analyst_in, auth):
    response = auth.post("/import", {"import-kind": "clients"}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_an_export_can_be_imported_back(demo_app, demo_client, demo_auth, demo_analyst: User):
    demo_auth.login(demo_analyst.email)
    exported = demo_client.get("/clients/export.csv?segment=medium").get_data(as_text=True)
    copies = exported.replace("@example.", "@copy.example.")  # the same clients under new emails

    response = upload(demo_auth, "clients", copies)

    assert response.status_code == 302
    assert clients_on_record(demo_app) == 300 + exported.count("\n") - 1


ORDERS = 'client_email,ordered_at,amount\newa.lis@example.com,20240301,"149,90"\n'


def test_orders_of_an_unknown_client_are_refused_unless_clients_are_created(app, analyst_in, auth):
    refused = upload(auth, "orders", ORDERS)

    assert refused.status_code == 422
    assert "No client has this email." in refused.get_data(as_text=True)
    assert clients_on_record(app) == 0

    created = auth.post(
        "/import",
        {
            "import-kind": "orders",
            "import-create_clients": "y",
            "import-file": (io.BytesIO(ORDERS.encode()), "orders.csv"),
        },
        content_type="multipart/form-data",
    )

    assert created.status_code == 302 and created.headers["Location"] == "/import#build"
    page = analyst_in.get("/import").get_data(as_text=True)
    assert "1 client created." in page and "Building the snapshots has started" in page
    assert clients_on_record(app) == 1


def test_the_monthly_clients_file_updates_those_stored(app, analyst_in, auth):
    upload(auth, "clients", CLIENTS)
    renamed = CLIENTS.replace("Kowalska", "Lis")

    updated = auth.post(
        "/import",
        {
            "import-kind": "clients",
            "import-update": "y",
            "import-file": (io.BytesIO(renamed.encode()), "c.csv"),
        },
        content_type="multipart/form-data",
    )

    assert updated.status_code == 302
    assert "1 row updated." in analyst_in.get("/import").get_data(as_text=True)
    assert clients_on_record(app) == 2


def test_analyst_builds_snapshots_from_the_orders_and_follows_the_job(app, analyst_in, auth):
    upload(auth, "clients", CLIENTS)
    with container_of(app).uow() as uow:
        anna = uow.clients.get_by_email("anna.kowalska@example.com")
        uow.orders.add_new([Order(anna.id, datetime(2024, 4, 2, 12, tzinfo=UTC), 80.0)])
        uow.commit()

    started = auth.post("/import/snapshots", {"build-through": "2024-05-31"})

    assert started.status_code == 302 and started.headers["Location"] == "/import#build"
    page = analyst_in.get("/import").get_data(as_text=True)
    assert "Building the snapshots has started" in page
    assert 'class="alert' in page and "build-status" in page
    for _ in range(100):
        if "2 snapshots of 1 clients built through" in analyst_in.get("/import").get_data(as_text=True):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the build did not finish")
    with container_of(app).uow() as uow:
        assert [s.observed_on for s in uow.activity.history(anna.id)] == [
            date(2024, 5, 31),
            date(2024, 4, 30),
        ]


def test_a_build_through_a_future_date_is_refused_next_to_the_field(app, analyst_in, auth):
    refused = auth.post("/import/snapshots", {"build-through": "2999-01-01"})

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "The date must not be in the future." in html
    assert 'value="2999-01-01"' in html
