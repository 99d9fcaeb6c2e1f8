"""Building snapshots from orders and events through the API: a job to poll, refusals naming the field."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask

from domain.orders import Order
from e2e.api.conftest import V1, Api, create_client, fields
from e2e.api.test_api_models_and_predictions import FINISHED, poll
from entrypoints.container import container_of


def an_order(app: Flask, client_id: int, day: date, amount: float) -> None:
    with container_of(app).uow() as uow:
        uow.orders.add_new([Order(client_id, datetime(day.year, day.month, day.day, 12, tzinfo=UTC), amount)])
        uow.commit()


def test_a_build_runs_in_the_background_and_its_job_reports_what_it_built(
    app: Flask, analyst_api: Api
) -> None:
    client = create_client(analyst_api)
    an_order(app, client["id"], date(2024, 1, 10), 99.5)

    response = analyst_api.post("/snapshots/build", json={"through": "2024-02-29"})

    assert response.status_code == 202
    job = response.get_json()
    assert response.headers["Location"] == job["url"] == f"{V1}/jobs/{job['id']}"
    finished = poll(analyst_api, job["url"], lambda j: j["state"] in FINISHED)
    assert finished["result"] == {"clients": 1, "snapshots": 2, "through": "2024-02-29"}
    activity = analyst_api.get(f"/clients/{client['id']}/activity").get_json()
    assert [s["observed_on"] for s in activity["items"]] == ["2024-02-29", "2024-01-31"]


def test_a_build_without_a_body_goes_up_to_the_last_month_end(analyst_api: Api) -> None:
    response = analyst_api.post("/snapshots/build")

    assert response.status_code == 202
    finished = poll(analyst_api, response.get_json()["url"], lambda j: j["state"] in FINISHED)
    assert finished["state"] == "succeeded" and finished["result"]["clients"] == 0


def test_a_bad_through_date_is_refused_naming_the_field(analyst_api: Api) -> None:
    assert fields(analyst_api.post("/snapshots/build", json={"through": "2999-01-01"})) == ["through"]
    assert fields(analyst_api.post("/snapshots/build", json={"through": "soon"})) == ["through"]
    assert fields(analyst_api.post("/snapshots/build", json=[1])) == ["body"]
